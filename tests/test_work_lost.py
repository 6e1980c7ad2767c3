"""A run's work folder changed while the run was away (review round 3, conc 5).

Deleting `.curate/` (or a results file) during or after a run used to let it "finish" having checked nothing,
or load half of its results. Now the missing work is computed again: the resumed run ends with the catalogue
an uninterrupted run gives, also when part of its load had already committed.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

import duckdb
import pytest
from catalogue_query import ledger_events
from catalogue_query import query as _q
from killed import run_killed

from curate.ingest import ingest
from curate.runner import make_stage, run_stage
from provenance import audit
from provenance.crosscheck import crosscheck
from sources.law_moj import LawMojSource

ROOT = Path(__file__).resolve().parents[1]


def _state(path: Path):
    recs = _q(path, "SELECT record_id, doc_key, version_of, status, text, stage FROM records ORDER BY record_id")
    # the run bookkeeping (stage `run`: each run's run_finished seal, its own run id and times) is not the catalogue,
    # nor a version's row seal (it covers the version's created_at): ledger_events leaves both aside
    events = ledger_events(path)
    marks = _q(path, "SELECT record_id, stage, config_hash FROM stage_marks ORDER BY ALL")
    return recs, events, marks


def _killed(db: Path, fault: str, tmp: Path) -> None:
    env = {**os.environ, "CURATE_FAULT": fault, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "curate.cli", "--db", str(db), "run", "hygiene", "--workers", "1", "--tasks", "4"]
    assert run_killed(cmd, env, tmp / "out.log") == -signal.SIGKILL


def _two_catalogues(tmp_path: Path, law_fixtures: Path) -> tuple[Path, Path]:
    """The same law articles in two catalogues: one for the uninterrupted run, one whose work files are cut."""
    clean, cut = tmp_path / "clean" / "c.duckdb", tmp_path / "cut" / "c.duckdb"
    for p in (clean, cut):
        p.parent.mkdir()
        ingest(p, LawMojSource([law_fixtures / "chlaw_json/ch"]))
    return clean, cut


def _run_dir(db: Path) -> Path:
    (run,) = (db.parent / ".curate" / db.name / "runs").iterdir()
    return run


@pytest.mark.parametrize(
    "fault, lose",
    [
        ("before_load", "snapshot"),  # snapshot gone: written again
        ("before_load", "results/00001.parquet"),  # one rank's results gone: that rank runs again
        ("before_load", "."),  # the whole work folder gone
        ("after_batch_1", "."),  # gone after two batches committed: the rest loads from a new snapshot
        ("after_batch_1", "results/00002.parquet"),
    ],
)
def test_lost_work_files_are_computed_again(tmp_path, law_fixtures, fault, lose, monkeypatch):
    monkeypatch.setenv("CURATE_LOAD_BATCH", "7")
    src = [law_fixtures / "chlaw_json/ch"]
    clean, crashed = tmp_path / "clean" / "c.duckdb", tmp_path / "crashed" / "c.duckdb"
    for p in (clean, crashed):
        p.parent.mkdir()
        ingest(p, LawMojSource(src))
    expected = run_stage(clean, make_stage("hygiene"), workers=1, tasks=4)
    assert expected.counts["results"] > 21 and expected.counts["new_versions"] > 0
    _killed(crashed, fault, tmp_path)
    target = _run_dir(crashed) / lose
    assert target.exists()
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    rep = run_stage(crashed, make_stage("hygiene"), workers=1, tasks=4)
    assert rep.resumed and rep.status == "finished"
    assert _state(crashed) == _state(clean)
    assert rep.counts["new_versions"] == expected.counts["new_versions"]
    con = duckdb.connect(str(crashed), read_only=True)
    try:
        assert audit.verify(con).ok and crosscheck(con).ok
    finally:
        con.close()


def test_a_rank_never_reads_a_cut_snapshot_as_less_input(tmp_path, law_fixtures):
    clean, db = _two_catalogues(tmp_path, law_fixtures)
    run_stage(clean, make_stage("hygiene"), workers=1, tasks=4)
    _killed(db, "after_rank_0", tmp_path)  # rank 0 done, the others not
    shard = sorted((_run_dir(db) / "snapshot").glob("*/*.parquet"))[-1]
    shard.unlink()  # a shard another rank was to read
    rep = run_stage(db, make_stage("hygiene"), workers=1, tasks=4)
    assert rep.status == "finished" and rep.resumed
    assert _state(db) == _state(clean)


def _killed_dedup(db: Path, fault: str, tmp: Path, tasks: int) -> None:
    env = {**os.environ, "CURATE_FAULT": fault, "PYTHONPATH": str(ROOT), "CURATE_LOAD_BATCH": "5"}
    cmd = [sys.executable, "-m", "curate.cli", "--db", str(db), "run", "dedup", "--workers", "1", "--tasks", str(tasks)]
    assert run_killed(cmd, env, tmp / "dedup.log") == -signal.SIGKILL


def test_dedup_with_fewer_shards_after_a_lost_snapshot_reads_no_old_signatures(tmp_path, law_fixtures):
    """The rewritten snapshot has fewer shards; the old ranks' signature files must not join the clustering (they
    made records duplicates of themselves: review round 3, conc2 1)."""
    clean, db = _two_catalogues(tmp_path, law_fixtures)
    run_stage(clean, make_stage("dedup"), workers=1, tasks=1)
    _killed_dedup(db, "before_load", tmp_path, tasks=4)
    shutil.rmtree(_run_dir(db) / "snapshot")
    rep = run_stage(db, make_stage("dedup"), workers=1, tasks=1)
    assert rep.resumed and rep.status == "finished"
    assert _q(db, "SELECT count(*) FROM records WHERE status = 'duplicate'") == _q(
        clean, "SELECT count(*) FROM records WHERE status = 'duplicate'"
    )
    assert _state(db)[0] == _state(clean)[0]


def test_dedup_refuses_to_finish_from_a_new_snapshot_after_committed_batches(tmp_path, law_fixtures):
    """Its end adds the run's survivors to the index: from a new snapshot of what is left it would miss those of the
    committed batches (review round 3, conc2 5). The error says what to do; nothing more is loaded."""
    from provenance.errors import StageError

    db = tmp_path / "c.duckdb"
    ingest(db, LawMojSource([law_fixtures / "chlaw_json/ch"]))
    _killed_dedup(db, "after_batch_0", tmp_path, tasks=2)
    before = _q(db, "SELECT count(*) FROM run_load_batches")
    assert before[0][0] >= 1
    shutil.rmtree(_run_dir(db) / "snapshot")
    with pytest.raises(StageError, match="cannot finish a run from a new snapshot"):
        run_stage(db, make_stage("dedup"), workers=1, tasks=2)
    assert _q(db, "SELECT count(*) FROM run_load_batches") == before


def test_dedup_side_files_lost_before_the_load_are_computed_again(tmp_path, law_fixtures):
    """Only dedup's own folder (signatures, index update) lost, the snapshot and results kept: the resumed run used to
    finish with nothing added to the index (review round 3b). Its tasks run again; the index is the clean run's."""
    clean, db = _two_catalogues(tmp_path, law_fixtures)
    run_stage(clean, make_stage("dedup"), workers=1, tasks=2)
    _killed_dedup(db, "before_load", tmp_path, tasks=2)
    shutil.rmtree(_run_dir(db) / "dedup")
    rep = run_stage(db, make_stage("dedup"), workers=1, tasks=2)
    assert rep.resumed and rep.status == "finished"
    index = "SELECT record_id FROM dedup_signatures ORDER BY 1"
    assert _q(db, index) == _q(clean, index) and len(_q(db, index)) > 0
    assert _state(db)[0] == _state(clean)[0]
