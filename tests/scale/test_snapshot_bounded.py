"""The runner's snapshot: bounded row groups, every input once, its DuckDB settings set back (issue 17)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from curate import runner
from curate.ingest import ingest
from curate.runner import make_stage
from provenance import db
from sources.law_moj import LawMojSource

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    spec = importlib.util.spec_from_file_location("gen_law_dump", ROOT / "bench" / "gen_law_dump.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    gen.write_dump(tmp_path / "ChLaw.json", 5000)
    path = tmp_path / "cat.duckdb"
    ingest(path, LawMojSource([tmp_path / "ChLaw.json"], scope="all"))
    return path


def test_snapshot_shards_small_row_groups_each_input_once(catalogue: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(runner, "SNAPSHOT_ROW_GROUP", 2048)  # DuckDB writes whole vectors of 2,048
    stage = make_stage("hygiene")
    con = db.connect(catalogue, memory_limit=runner.STAGE_MEMORY_LIMIT)
    try:
        con.execute("SET threads = 2")
        before = con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchall()
        n, files, _ = runner._snapshot(con, stage, stage.config_hash, tmp_path / "snap", 2)
        after = con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchall()
        active = {r[0] for r in con.execute("SELECT record_id FROM records WHERE status = 'active'").fetchall()}
    finally:
        con.close()
    assert after == before  # the snapshot's cap and single thread do not outlive it
    assert n == len(active) == 5000 and files == 2
    ids: list[str] = []
    for path in sorted((tmp_path / "snap").glob("*/*.parquet")):
        meta = pq.ParquetFile(path).metadata
        assert meta.num_row_groups > 1
        assert all(meta.row_group(i).num_rows <= 2048 for i in range(meta.num_row_groups))
        ids += pq.read_table(path, columns=["record_id"]).column("record_id").to_pylist()
    assert sorted(ids) == sorted(active)  # every input in exactly one shard


def test_snapshot_settings_set_back_when_it_fails(catalogue: Path, tmp_path: Path, monkeypatch) -> None:
    stage = make_stage("hygiene")
    con = db.connect(catalogue, memory_limit=runner.STAGE_MEMORY_LIMIT)
    try:
        before = con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchall()
        # a bad row group size fails the COPY
        monkeypatch.setattr(runner, "SNAPSHOT_ROW_GROUP", "not a number")
        with pytest.raises(Exception):  # noqa: B017, PT011 - DuckDB's own error
            runner._snapshot(con, stage, stage.config_hash, tmp_path / "snap", 2)
        after = con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchall()
    finally:
        con.close()
    assert after == before
