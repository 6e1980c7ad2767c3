"""`curate run dedup` killed with SIGKILL in finalize (scratch files on disk), after it, inside a load
batch or in the last transaction (index update, survivor marks), then rerun, ends with the same
catalogue as an uninterrupted run."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import sys
from pathlib import Path

import duckdb
import pytest
from killed import run_killed

from curate.ingest import ingest
from curate.runner import make_stage, run_stage
from provenance import ledger
from sources.law_moj import LawMojSource

ROOT = Path(__file__).resolve().parents[2]


def _state(path: Path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        q = {
            "records": "SELECT record_id, status, near_duplicate_of FROM records",
            "events": "SELECT record_id, action, CAST(detail AS VARCHAR) FROM provenance_events WHERE stage = 'dedup'",
            "marks": "SELECT record_id, outcome FROM stage_marks WHERE stage = 'dedup'",
            "index": "SELECT record_id, exact_key, n_shingles, signature, buckets, strict_key FROM dedup_signatures",
            "near": "SELECT record_id, representative, jaccard, match FROM near_duplicates",
        }
        out = {k: sorted(con.execute(sql).fetchall()) for k, sql in q.items()}
        assert ledger.verify(con).ok
    finally:
        con.close()
    return out


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("gen_law_dump", ROOT / "bench" / "gen_law_dump.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    path = tmp_path_factory.mktemp("dump") / "ChLaw.json"
    gen.write_dump(path, 400)
    return path


@pytest.mark.parametrize("fault", ["dedup_clustered", "before_load", "mid_batch_1", "during_load"])
def test_dedup_kill9_then_rerun_matches_uninterrupted(tmp_path: Path, dump: Path, fault: str, monkeypatch) -> None:
    monkeypatch.setenv("CURATE_LOAD_BATCH", "5")  # several load batches
    clean, crashed = tmp_path / "clean.duckdb", tmp_path / "crashed.duckdb"
    ingest(clean, LawMojSource([dump], scope="all"))
    shutil.copy(clean, crashed)
    expected = run_stage(clean, make_stage("dedup"), workers=1, tasks=2)
    env = {**os.environ, "CURATE_FAULT": fault, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "curate.cli", "--db", str(crashed), "run", "dedup", "--workers", "1", "--tasks", "2"]
    rc = run_killed(cmd, env, tmp_path / "out.log")
    assert rc == -signal.SIGKILL, (tmp_path / "out.log").read_text()
    rep = run_stage(crashed, make_stage("dedup"), workers=1, tasks=2)
    assert rep.resumed and rep.counts == expected.counts
    state = _state(crashed)
    assert state == _state(clean)
    # copies were found (law.moj copies across laws stay active as near duplicates: per-document policy)
    assert len(state["near"]) + sum(1 for _, s, _ in state["records"] if s == "duplicate") > 5
    assert len(state["marks"]) == len(state["records"])  # every record marked, survivors included
