"""Small real DuckDB catalogues for provenance tests (built with curate.db + SQL, no runner)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from curate.db import connect, transaction
from curate.records import create_version, ingest_record_id, sha256_text
from provenance import ledger

T0 = dt.datetime(2026, 1, 1, 0, 0, 0)

TEXTBOOK_TERMS = {"agreement_id": "TB-2026-001", "licensor": "華泰文化", "audience": "consortium",
                  "purposes": ["training", "evaluation"], "expiry": "2030-12-31",
                  "attribution": "《銀行實務》，華泰文化授權金融聯盟使用 (TB-2026-001)"}


class CatalogueBuilder:
    """Adds sources and records with ingest ledger events, like an ingestor would."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.con = connect(path)
        self.run_id = "run-test"
        self.con.execute("INSERT INTO runs (run_id, command, config_hash, code_version, started_at, status)"
                         " VALUES (?, 'test', 'x', 'test', ?, 'finished')", [self.run_id, T0])

    def source(self, source_id: str, licence_id: str | None, *, pii_expected: bool = False,
               metadata: dict[str, Any] | None = None, title: str | None = None) -> str:
        self.con.execute("INSERT INTO sources VALUES (?, 'test', ?, ?, ?, ?, ?, ?)",
                         [source_id, title or source_id, f"file://{source_id}", licence_id, pii_expected,
                          json.dumps(metadata or {}, ensure_ascii=False), T0])
        return source_id

    def record(self, source_id: str, locator: str, text: str, *, licence_id: str | None = "__source__",
               metadata: dict[str, Any] | None = None, pii_state: str | None = None) -> str:
        if licence_id == "__source__":
            licence_id = self.con.execute("SELECT licence_id FROM sources WHERE source_id = ?",
                                          [source_id]).fetchone()[0]
        rid = ingest_record_id(source_id, locator, text)
        with transaction(self.con):
            self.con.execute(
                "INSERT INTO records (record_id, doc_key, source_id, locator, title, text, lang, script, licence_id,"
                " version_of, status, run_id, created_at, metadata, stage, content_sha256, pii_state, container)"
                " VALUES (?, ?, ?, ?, ?, ?, 'zh-Hant', 'traditional', ?, NULL, 'active', ?, ?, ?, 'ingest', ?, ?, NULL)",
                [rid, f"{source_id}/{locator}", source_id, locator, locator, text, licence_id, self.run_id, T0,
                 json.dumps(metadata or {}, ensure_ascii=False), sha256_text(text), pii_state])
            ledger.append(self.con, [ledger.Event(stage="ingest", action="ingest", record_id=rid, run_id=self.run_id,
                                                  detail={"source_id": source_id, "locator": locator})], at=T0)
        return rid

    def version(self, parent: str, text: str, stage: str = "hygiene", **fields: Any) -> str:
        with transaction(self.con):
            return create_version(self.con, parent, text, stage=stage, run_id=self.run_id, fields=fields or None)

    def close(self) -> None:
        self.con.close()


@pytest.fixture()
def builder(db_path: Path):
    b = CatalogueBuilder(db_path)
    yield b
    b.close()


@pytest.fixture()
def mixed(builder: CatalogueBuilder):
    """A catalogue with laws, open data, NC text, MODA, a textbook agreement, PII and unknown licences."""
    b = builder
    b.source("law_moj", "OGDL-Taiwan-1.0", title="全國法規資料庫",
             metadata={"provider": "法務部", "year": 2025, "dataset": "全國法規資料庫 中文法規 v1"})
    b.source("fsc_press", "LicenseRef-TW-Copyright-Art9", title="金管會新聞稿")
    b.source("ocw", "CC-BY-NC-4.0", title="大學開放課程講義")
    b.source("moda", "LicenseRef-MODA-AI-Training", title="TAIC 金融語料")
    b.source("textbook", "LicenseRef-Written-Agreement", title="銀行實務",
             metadata={"licence_terms": TEXTBOOK_TERMS})
    b.source("sanctions", "LicenseRef-TW-Copyright-Art9", pii_expected=True, title="裁處書")
    b.source("mystery", "LicenseRef-Unknown-Thing", title="不明來源")
    ids: dict[str, list[str]] = {}
    ids["law"] = [b.record("law_moj", f"G0380001/第 {i} 條", f"銀行法第{i}條 本法所稱銀行。") for i in range(1, 4)]
    ids["press"] = [b.record("fsc_press", "20260101", "金管會發布新聞稿。")]
    ids["ocw"] = [b.record("ocw", "lec1", "貨幣銀行學講義。")]
    ids["moda"] = [b.record("moda", "ds1/f1", "主權語料金融段落。")]
    ids["textbook"] = [b.record("textbook", "ch1", "第一章 銀行實務概論。")]
    raw = b.record("sanctions", "202601010001", "受處分人：王小明 罰鍰新臺幣300萬元。")
    ids["pii_raw_parent"] = [raw]
    scrubbed = b.version(raw, "受處分人：<PERSON> 罰鍰新臺幣300萬元。", stage="pii", pii_state="scrubbed")
    ids["pii_scrubbed"] = [scrubbed]
    ids["pii_unchecked"] = [b.record("sanctions", "202601010002", "受處分人：某公司 罰鍰。")]
    ids["mystery"] = [b.record("mystery", "x", "來源不明的文字。")]
    ids["nolicence"] = [b.record("law_moj", "G0380001/第 9 條", "沒有授權的條文。", licence_id=None)]
    return ids
