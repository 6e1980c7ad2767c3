"""Tiny catalogue builder for dedup stage tests (real DuckDB file, rows as the ingest driver writes them)."""

from __future__ import annotations

import json
from pathlib import Path

from provenance import db
from provenance.records import ingest_record_id, sha256_text

SOURCES = {
    "law_moj": ("law_moj", "OGDL-Taiwan-1.0"),
    "tabf": ("tabf", "LicenseRef-Written-Agreement"),
    "textbooks:978-1": ("textbooks", "CC-BY-NC-4.0"),
    "moda": ("moda", "LicenseRef-MODA-AI-Training"),
}


def add_records(
    db_path: Path, rows: list[tuple[str, str, str]], *, run_id: str = "test-ingest", metadata: dict | None = None
) -> list[str]:
    """Insert ``(source_id, locator, text)`` rows as active records; returns their ids."""
    con = db.connect(db_path)
    ids = []
    with db.transaction(con):
        for sid, (kind, lic) in SOURCES.items():
            con.execute(
                "INSERT INTO sources (source_id, kind, licence_id, created_at) VALUES (?, ?, ?, now()) "
                "ON CONFLICT DO NOTHING",
                [sid, kind, lic],
            )
        for sid, loc, text in rows:
            rid = ingest_record_id(sid, loc, text)
            ids.append(rid)
            con.execute(
                "INSERT INTO records (record_id, doc_key, source_id, locator, text, licence_id, status, run_id,"
                " created_at, metadata, stage, content_sha256) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, now(), ?,"
                " 'ingest', ?)",
                [
                    rid,
                    f"{sid}:{loc}",
                    sid,
                    loc,
                    text,
                    SOURCES[sid][1],
                    run_id,
                    json.dumps(metadata or {}),
                    sha256_text(text),
                ],
            )
    con.close()
    return ids
