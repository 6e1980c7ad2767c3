"""A run killed after its last commit, before its work files were deleted (review 14, crash): the run is finished
(or abandoned), so nothing resumed it, `curate runs abandon` refused it ("only running or failed runs can be
abandoned"), and its snapshot, the records' text before the PII stage, stayed on disk for good. The next stage run
deletes them first. Real processes, killed with SIGKILL at the fault point ``work_removal``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from catalogue_query import query as _q
from killed import run_killed

from curate.ingest import ingest
from curate.workfiles import work_root
from sources.law_moj import LawMojSource

ROOT = Path(__file__).resolve().parents[1]


def _killed_at_work_removal(db: Path, tmp_path: Path, *args: str) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CURATE_FAULT": "work_removal"}
    return run_killed([sys.executable, "-m", "curate.cli", "--db", str(db), "-q", *args], env, tmp_path / "log.txt")


def _work_files(run_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(run_dir)) for p in run_dir.rglob("*") if p.is_file() and "snapshot" in p.parts)


def test_a_run_killed_after_its_load_leaves_no_snapshot_after_the_next_run(tmp_path, law_fixtures, cli):
    db = tmp_path / "cat.duckdb"
    ingest(db, LawMojSource([law_fixtures / "chlaw_json/ch"]))
    assert _killed_at_work_removal(db, tmp_path, "run", "hygiene", "--workers", "1") == -9
    ((run_id, status),) = _q(db, "SELECT run_id, status FROM runs WHERE command = 'run hygiene'")
    run_dir = work_root(db) / "runs" / run_id
    assert status == "finished" and _work_files(run_dir)  # the load committed, the snapshot is still there
    code, _, err = cli("runs", "abandon", run_id, db=db)
    assert code == 2 and "is finished" in err  # no command of its own removes it
    code, _, err = cli("-q", "run", "normalise", "--workers", "1", db=db)  # any stage run
    assert code == 0, err
    assert _work_files(run_dir) == [] and not (run_dir / "results").exists()
    assert (run_dir / "logs" / "executor.json").exists()  # the executor's statistics stay, as after any load
    assert cli("audit", "verify", db=db)[0] == 0


def test_an_abandon_killed_after_its_commit_leaves_nothing_after_the_next_run(tmp_path, law_fixtures, cli):
    db = tmp_path / "cat.duckdb"
    ingest(db, LawMojSource([law_fixtures / "chlaw_json/ch"]))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CURATE_FAULT": "before_load"}
    argv = [sys.executable, "-m", "curate.cli", "--db", str(db), "-q", "run", "hygiene", "--workers", "1"]
    assert run_killed(argv, env, tmp_path / "log0.txt") == -9
    ((run_id,),) = _q(db, "SELECT run_id FROM runs WHERE command = 'run hygiene'")
    assert _killed_at_work_removal(db, tmp_path, "runs", "abandon", run_id) == -9
    assert _q(db, "SELECT status FROM runs WHERE run_id = ?", [run_id]) == [("abandoned",)]
    run_dir = work_root(db) / "runs" / run_id
    assert _work_files(run_dir)
    code, _, err = cli("-q", "run", "hygiene", "--workers", "1", db=db)
    assert code == 0, err
    assert not run_dir.exists()
    assert cli("audit", "verify", db=db)[0] == 0
