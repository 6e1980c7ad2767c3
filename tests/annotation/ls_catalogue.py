"""Build small catalogues for the annotation tests with plain INSERTs (no runner needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from provenance import db as cdb
from provenance.records import ingest_record_id, sha256_text


def add_source(con, source_id: str = "demo", licence_id: str = "CC-BY-4.0", metadata: dict | None = None) -> None:
    con.execute(
        "INSERT INTO sources (source_id, kind, title, origin, licence_id, pii_expected, metadata, created_at)"
        " VALUES (?, 'test', 'test source', 'tests', ?, false, ?, now()::TIMESTAMP) ON CONFLICT DO NOTHING",
        [source_id, licence_id, json.dumps(metadata) if metadata else None],
    )


def add_record(
    con,
    text: str,
    *,
    source_id: str = "demo",
    locator: str | None = None,
    pii_state: str | None = "scrubbed",
    licence_id: str = "CC-BY-4.0",
    metadata: dict[str, Any] | None = None,
    title: str = "標題",
) -> str:
    locator = locator or f"loc-{sha256_text(text)[:12]}"
    rid = ingest_record_id(source_id, locator, text)
    con.execute(
        "INSERT INTO records (record_id, doc_key, source_id, locator, title, text, lang, script, licence_id, version_of,"
        " status, run_id, created_at, metadata, stage, content_sha256, pii_state) VALUES"
        " (?, ?, ?, ?, ?, ?, 'zh', 'traditional', ?, NULL, 'active', 'test-run', now()::TIMESTAMP, ?, 'pii', ?, ?)",
        [
            rid,
            f"{source_id}/{locator}",
            source_id,
            locator,
            title,
            text,
            licence_id,
            json.dumps(metadata) if metadata else None,
            sha256_text(text),
            pii_state,
        ],
    )
    return rid


def make_catalogue(path: Path, n: int, *, pii_state: str | None = "scrubbed") -> tuple[Any, list[str]]:
    """A catalogue with ``n`` scrubbed records; returns (connection, record ids)."""
    con = cdb.connect(path)
    add_source(con)
    ids = [
        add_record(
            con,
            f"第{i}條 客戶〔姓名〕於本行開戶，聯絡電話〔電話〕，授信額度依規定辦理。",
            locator=f"a{i}",
            pii_state=pii_state,
        )
        for i in range(n)
    ]
    return con, ids
