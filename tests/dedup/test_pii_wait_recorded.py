"""A dedup run that leaves records to the PII stage (raw versions of a ``pii_expected`` source, dedup run before
pii) says so in the run's record (``run_stats``: ``records`` / ``pii_waiting``), not only in the line it prints: an
auditor reading the run later saw every record in it deduplicated and no word of the ones it never looked at."""

from __future__ import annotations

from catalogue_builder import add_record, add_source

from provenance import db

RAW = "客戶王小明，身分證字號A123456789，電話0912345678，於本行開戶。這是一段足夠長的文字用於去重測試。"


def _waiting(db_path) -> list[tuple]:
    return db.run_readonly_sql(db_path, "SELECT value FROM run_stats WHERE metric = 'records' AND key = 'pii_waiting'")[
        1
    ]


def test_the_records_left_to_the_pii_stage_are_in_the_run_record(db_path, cli, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "6a" * 32)
    con = db.connect(db_path)
    add_source(con, "cases", licence_id="CC-BY-4.0", pii_expected=True)
    add_source(con, "reg", licence_id="CC-BY-4.0")
    for loc in ("c/1", "c/2"):
        add_record(con, "cases", loc, RAW, licence_id="CC-BY-4.0")
    add_record(
        con, "reg", "r/1", "本行規定之一般性條款，適用於所有客戶之存款帳戶與相關服務內容說明。", licence_id="CC-BY-4.0"
    )
    con.close()

    code, out, _ = cli("-q", "run", "dedup", "--workers", "1")
    assert code == 0 and "2 records wait for the PII stage" in out, out
    assert _waiting(db_path) == [(2.0,)]

    assert cli("-q", "run", "pii", "--workers", "1")[0] == 0
    code, out, _ = cli("-q", "run", "dedup", "--workers", "1")
    assert code == 0 and "wait for the PII stage" not in out, out
    assert _waiting(db_path) == [(2.0,)]  # the first run's only: none waited in the second
