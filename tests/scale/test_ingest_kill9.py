"""A bulk ingest killed (SIGKILL) after a committed batch or in the middle of one, then run again,
ends with the same records as an uninterrupted ingest, and the ledger and cross-checks still verify."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import curate.ingest as ingest_mod
import curate.ingest_fast as fast_mod
from provenance import audit, db
from sources.law_moj import LawMojSource

ROOT = Path(__file__).resolve().parents[2]
BATCH = 100

CHILD = """
import sys
import curate.ingest as m
import curate.ingest_fast as f
from sources.law_moj import LawMojSource
m.BATCH_RECORDS = f.BULK_BATCH_RECORDS = int(sys.argv[3])
m.ingest(sys.argv[1], LawMojSource([sys.argv[2]], scope="all"))
"""


def _records(path: Path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT record_id, doc_key, version_of, status, text, stage, content_sha256, licence_id, metadata"
            " FROM records ORDER BY record_id"
        ).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("fast", ["1", "0"], ids=["sql-path", "python-path"])
@pytest.mark.parametrize("fault", ["ingest_after_batch_2", "ingest_mid_batch_3"])
def test_killed_ingest_resumes_to_the_same_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str, fast: str
) -> None:
    """Both ingest paths: the set-based one (batches of whole laws, 100 records = 5 laws of 20 articles) and the
    Python one (CURATE_INGEST_FAST=0)."""
    monkeypatch.setenv("CURATE_INGEST_FAST", fast)
    spec = importlib.util.spec_from_file_location("gen_law_dump", ROOT / "bench" / "gen_law_dump.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    dump = tmp_path / "ChLaw.json"
    gen.write_dump(dump, 450)
    monkeypatch.setattr(ingest_mod, "BATCH_RECORDS", BATCH)
    monkeypatch.setattr(fast_mod, "BULK_BATCH_RECORDS", BATCH)
    clean, crashed = tmp_path / "clean.duckdb", tmp_path / "crashed.duckdb"
    ingest_mod.ingest(clean, LawMojSource([dump], scope="all"))

    env = {**os.environ, "CURATE_FAULT": fault, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(crashed), str(dump), str(BATCH)], env=env, capture_output=True, timeout=300
    )
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    partial = len(_records(crashed))
    assert 0 < partial < 450  # killed part-way: some batches in, not all
    if fault.startswith("ingest_mid_batch_"):
        assert partial == 2 * BATCH  # the batch being written when killed left nothing behind

    rep = ingest_mod.ingest(crashed, LawMojSource([dump], scope="all"))
    assert rep.records_new == 450 - partial and rep.unchanged == partial
    assert _records(crashed) == _records(clean)
    con = db.connect_readonly(crashed)
    try:
        assert audit.verify(con).ok
        full = audit.verify_all(con)
    finally:
        con.close()
    assert full.cross.ok, full.cross.problems
