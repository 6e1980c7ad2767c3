"""The per-source PII allow-list: values reviewers judged 非個資 (not personal data), as keyed digests.

An entry names the source, the entity type, the keyed HMAC digest of the value (never the value), the
key id, and the verdict's bank, annotator and record. The PII stage skips a detected span whose digest
is allow-listed for the record's source (see :func:`allowed`); :func:`revoke` ends an entry (kept, with
who revoked it and why, and a ledger event) so later runs mask the value again.
"""

from __future__ import annotations

import hashlib
from typing import Any

import duckdb

from curate.pii.keys import PiiKey
from provenance import ledger
from provenance.db import require_schema, transaction
from provenance.errors import UsageError

#: the migration that made ``pii_allowlist`` (schemas/duckdb/0034_annotation_review.sql)
ALLOWLIST_SCHEMA = 34


def add(
    con: duckdb.DuckDBPyConnection,
    key: PiiKey,
    *,
    source_id: str,
    entity_type: str,
    value: str,
    bank: str,
    annotator: str,
    record_id: str,
    ls_annotation_id: int | None = None,
) -> str:
    """Add (or keep) an entry; returns the value's digest. Call inside the caller's transaction."""
    digest = key.digest(entity_type, value)
    entry_id = hashlib.sha256(f"{source_id}\x1f{entity_type}\x1f{digest}\x1f{ls_annotation_id}".encode()).hexdigest()
    con.execute(
        "INSERT INTO pii_allowlist (entry_id, source_id, entity_type, digest, key_id, bank, annotator, record_id,"
        " ls_annotation_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP) ON CONFLICT DO NOTHING",
        [entry_id, source_id, entity_type, digest, key.key_id, bank, annotator, record_id, ls_annotation_id],
    )
    return digest


def allowed(con: duckdb.DuckDBPyConnection, key: PiiKey) -> dict[str, set[tuple[str, str]]]:
    """source_id -> {(entity type, digest)} of the entries in force under this key."""
    out: dict[str, set[tuple[str, str]]] = {}
    for source_id, etype, digest in con.execute(
        "SELECT source_id, entity_type, digest FROM pii_allowlist WHERE revoked_at IS NULL AND key_id = ?",
        [key.key_id],
    ).fetchall():
        out.setdefault(source_id, set()).add((etype, digest))
    return out


def entries(
    con: duckdb.DuckDBPyConnection, *, source_id: str | None = None, all_: bool = False
) -> list[dict[str, Any]]:
    """Entries (newest first), only those in force unless ``all_``; on a catalogue opened read-only (``curate annotate
    allowlist list``), one older than the allow-list's migration is one line."""
    require_schema(con, ALLOWLIST_SCHEMA, "`curate annotate allowlist list`")
    where = ["1 = 1"]
    params: list[Any] = []
    if source_id:
        where.append("source_id = ?")
        params.append(source_id)
    if not all_:
        where.append("revoked_at IS NULL")
    cur = con.execute(
        "SELECT entry_id, source_id, entity_type, digest, key_id, bank, annotator, record_id, ls_annotation_id,"
        f" created_at, revoked_at, revoked_by, revoke_reason FROM pii_allowlist WHERE {' AND '.join(where)}"
        " ORDER BY created_at DESC, entry_id",
        params,
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def revoke(con: duckdb.DuckDBPyConnection, entry_prefix: str, *, by: str, reason: str) -> dict[str, Any]:
    """Revoke the entry whose id starts with ``entry_prefix`` (at least 8 characters); records a ledger event."""
    if len(entry_prefix) < 8:
        raise UsageError("give at least 8 characters of the entry id (see `curate annotate allowlist list`)")
    rows = con.execute(
        "SELECT entry_id, source_id, entity_type, digest, revoked_at FROM pii_allowlist WHERE entry_id LIKE ?",
        [entry_prefix + "%"],
    ).fetchall()
    if not rows:
        raise UsageError(f"no allow-list entry {entry_prefix!r}; see `curate annotate allowlist list`")
    if len(rows) > 1:
        raise UsageError(f"{entry_prefix!r} names {len(rows)} entries; give more characters of the id")
    entry_id, source_id, etype, digest, revoked_at = rows[0]
    if revoked_at is not None:
        raise UsageError(f"allow-list entry {entry_id[:12]} was already revoked at {revoked_at}")
    with transaction(con):
        con.execute(
            "UPDATE pii_allowlist SET revoked_at = now()::TIMESTAMP, revoked_by = ?, revoke_reason = ?"
            " WHERE entry_id = ?",
            [by, reason, entry_id],
        )
        ledger.append(
            con,
            [
                ledger.Event(
                    stage="pii",
                    action="allowlist_revoked",
                    record_id=None,
                    actor=by,
                    detail={
                        "entry_id": entry_id,
                        "source_id": source_id,
                        "entity_type": etype,
                        "digest": digest,
                        "reason": reason,
                    },
                )
            ],
        )
    return {"entry_id": entry_id, "source_id": source_id, "entity_type": etype}


__all__ = ["add", "allowed", "entries", "revoke"]
