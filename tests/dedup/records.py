"""Records for the dedup stage tests from four kinds of source, written by the one fixture builder."""

from __future__ import annotations

from pathlib import Path

from catalogue_builder import add_records as write_records
from catalogue_builder import add_source

from provenance import db

SOURCES = {
    "law_moj": ("law_moj", "OGDL-Taiwan-1.0"),
    "tabf": ("tabf", "LicenseRef-Written-Agreement"),
    "textbooks:978-1": ("textbooks", "CC-BY-NC-4.0"),
    "moda": ("moda", "LicenseRef-MODA-AI-Training"),
}


def add_records(
    db_path: Path, rows: list[tuple[str, str, str]], *, run_id: str = "test-ingest", metadata: dict | None = None
) -> list[str]:
    """Add ``(source_id, locator, text)`` rows as active ingested records; returns their ids."""
    con = db.connect(db_path)
    try:
        with db.transaction(con):
            for sid, (kind, lic) in SOURCES.items():
                add_source(con, sid, kind=kind, licence_id=lic)
            return write_records(
                con,
                [
                    {
                        "source_id": sid,
                        "locator": loc,
                        "text": text,
                        "doc_key": f"{sid}:{loc}",
                        "licence_id": SOURCES[sid][1],
                        "metadata": metadata or {},
                    }
                    for sid, loc, text in rows
                ],
                run_id=run_id,
            )
    finally:
        con.close()
