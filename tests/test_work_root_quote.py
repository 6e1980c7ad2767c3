"""A catalogue in a folder whose name holds a single quote (`O'Brien/`, `bank's data/`) (review 15, crash).

Every stage run failed there, "ParserException, a bug in the workbench": the snapshot's COPY named its shard file in
an SQL literal without doubling the quote. Each stage now runs, and a killed run resumes there too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from catalogue_query import query as _q

from curate.ingest import ingest
from curate.runner import make_stage, run_stage
from sources.law_moj import LawMojSource


def test_a_stage_runs_on_a_catalogue_under_a_quote(tmp_path: Path, law_fixtures: Path) -> None:
    db = tmp_path / 'O\'Brien "x" 資料' / "cat.duckdb"
    db.parent.mkdir()
    ingest(db, LawMojSource([law_fixtures / "chlaw_json/ch"]))
    report = run_stage(db, make_stage("hygiene"), workers=1, tasks=1)
    n = _q(db, "SELECT count(*) FROM records WHERE status = 'active'")[0][0]
    assert n > 0 and report.inputs == n
    assert _q(db, "SELECT status FROM runs WHERE command = 'run hygiene'") == [("finished",)]


def test_a_killed_run_there_resumes(tmp_path: Path, law_fixtures: Path) -> None:
    db = tmp_path / "bank's data" / "cat.duckdb"
    db.parent.mkdir()
    ingest(db, LawMojSource([law_fixtures / "chlaw_json/ch"]))
    cmd = [sys.executable, "-m", "curate.cli", "--db", str(db), "-q", "run", "dedup"]
    env = {**os.environ, "CURATE_FAULT": "before_load"}
    assert subprocess.run(cmd, env=env, capture_output=True, text=True).returncode == -9
    env.pop("CURATE_FAULT")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert done.returncode in (0, 3), done.stderr
    assert _q(db, "SELECT status FROM runs WHERE command = 'run dedup'") == [("finished",)]
