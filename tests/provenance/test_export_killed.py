"""An export killed (kill -9, SIGTERM) at any point: ``--out`` never shows an export the catalogue did not record,
an earlier export it was replacing is never hidden, a recorded export is never removed, and the next export into
``--out`` settles what was left.

The export once wrote straight into ``--out`` (killed, a folder that looked finished but was never recorded) and
``--overwrite`` first renamed the earlier export to a hidden ``.NAME.previous-PID`` (killed, the catalogue pointed
at a half-written other export); review 5, export #2 and #3. Then a SIGTERM after the ledger commit removed the
recorded export and marked its run failed (review 5 of the fixes, #2 and #5). Each case kills a real ``curate``.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import duckdb
import pytest
from killed import run_killed

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ("export", "dataset", "--purpose", "training", "--audience", "public", "--non-commercial")
EVALUATION = ("export", "dataset", "--purpose", "evaluation", "--audience", "public", "--non-commercial")


def _tree(out: Path) -> dict[str, bytes]:
    """The files of ``out`` a user sees (curate's own hidden staging folders left out)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.relative_to(out).as_posix().startswith(".curate-")
    }


def _curate(db: Path, tmp: Path, *args: str, fault: str = "") -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CURATE_FAULT": fault}
    log = tmp / "log.txt"
    rc = run_killed([sys.executable, "-m", "curate.cli", "--db", str(db), *args], env, log)
    return rc, log.read_text(encoding="utf-8")


def _exports(db: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT export_id, out_dir FROM exports ORDER BY export_seq").fetchall()
    finally:
        con.close()


def _statuses(db: Path) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT status FROM runs WHERE command = 'export dataset'").fetchall()]
    finally:
        con.close()


def _settled(cli, tmp_path: Path, out: Path) -> None:
    """Nothing left in or beside --out, and --out is the export the catalogue recorded there last."""
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(f".{out.name}.")] == []
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    code, stdout, err = cli("audit", "verify-export", str(out))
    assert code == 0, stdout + err


@pytest.mark.parametrize("overwrite", [False, True])
def test_killed_before_it_was_recorded_leaves_out_as_it_was(mixed, cli, db_path, tmp_path, overwrite):
    out = tmp_path / "a"
    if overwrite:
        assert cli("--quiet", *TRAINING, "--out", str(out))[0] == 0
    before = _tree(out) if overwrite else {}
    n_before = len(_exports(db_path))
    extra = ("--overwrite",) if overwrite else ()
    rc, log = _curate(db_path, tmp_path, *EVALUATION, "--out", str(out), *extra, fault="export_written")
    assert rc == -signal.SIGKILL, log
    assert _tree(out) == before
    assert len(_exports(db_path)) == n_before  # nothing recorded, and nothing in --out says otherwise
    assert len(list(out.glob(".curate-staging-*"))) == 1 and [p.name for p in tmp_path.iterdir()] != []
    assert not list(tmp_path.glob(".a.*"))  # nothing written beside --out (a mount point's parent, review #1)
    rc, log = _curate(db_path, tmp_path, *EVALUATION, "--out", str(out), *extra)
    assert rc == 0 and "killed before it was recorded (run" in log and "removed" in log, log
    _settled(cli, tmp_path, out)


@pytest.mark.parametrize("fault", ["export_committed", "export_recorded", "export_moved_aside"])
def test_killed_after_it_was_recorded_is_put_in_place_by_the_next_export(mixed, cli, db_path, tmp_path, fault):
    out = tmp_path / "a"
    assert cli("--quiet", *TRAINING, "--out", str(out))[0] == 0
    rc, log = _curate(db_path, tmp_path, *EVALUATION, "--out", str(out), "--overwrite", fault=fault)
    assert rc == -signal.SIGKILL, log
    (first, _), (second, where) = _exports(db_path)
    assert where == str(out.resolve()) and second != first
    # the next export into --out finishes the interrupted one, then replaces it as asked
    rc, log = _curate(db_path, tmp_path, *TRAINING, "--out", str(out), "--overwrite")
    assert rc == 0 and f"export {second}, killed after it was recorded, is now in place" in log, log
    _settled(cli, tmp_path, out)
    assert _exports(db_path)[-1][0] == first
    assert _statuses(db_path) == ["finished"] * 3  # its run too, not marked failed as "interrupted"


@pytest.mark.parametrize("how", ["TERM", "TERMLOST"])
def test_sigterm_before_it_was_recorded_is_a_clean_interrupt(mixed, cli, db_path, tmp_path, how):
    """``TERMLOST``: a SIGTERM whose exception DuckDB swallowed while the files were written was ignored, the export
    recorded and exit 0 (review 13, crash): now it is not recorded, as any SIGTERM then."""
    out = tmp_path / "a"
    assert cli("--quiet", *TRAINING, "--out", str(out))[0] == 0
    before = _tree(out)
    rc, log = _curate(db_path, tmp_path, *EVALUATION, "--out", str(out), "--overwrite", fault=f"export_written@{how}")
    assert rc == 128 + signal.SIGTERM and "terminated" in log and "Traceback" not in log, log
    assert _tree(out) == before and not list(tmp_path.glob(".a.*")) and len(_exports(db_path)) == 1
    assert _statuses(db_path) == ["finished", "failed"]
    _settled(cli, tmp_path, out)


@pytest.mark.parametrize("fault", ["export_committed", "export_recorded", "export_moved_aside"])
def test_sigterm_after_it_was_recorded_puts_it_in_place(mixed, cli, db_path, tmp_path, fault):
    """SIGTERM once the ledger committed: the recorded export was removed (or left hidden) and its run marked
    failed, so the ledger named an export that existed nowhere (review of the fixes #2, #5). Now the promotion is
    finished and the run too; the signal still ends the process."""
    out = tmp_path / "a"
    assert cli("--quiet", *TRAINING, "--out", str(out))[0] == 0
    rc, log = _curate(db_path, tmp_path, *EVALUATION, "--out", str(out), "--overwrite", fault=f"{fault}@TERM")
    assert rc == 128 + signal.SIGTERM and "terminated" in log and "Traceback" not in log, log
    (_, _), (second, _) = _exports(db_path)
    assert _statuses(db_path) == ["finished", "finished"]
    _settled(cli, tmp_path, out)
    assert second in (out / "README.md").read_text("utf-8")


def test_an_earlier_export_hidden_by_an_older_version_is_put_back(mixed, cli, db_path, tmp_path):
    """What the --overwrite of older versions left when killed: the recorded export in `.a.previous-PID` beside
    --out, a half-written other one in --out. That one is named, not removed by its file names (review of the fixes
    #7); emptied, the recorded export is put back. A moved-aside folder that is no export of this catalogue is
    named, not touched."""
    out = tmp_path / "a"
    assert cli("--quiet", *TRAINING, "--out", str(out))[0] == 0
    before = _tree(out)
    aside = tmp_path / ".a.previous-999999999"
    out.rename(aside)
    (out / "data").mkdir(parents=True)
    (out / "manifest.jsonl").write_text('{"record_id": "x"}\n')
    (out / "data" / "train-00000.parquet").write_bytes(b"half")
    code, _, err = cli("--quiet", *TRAINING, "--out", str(out))
    assert code == 2 and "holds files no recorded export wrote" in err, err
    assert (out / "data" / "train-00000.parquet").read_bytes() == b"half" and aside.is_dir()
    (out / "manifest.jsonl").unlink()
    (out / "data" / "train-00000.parquet").unlink()
    code, _, err = cli("--quiet", *TRAINING, "--out", str(out))
    assert code == 2 and "not empty" in err, err  # put back first: the recorded export is what --out holds
    assert _tree(out) == before and not aside.exists()
    _settled(cli, tmp_path, out)
    (tmp_path / ".a.previous-999999998").mkdir()
    (tmp_path / ".a.previous-999999998" / "notes.md").write_text("mine")
    code, _, err = cli("--quiet", *TRAINING, "--out", str(out), "--overwrite")
    assert code == 2 and ".a.previous-999999998" in err and "holds no unchanged export" in err, err
    assert (tmp_path / ".a.previous-999999998" / "notes.md").read_text() == "mine"
