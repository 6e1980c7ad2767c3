"""Very large records (a textbook chapter per record): DuckDB writes Parquet 2,048 rows at a time, so a snapshot
of 20 records of 3M characters (~180 MB) does not fit the default 128 MB cap. The user gets one line naming the
setting that helps, and raising that one setting (not a second, snapshot-only one) lets the same command resume
and finish."""

from __future__ import annotations

import random

from catalogue_builder import add_records, add_source

from provenance import db


def _big_catalogue(path, n=20, size=3_000_000):
    rng = random.Random(5)
    chars = "銀行存款業務主管機關規定權益辦法保險證券金融消費者保護法令條例施行細則罰鍰處新臺幣萬元以上。，"
    con = db.connect(path)
    try:
        with db.transaction(con):
            add_source(con, "textbooks:1", kind="textbooks", licence_id="CC-BY-NC-4.0")
            for i in range(n):
                text = "".join(rng.choice(chars) for _ in range(1000)) * (size // 1000)
                add_records(con, [{"source_id": "textbooks:1", "locator": f"ch{i}", "text": text + f"\n第{i}章"}])
    finally:
        con.close()


def test_huge_records_need_the_cap_the_message_names(cli, db_path, monkeypatch):
    _big_catalogue(db_path)
    code, out, err = cli("run", "hygiene", "--workers", "2")
    assert code == 1 and "Traceback" not in out + err, err
    assert "ran out of its memory cap" in err and "CURATE_DUCKDB_MEMORY" in err, err
    monkeypatch.setenv("CURATE_DUCKDB_MEMORY", "1GB")  # the setting named, and only that one
    code, out, err = cli("run", "hygiene", "--workers", "2")
    assert code == 0, err
    assert "(resumed)" in out + err and "20 records in" in out + err, out + err
