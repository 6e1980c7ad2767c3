"""The first dedup run under a new exact-key version keys every stale index row again and stores the keys in its
load (review 16, ``index_exact.parquet``). Killed with SIGKILL at each point of that run (scratch files written,
before the load, inside the load's last transaction), then run again, it ends with the catalogue of an uninterrupted
run: statuses, decisions, marks, links, every exact key under the current version, and a ledger that verifies."""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

import pytest
from killed import run_killed

from curate.dedup.keys import exact_key_version
from curate.runner import run_stage
from curate.stages.dedup import DedupStage

from .test_exact_key_version import FIRST, LONE, SECOND, _index_keys, _rewrite_keys, add_records
from .test_kill9 import _state

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("fault", ["dedup_clustered", "before_load", "dedup_after_load"])
def test_a_rekeying_run_killed_then_rerun_matches_uninterrupted(tmp_path: Path, fault: str) -> None:
    clean, crashed = tmp_path / "clean.duckdb", tmp_path / "crashed.duckdb"
    add_records(clean, [*FIRST, LONE], run_id="ingest-0")
    assert run_stage(clean, DedupStage(), workers=1).status == "finished"
    stale = "0" * 8 if exact_key_version() != "0" * 8 else "1" * 8
    _rewrite_keys(clean, f"'{stale}:' || right(exact_key, 32)")
    add_records(clean, SECOND, run_id="ingest-1")
    shutil.copy(clean, crashed)
    assert run_stage(clean, DedupStage(), workers=1).status == "finished"
    env = {**os.environ, "CURATE_FAULT": fault, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "curate.cli", "--db", str(crashed), "run", "dedup", "--workers", "1"]
    rc = run_killed(cmd, env, tmp_path / "out.log")
    assert rc == -signal.SIGKILL, (tmp_path / "out.log").read_text()
    rep = run_stage(crashed, DedupStage(), workers=1)
    assert rep.resumed and rep.status == "finished"
    assert _state(crashed) == _state(clean)
    assert all(k.startswith(exact_key_version() + ":") for k in _index_keys(crashed))
    again = run_stage(crashed, DedupStage(), workers=1)  # nothing new: no rows, no keys rewritten
    assert again.status == "finished"
    assert _state(crashed) == _state(clean)
