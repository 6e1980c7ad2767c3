"""An ingest checkpoints by ``CURATE_CHECKPOINT_THRESHOLD`` (default 256 MB of WAL), not at DuckDB's 16 MB: with
the default, a directory of files was checkpointed at every other file's commit, each checkpoint rewriting the
records' last row groups (16 files of 25k articles: 7.9 of 18.8 s in commits, a file 1.85x the size).

Observed from outside: the ingest is killed (SIGKILL) right after its second file's commit, and the WAL left
behind holds both files' records unless the threshold made DuckDB checkpoint them into the catalogue file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT.parent / "shared" / "fixtures" / "law_moj"
if not FIX.exists():
    FIX = Path("/work/shared/fixtures/law_moj")


def _killed_after_second_file(tmp_path: Path, threshold: str) -> tuple[int, int]:
    """(WAL bytes, records) after an ingest of two law files killed after the second file's commit."""
    src = tmp_path / f"in{threshold}"
    src.mkdir()
    for p in sorted((FIX / "chlaw_json" / "ch").glob("*.json"))[:2]:
        law = json.loads(p.read_text(encoding="utf-8"))
        (src / p.name).write_text(json.dumps(law, ensure_ascii=False), "utf-8")
    db = tmp_path / f"c{threshold}.duckdb"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CURATE_CHECKPOINT_THRESHOLD": threshold,
        "CURATE_INGEST_BULK_MIN_BYTES": "0",  # one batch (one commit) per file
        "CURATE_FAULT": "ingest_after_batch_2",
    }
    cmd = [sys.executable, "-m", "curate.cli", "-q", "--db", str(db), "ingest", "law-moj", str(src), "--scope", "all"]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert res.returncode == -9, res.stderr[-2000:]
    wal = db.with_name(db.name + ".wal")
    wal_bytes = wal.stat().st_size if wal.exists() else 0
    con = duckdb.connect(str(db), read_only=True)  # replays the WAL: both files' records are committed
    try:
        n = con.execute("SELECT count(DISTINCT container) FROM records").fetchone()[0]
    finally:
        con.close()
    return wal_bytes, n


def test_the_ingest_checkpoints_by_the_threshold(tmp_path) -> None:
    held, n_held = _killed_after_second_file(tmp_path, "1GB")
    flushed, n_flushed = _killed_after_second_file(tmp_path, "1KB")
    assert n_held == n_flushed == 2
    assert held > 100_000  # both files' records wait in the WAL
    assert flushed < held / 10  # checkpointed at each commit: the WAL holds little
