"""Many small commands do not fragment the catalogue: DuckDB's checkpoint vacuum keeps merging small row groups.

Turning the vacuum off (``max_vacuum_tasks = 0``) saved a bulk ingest's close from rewriting its batches' partial
row groups, but then every command that appended a few rows left a row group of its own, never merged: 60
one-law ingests gave 60 row groups and a file 4x the size (review of that change; docs/benchmarks.md,
"Seventeenth pass"). This keeps it from coming back.
"""

from __future__ import annotations

import json

import duckdb

from curate.ingest import ingest
from sources.law_moj import LawMojSource


def _law(pcode: str, version: int) -> dict:
    return {
        "LawName": f"測試金融法規{pcode}",
        "LawURL": f"https://law.moj.gov.tw/LawClass/LawAll.aspx?pcode={pcode}",
        "LawCategory": "行政＞金融監督管理委員會＞銀行局",
        "LawModifiedDate": f"2024010{version}",
        "LawArticles": [
            {"ArticleType": "A", "ArticleNo": "第 1 條", "ArticleContent": f"本法第{version}版之規定，銀行應遵守之。"}
        ],
    }


def test_small_ingests_do_not_leave_a_row_group_each(tmp_path) -> None:
    path = tmp_path / "c.duckdb"
    for i in range(1, 25):  # each its own command: a new version of one law, then the connection's checkpoint
        f = tmp_path / f"law{i}.json"
        f.write_text(json.dumps(_law("G0000001", i % 9 + 1 if i % 2 else 1), ensure_ascii=False), "utf-8")
        g = tmp_path / f"other{i}.json"
        g.write_text(json.dumps(_law(f"G{i + 1:07d}", 1), ensure_ascii=False), "utf-8")
        ingest(path, LawMojSource([f, g], scope="all"))
    con = duckdb.connect(str(path), read_only=True)
    try:
        records = con.execute("SELECT count(*) FROM records").fetchone()[0]
        groups = con.execute("SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('records')").fetchone()[0]
    finally:
        con.close()
    assert records > 24
    assert groups <= 2, f"{groups} row groups for {records} records"
