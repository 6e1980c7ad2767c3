"""Builders of small real DuckDB catalogues for provenance tests (provenance.db + SQL, no runner)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from provenance import ledger
from provenance.db import connect, transaction
from provenance.records import create_version, ingest_record_id, sha256_text

T0 = dt.datetime(2026, 1, 1, 0, 0, 0)

TEXTBOOK_TERMS = {
    "agreement_id": "TB-2026-001",
    "licensor": "華泰文化",
    "audience": "consortium",
    "purposes": ["training", "evaluation"],
    "expiry": "2030-12-31",
    "attribution": "《銀行實務》，華泰文化授權金融聯盟使用 (TB-2026-001)",
}


class CatalogueBuilder:
    """Adds sources and records with ingest ledger events, like an ingestor would."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.con = connect(path)
        self.run_id = "run-test"
        self.con.execute(
            "INSERT INTO runs (run_id, command, config_hash, code_version, started_at, status)"
            " VALUES (?, 'test', 'x', 'test', ?, 'finished')",
            [self.run_id, T0],
        )

    def source(
        self,
        source_id: str,
        licence_id: str | None,
        *,
        pii_expected: bool = False,
        metadata: dict[str, Any] | None = None,
        title: str | None = None,
    ) -> str:
        self.con.execute(
            "INSERT INTO sources VALUES (?, 'test', ?, ?, ?, ?, ?, ?)",
            [
                source_id,
                title or source_id,
                f"file://{source_id}",
                licence_id,
                pii_expected,
                json.dumps(metadata or {}, ensure_ascii=False),
                T0,
            ],
        )
        return source_id

    def record(
        self,
        source_id: str,
        locator: str,
        text: str,
        *,
        licence_id: str | None = "__source__",
        metadata: dict[str, Any] | None = None,
        pii_state: str | None = "__auto__",
    ) -> str:
        if pii_state == "__auto__":  # as after `curate run pii`, except for sources that expect personal data
            expected = self.con.execute("SELECT pii_expected FROM sources WHERE source_id = ?", [source_id]).fetchone()
            pii_state = None if expected and expected[0] else "clean"
        if licence_id == "__source__":
            licence_id = self.con.execute("SELECT licence_id FROM sources WHERE source_id = ?", [source_id]).fetchone()[
                0
            ]
        rid = ingest_record_id(source_id, locator, text)
        with transaction(self.con):
            self.con.execute(
                "INSERT INTO records (record_id, doc_key, source_id, locator, title, text, lang, script, licence_id,"
                " version_of, status, run_id, created_at, metadata, stage, content_sha256, pii_state, container)"
                " VALUES (?, ?, ?, ?, ?, ?, 'zh-Hant', 'traditional', ?, NULL, 'active', ?, ?, ?, 'ingest', ?, ?, NULL)",
                [
                    rid,
                    f"{source_id}/{locator}",
                    source_id,
                    locator,
                    locator,
                    text,
                    licence_id,
                    self.run_id,
                    T0,
                    json.dumps(metadata or {}, ensure_ascii=False),
                    sha256_text(text),
                    pii_state,
                ],
            )
            ledger.append(
                self.con,
                [
                    ledger.Event(
                        stage="ingest",
                        action="ingest",
                        record_id=rid,
                        run_id=self.run_id,
                        detail={"source_id": source_id, "locator": locator},
                    )
                ],
                at=T0,
            )
        return rid

    def version(self, parent: str, text: str, stage: str = "hygiene", **fields: Any) -> str:
        with transaction(self.con):
            return create_version(self.con, parent, text, stage=stage, run_id=self.run_id, fields=fields or None)

    def close(self) -> None:
        self.con.close()
