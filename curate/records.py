"""Record ids and immutable versions.

Records are never changed in place (only ``status`` / ``pii_state`` move). A change is a new
row whose ``version_of`` names the record it replaces; the replaced record becomes
``superseded``. Ids are derived from content, so writing the same version twice is a no-op.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import duckdb

from curate.errors import CatalogueError
from provenance import ledger

_SEP = "\x1f"


def sha256_text(text: str) -> str:
    """Hex sha256 of UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def ingest_record_id(source_id: str, locator: str, text: str,
                     version_metadata: dict[str, Any] | str | None = None) -> str:
    """``record_id`` of an ingested record: sha256 of source + locator + text (+ version metadata).

    >>> len(ingest_record_id("law_moj", "G0380001/第 1 條", "本法..."))
    64
    """
    parts = [source_id, locator, text]
    if version_metadata:
        parts.append(version_metadata if isinstance(version_metadata, str)
                     else json.dumps(version_metadata, sort_keys=True, ensure_ascii=False))
    return hashlib.sha256(_SEP.join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def derived_record_id(parent_id: str, stage: str, text: str) -> str:
    """``record_id`` of a version derived by a stage from ``parent_id``."""
    return hashlib.sha256(_SEP.join([parent_id, stage, text]).encode("utf-8", "surrogatepass")).hexdigest()


def create_version(
    con: duckdb.DuckDBPyConnection,
    parent_id: str,
    new_text: str,
    *,
    stage: str,
    run_id: str,
    action: str = "rewrite",
    detail: dict[str, Any] | None = None,
    fields: dict[str, Any] | None = None,
    actor: str | None = None,
) -> str | None:
    """Create one derived version of ``parent_id`` with an event; returns the new id.

    Returns None (and writes nothing) if that exact version exists already. For bulk work use
    the stage runner, which does the same in SQL. Call inside a transaction.
    """
    parent = con.execute(
        "SELECT record_id, status FROM records WHERE record_id = ?", [parent_id]).fetchone()
    if parent is None:
        raise CatalogueError(f"record `{parent_id}` does not exist")
    new_id = derived_record_id(parent_id, stage, new_text)
    if con.execute("SELECT 1 FROM records WHERE record_id = ?", [new_id]).fetchone():
        return None
    fields = dict(fields or {})
    meta_patch = fields.pop("metadata", None)
    allowed = {"script", "lang", "title", "pii_state", "licence_id"}
    bad = set(fields) - allowed
    if bad:
        raise CatalogueError(f"cannot override columns {sorted(bad)} in a new version; allowed: {sorted(allowed)}")
    cols = ", ".join(f"coalesce(?, {c}) AS {c}" for c in sorted(allowed))
    params = [fields.get(c) for c in sorted(allowed)]
    con.execute(
        f"""INSERT INTO records (record_id, doc_key, source_id, locator, title, text, lang, script, licence_id,
                                 version_of, status, run_id, created_at, metadata, stage, content_sha256, pii_state,
                                 container)
            SELECT ?, doc_key, source_id, locator, n.title, ?, n.lang, n.script, n.licence_id, record_id, 'active', ?,
                   now()::TIMESTAMP, CASE WHEN ? IS NULL THEN metadata ELSE json_merge_patch(coalesce(metadata, '{{}}'), ?) END,
                   ?, ?, n.pii_state, container
            FROM records, (SELECT {cols} FROM records WHERE record_id = ?) n
            WHERE record_id = ?""",
        [new_id, new_text, run_id, json.dumps(meta_patch, ensure_ascii=False) if meta_patch else None,
         json.dumps(meta_patch, ensure_ascii=False) if meta_patch else None, stage, sha256_text(new_text),
         *params, parent_id, parent_id],
    )
    con.execute("UPDATE records SET status = 'superseded' WHERE record_id = ? AND status = 'active'", [parent_id])
    ledger.append(con, [ledger.Event(stage=stage, action=action, record_id=parent_id, run_id=run_id,
                                     detail={"new_record_id": new_id, **(detail or {})}, actor=actor)])
    return new_id
