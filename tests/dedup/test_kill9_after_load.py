"""An incremental `curate run dedup` killed with SIGKILL inside its after-load step (the index half updated, in the
run's last transaction), then run again, ends with the catalogue of an uninterrupted run: statuses, decisions, marks,
near-duplicate links and the index with its strict keys (review 15: the kill tests covered a first run only)."""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

from killed import run_killed

from curate.runner import run_stage
from curate.stages.dedup import DedupStage

from .records import add_records
from .test_kill9 import _state
from .test_strict_key_index import _batch, _to_schema_115

ROOT = Path(__file__).resolve().parents[2]
LAW = "第{}條　銀行辦理授信業務應訂定授信政策並經董事會通過後實施，對於同一人或同一關係人之授信應符合主管機關所定限額。"


def _rows(i: int) -> list[tuple[str, str, str]]:
    """The letter copies of a batch, a statute quoted by a textbook, and a text of its own."""
    law = [("law_moj", f"art{i}", LAW.format(i)), ("textbooks:978-1", f"tb{i}", LAW.format(i) + "（引自銀行法）")]
    return _batch(i) + law + [("moda", f"own{i}", f"本批次第{i}份獨立文件，內容與其他文件無關，編號{i * 7919}。")]


def test_incremental_dedup_killed_in_after_load_then_rerun_matches_uninterrupted(tmp_path):
    clean, crashed = tmp_path / "clean.duckdb", tmp_path / "crashed.duckdb"
    add_records(clean, _rows(0), run_id="ingest-0")
    assert run_stage(clean, DedupStage(), workers=1).status == "finished"
    _to_schema_115(clean)  # earlier records without strict keys: the killed step stores theirs too
    add_records(clean, _rows(1), run_id="ingest-1")
    shutil.copy(clean, crashed)
    assert run_stage(clean, DedupStage(), workers=1).status == "finished"
    env = {**os.environ, "CURATE_FAULT": "dedup_after_load", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "curate.cli", "--db", str(crashed), "run", "dedup", "--workers", "1"]
    rc = run_killed(cmd, env, tmp_path / "out.log")
    assert rc == -signal.SIGKILL, (tmp_path / "out.log").read_text()
    rep = run_stage(crashed, DedupStage(), workers=1)
    assert rep.resumed and rep.status == "finished"
    got, want = _state(crashed), _state(clean)
    assert got == want
    assert sum(1 for _, s, _ in want["records"] if s == "duplicate") >= 5
