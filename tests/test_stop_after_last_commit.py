"""A stop (Ctrl-C, SIGTERM from ``timeout`` or ``scancel``) that lands after a run's last commit, in which the run was
finished and sealed (``run_finished``), must not end it a second time as ``failed``: before review 18 (crash) the
runner's failure path marked the finished run failed and sealed that, so ``runs list`` called finished work failed,
and the next run of the stage took it for a run to resume and loaded its results again. Ending a run is the
kernel's rule (:func:`provenance.runs.finish_run`): a run that ended ``finished`` or ``abandoned`` is not ended again.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from catalogue_query import query as _q
from killed import run_killed

from curate import runner
from curate.ingest import ingest
from curate.runner import make_stage, run_stage
from provenance import db, runs
from sources.law_moj import LawMojSource

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def law_db(tmp_path: Path, law_fixtures: Path) -> Path:
    path = tmp_path / "cat.duckdb"
    ingest(path, LawMojSource([law_fixtures / "chlaw_json/ch"]))
    return path


def _seals(path: Path, run_id: str) -> list[tuple]:
    return _q(
        path,
        "SELECT json_extract_string(detail, '$.status') FROM provenance_events"
        " WHERE action = 'run_finished' AND run_id = ? ORDER BY seq",
        [run_id],
    )


def test_a_stop_just_after_the_load_commit_leaves_the_run_finished(law_db: Path, monkeypatch, cli) -> None:
    loaded = runner.load_results

    def committed_then_stopped(*args, **kwargs):
        loaded(*args, **kwargs)  # the last transaction committed: the run finished and sealed
        raise KeyboardInterrupt  # the stop lands before the runner returns

    monkeypatch.setattr(runner, "load_results", committed_then_stopped)
    with pytest.raises(KeyboardInterrupt):
        run_stage(law_db, make_stage("hygiene"), workers=1)
    monkeypatch.setattr(runner, "load_results", loaded)
    ((run_id, status),) = _q(law_db, "SELECT run_id, status FROM runs WHERE command = 'run hygiene'")
    assert status == "finished"
    assert _seals(law_db, run_id) == [("finished",)]
    again = run_stage(law_db, make_stage("hygiene"), workers=1)
    assert not again.resumed and again.run_id != run_id
    assert cli("audit", "verify", db=law_db)[0] == 0


@pytest.mark.parametrize("ended", ["finished", "abandoned"])
def test_a_run_that_ended_is_not_ended_again(law_db: Path, ended: str) -> None:
    con = db.connect(law_db)
    try:
        run_id = runs.start_run(con, "run hygiene", "cfg", {})
        runs.finish_run(con, run_id, ended, {"n": 1})
        before = con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id]).fetchall()
        runs.finish_run(con, run_id, "failed", {"resumable": True, "error": "interrupted"})
        assert con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id]).fetchall() == before
        assert runs.find_unfinished(con, "run hygiene", "cfg") is None
    finally:
        con.close()
    assert _seals(law_db, run_id) == [(ended,)]


def test_a_failed_run_still_ends_again_when_resumed(law_db: Path) -> None:
    con = db.connect(law_db)
    try:
        run_id = runs.start_run(con, "run hygiene", "cfg", {})
        runs.finish_run(con, run_id, "failed", {"resumable": True})
        runs.finish_run(con, run_id, "finished", {"n": 1})
        assert con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchall() == [("finished",)]
    finally:
        con.close()
    assert _seals(law_db, run_id) == [("failed",), ("finished",)]


def test_a_sigterm_just_after_the_load_commit_in_a_real_process(law_db: Path, tmp_path: Path, cli) -> None:
    """As ``timeout`` or ``scancel`` stop it: a real ``curate run``, SIGTERM at ``after_load``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CURATE_FAULT": "after_load@TERM"}
    argv = [sys.executable, "-m", "curate.cli", "--db", str(law_db), "-q", "run", "hygiene", "--workers", "1"]
    rc = run_killed(argv, env, tmp_path / "log.txt")
    assert rc == 128 + signal.SIGTERM, (tmp_path / "log.txt").read_text()
    ((run_id, status),) = _q(law_db, "SELECT run_id, status FROM runs WHERE command = 'run hygiene'")
    assert status == "finished" and _seals(law_db, run_id) == [("finished",)]
    code, _, err = cli("-q", "run", "hygiene", "--workers", "1", db=law_db)
    assert code == 0, err
    assert _q(law_db, "SELECT count(*) FROM runs WHERE command = 'run hygiene' AND status = 'finished'") == [(2,)]
    assert cli("audit", "verify", db=law_db)[0] == 0
