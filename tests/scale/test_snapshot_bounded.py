"""The runner's snapshot: bounded row groups, every input once, its DuckDB settings set back (issue 17)."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from curate import runner, snapshot
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
    monkeypatch.setattr(snapshot, "SNAPSHOT_ROW_GROUP", 1024)
    stage = make_stage("hygiene")
    con = db.connect(catalogue, memory_limit=db.bulk_memory_limit())
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
        # a shard is read once, by the rank, soon after: LZ4 (snappy's compressing and decompressing were the
        # snapshot's and the ranks' largest costs after the texts themselves; uncompressed doubled the disk)
        assert {meta.row_group(0).column(i).compression for i in range(meta.num_columns)} == {"LZ4"}
        # DuckDB closes a row group once it holds the target, so one may exceed it by less than a vector (2,048)
        assert all(meta.row_group(i).num_rows < 1024 + 2048 for i in range(meta.num_row_groups))
        ids += pq.read_table(path, columns=["record_id"]).column("record_id").to_pylist()
    assert sorted(ids) == sorted(active)  # every input in exactly one shard


@pytest.mark.parametrize("parallel", [1, 2])
def test_snapshot_settings_set_back_when_it_fails(catalogue: Path, tmp_path: Path, monkeypatch, parallel: int) -> None:
    stage = make_stage("hygiene")
    con = db.connect(catalogue, memory_limit=db.bulk_memory_limit())
    try:
        before = con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchall()
        # a bad row group size fails the COPY (every shard's, when they are written at once)
        monkeypatch.setattr(snapshot, "SNAPSHOT_ROW_GROUP", "not a number")
        with pytest.raises(Exception):  # noqa: B017, PT011 - DuckDB's own error
            runner._snapshot(con, stage, stage.config_hash, tmp_path / "snap", 2, parallel=parallel)
        after = con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchall()
        assert not (tmp_path / "snap" / "_SUCCESS").exists()
    finally:
        con.close()
    assert after == before


def _shard_rows(folder: Path) -> dict[str, list[tuple]]:
    return {
        p.parent.name: [tuple(r.values()) for r in pq.read_table(p).to_pylist()]
        for p in sorted(folder.glob("*/*.parquet"))
    }


def test_shards_written_in_parallel_equal_serial_ones(catalogue: Path, tmp_path: Path) -> None:
    """Shards written by several threads at once hold the same rows in the same order as one by one."""
    stage = make_stage("hygiene")
    con = db.connect(catalogue, memory_limit=db.bulk_memory_limit())
    try:
        serial = runner._snapshot(con, stage, stage.config_hash, tmp_path / "serial", 3, parallel=1)
        parallel = runner._snapshot(con, stage, stage.config_hash, tmp_path / "parallel", 3, parallel=3)
    finally:
        con.close()
    assert serial == parallel and serial[1] == 3
    one, many = _shard_rows(tmp_path / "serial"), _shard_rows(tmp_path / "parallel")
    assert sorted(one) == sorted(many) == ["_shard=0", "_shard=1", "_shard=2"]
    assert one == many


def test_a_rank_reads_its_shard_in_bounded_memory(tmp_path: Path) -> None:
    """Arrow memory while a rank reads its shard stays at about one batch, not the row groups read so far.

    ``pyarrow.parquet.ParquetFile`` pre-buffers by default and keeps what it read until the file closes: a rank's
    memory grew with its shard (100 MiB at 150k records) until the reader turned it off.
    """
    import pyarrow as pa

    shard = tmp_path / "snap" / "_shard=0" / "data_0.parquet"
    shard.parent.mkdir(parents=True)
    n = 40 * 2048  # 40 row groups of 2,048 records with 2.4 KB of text each that does not compress well (~200 MiB)
    with pq.ParquetWriter(shard, pa.schema([("record_id", pa.string()), ("text", pa.string())])) as w:
        for g in range(40):
            ids = [f"r{g}-{i}" for i in range(2048)]
            texts = [os.urandom(1200).hex() for _ in range(2048)]
            w.write_table(pa.table({"record_id": ids, "text": texts}), row_group_size=2048)
    (tmp_path / "snap" / "_SUCCESS").write_text(json.dumps({"rows": n, "files": 1}))  # as write_snapshot ends
    reader = runner.SnapshotReader(str(tmp_path / "snap"))
    start, peak, seen = pa.total_allocated_bytes(), 0, 0
    for _doc in reader.run(None, 0, 1):
        seen += 1
        if seen % 2048 == 0:
            peak = max(peak, pa.total_allocated_bytes() - start)
    assert seen == n
    assert peak < 48 * 2**20, f"Arrow held {peak / 2**20:.0f} MiB while reading the shard"
