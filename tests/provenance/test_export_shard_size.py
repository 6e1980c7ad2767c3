"""An export's shard ends at `--shard-rows` records or at `SHARD_CHARS` characters of texts and titles, whichever
comes first (review 12): a shard's rows are held in memory until it is written, and 50,000 rows of long documents
(the default `--shard-rows`) held them all, twice with the Arrow table (296 MB of text: a 1.3 GB peak)."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

from provenance import export


def test_long_texts_end_a_shard_before_its_row_count(builder, cli, tmp_path, monkeypatch):
    builder.source("open", "CC0-1.0", title="公眾領域講義")
    texts = {builder.record("open", f"s.txt#{i}", f"第{i}講 " + "銀行信用風險管理。" * 40) for i in range(12)}
    builder.close()
    per_text = len(f"第10講 {'銀行信用風險管理。' * 40}")
    monkeypatch.setattr(export, "SHARD_CHARS", per_text * 3)  # three long texts make a shard
    out = tmp_path / "e"
    code, stdout, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "public", "--commercial",
        "--out", str(out), "--json",
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(stdout)
    shards = sorted((out / "data").glob("train-*.parquet"))
    assert res["records"] == 12 and len(shards) >= 4  # not one shard of 12 (the default --shard-rows is 50,000)
    rows = [r for s in shards for r in pq.read_table(s, columns=["record_id"]).column("record_id").to_pylist()]
    assert sorted(rows) == sorted(texts)  # every record once, in no shard twice
    code, out_text, err = cli("audit", "verify-export", str(out))
    assert code == 0, out_text + err
