"""A catalogue another process holds for a while (review 7, findings 2 to 4): readers wait for a writer as writers
wait, dedup's finalize waits too, a finished run's summary never fails the run, and the one-line busy error names
the holder without claiming it writes (a reader such as `curate pii scan` holds it too)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from curate.ingest import ingest
from curate.runner import run_stage
from curate.stages.dedup import DedupStage
from provenance import db
from provenance.errors import CatalogueBusyError
from sources.base import ErrorPolicy
from sources.moda import ModaSource
from tests.helpers.lock_holder import Holder

TEXTS = ["金融科技發展路徑圖，推動數位金融。", "金融科技發展路徑圖，推動數位金融。", "開放銀行第二階段上線。"]


def _catalogue(db_path: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "moda.jsonl"
    lines = [json.dumps({"id": f"n{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(TEXTS)]
    corpus.write_text("".join(lines), "utf-8")
    ingest(db_path, ModaSource([corpus], licence="CC-BY-4.0"), on_error=ErrorPolicy.RAISE)


def test_a_reader_waits_for_a_writer(db_path, tmp_path):
    _catalogue(db_path, tmp_path)
    with Holder(db_path, 1.0):
        t = time.monotonic()
        con = db.connect_readonly(db_path)  # `curate status`, `audit verify`: wait as writers do
        assert time.monotonic() - t > 0.2
        assert con.execute("SELECT count(*) FROM records").fetchone()[0] == 3
        con.close()


def test_the_portal_does_not_wait(db_path, tmp_path):
    _catalogue(db_path, tmp_path)
    with Holder(db_path, 5.0) as holder:
        t = time.monotonic()
        with pytest.raises(CatalogueBusyError) as err:  # it serves its previous snapshot instead
            db.connect_readonly(db_path, wait=False)
        assert time.monotonic() - t < 1.0
    assert f"another process (PID {holder.pid}) is writing to it" in str(err.value)
    assert "after waiting" not in str(err.value)


def test_a_writer_held_off_by_a_reader_is_not_told_a_writer_holds_it(db_path, tmp_path, monkeypatch):
    _catalogue(db_path, tmp_path)
    monkeypatch.setenv("CURATE_LOCK_WAIT", "0.3")
    with Holder(db_path, 5.0, mode="read") as holder:  # `curate pii scan` holds a read-only handle for its run
        with pytest.raises(CatalogueBusyError) as err:
            db.connect(db_path)
    message = str(err.value)
    assert f"another process (PID {holder.pid}) has it open, writing or reading" in message
    assert "after waiting 0.3 s" in message and "CURATE_LOCK_WAIT" in message
    assert "is another curate process writing" not in message and "-readonly" not in message  # not DuckDB's advice


def _holding_at_finalize(monkeypatch, db_path: Path, seconds: float) -> list[Holder]:
    """A second process takes the catalogue just as dedup's finalize attaches it (review 7, finding 2)."""
    from curate.dedup import store

    held: list[Holder] = []
    load = store.DiskRows._load

    def grabbed(self, files, catalogue):
        held.append(Holder(db_path, seconds))
        return load(self, files, catalogue)

    monkeypatch.setattr(store.DiskRows, "_load", grabbed)
    return held


def test_dedup_finalize_waits_for_another_writer(db_path, tmp_path, monkeypatch):
    _catalogue(db_path, tmp_path)
    held = _holding_at_finalize(monkeypatch, db_path, 1.0)
    report = run_stage(db_path, DedupStage(), workers=1)
    held[0].wait()
    assert report.status == "finished" and report.counts["status_changes"] == 1


def test_dedup_finalize_busy_past_the_wait_is_a_one_line_busy_error_not_a_bug(db_path, tmp_path, monkeypatch):
    from provenance.errors import WorkbenchError

    _catalogue(db_path, tmp_path)
    monkeypatch.setenv("CURATE_LOCK_WAIT", "0.3")
    held = _holding_at_finalize(monkeypatch, db_path, 3.0)
    with pytest.raises(WorkbenchError) as err:
        run_stage(db_path, DedupStage(), workers=1)
    held[0].wait()
    assert "cannot open catalogue" in str(err.value) and "a bug" not in str(err.value)
    monkeypatch.setenv("CURATE_LOCK_WAIT", "10")
    assert run_stage(db_path, DedupStage(), workers=1).status == "finished"  # the same command again goes on


def test_a_finished_run_whose_summary_finds_the_catalogue_busy_exits_0(cli, db_path, tmp_path, monkeypatch):
    import curate.runner

    _catalogue(db_path, tmp_path)
    monkeypatch.setenv("CURATE_LOCK_WAIT", "0.3")
    held: list[Holder] = []
    run = curate.runner.run_stage

    def then_grabbed(*args, **kwargs):  # another writer takes the catalogue between the load and the summary
        report = run(*args, **kwargs)
        held.append(Holder(db_path, 3.0))
        return report

    monkeypatch.setattr(curate.runner, "run_stage", then_grabbed)
    code, out, err = cli("run", "hygiene")
    held[0].wait()
    assert code == 0, out + err
    run_id = out.split()[1].rstrip(":")
    assert "stage hygiene: 3 records in" in out and f"`curate runs show {run_id}` shows it later" in out
    code, out, _ = cli("runs", "show", run_id)
    assert code == 0 and "finished" in out


@pytest.mark.parametrize("args", [("init",), ("status",), ("run", "hygiene"), ("audit", "verify")])
def test_a_file_that_is_not_duckdb_is_one_line_not_a_traceback(tmp_path, cli, args):
    """The lock wait passed DuckDB's other IO errors on as tracebacks (review of the fixes, conc 3)."""
    path = tmp_path / "notes.duckdb"
    path.write_text("hello, not a database\n" * 200, encoding="utf-8")
    code, out, err = cli(*args, db=path)
    assert code in (1, 2) and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "not a valid DuckDB database file" in err and "--db names a curate catalogue" in err, err
    assert path.read_text(encoding="utf-8").startswith("hello, not a database")


def test_audit_verify_held_off_by_a_writer_exits_75_not_1(cli, db_path, tmp_path, monkeypatch):
    """`audit verify` exits 1 when it finds the catalogue broken: one that could not open it because a steward's run
    held it exited 1 too, and a nightly check raised the tamper alarm (review 12). Busy is 75, try again."""
    _catalogue(db_path, tmp_path)
    monkeypatch.setenv("CURATE_LOCK_WAIT", "0.3")
    with Holder(db_path, 5.0) as holder:
        code, out, err = cli("audit", "verify")
    assert code == 75 and out == "", out + err
    assert f"PID {holder.pid}" in err and len(err.strip().splitlines()) == 1, err
    assert cli("audit", "verify")[0] == 0  # let go: it verifies
