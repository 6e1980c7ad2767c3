"""A killed ``annotate push`` (kill -9: its run row left ``running``) is ended as failed by the next pull as well as
by the next push (review of the fixes 16: only the next push did, so after a killed push a bank that only pulled saw
a push running for good in ``runs list`` and ``status``). Both commands hold the catalogue's write connection from
before their run starts to its end, so neither's row can belong to a live process then; other commands' runs (a
stage run, whose workers run without the catalogue open) are left alone."""

from __future__ import annotations

from annotation.projects import finish_run, start_run
from provenance import runs
from provenance.db import connect


def _status(con, run_id: str) -> str:
    return con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchone()[0]


def test_the_next_pull_ends_a_killed_push_and_leaves_other_runs(db_path):
    con = connect(db_path)
    try:
        killed_push = runs.start_run(con, "annotate push", "x", {"bank": "B1", "project": "topic"})
        killed_pull = runs.start_run(con, "annotate pull", "x", {"bank": "B2"})
        stage = runs.start_run(con, "run dedup", "x", {})  # resumable, its process may be alive: not ours to end
        pull = start_run(con, "annotate pull", {"bank": "B1", "projects": ["topic"]})
        assert _status(con, killed_push) == _status(con, killed_pull) == "failed"
        assert _status(con, stage) == _status(con, pull) == "running"
        finish_run(con, pull)
        killed_pull = runs.start_run(con, "annotate pull", "x", {"bank": "B1"})
        push = start_run(con, "annotate push", {"bank": "B1", "project": "topic"})
        assert _status(con, killed_pull) == "failed" and _status(con, push) == "running"
        assert _status(con, stage) == "running"
    finally:
        con.close()
