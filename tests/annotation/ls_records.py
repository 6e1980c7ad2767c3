"""Records for the annotation tests: scrubbed Chinese texts, written by the one fixture builder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import catalogue_builder

from provenance import db as cdb
from provenance.records import sha256_text


def add_source(con, source_id: str = "demo", licence_id: str = "CC-BY-4.0", metadata: dict | None = None) -> None:
    catalogue_builder.add_source(
        con, source_id, licence_id=licence_id, title="test source", origin="tests", metadata=metadata or None
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
    """One active record as the PII stage leaves it (stage ``pii``); returns its id."""
    return catalogue_builder.add_record(
        con,
        source_id,
        locator or f"loc-{sha256_text(text)[:12]}",
        text,
        stage="pii",
        title=title,
        lang="zh",
        script="traditional",
        licence_id=licence_id,
        metadata=metadata or None,
        pii_state=pii_state,
    )


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
