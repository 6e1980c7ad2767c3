"""Licence terms sealed by the ledger: the agreement terms a version carries in its metadata.

The export decides by a version's licence id *and* by the terms in its metadata: ``licence_terms`` (an agreement's
audience, purposes, expiry, commercial use, attribution: TABF material, textbooks) and ``licences`` (the licences of
merged records). The creating events seal the licence id and the text's digest, not these terms, so an in-place
edit of them (a consortium-only agreement made public, an expiry moved) would pass every other check.

The one version writer (:func:`provenance.records.insert_versions`) therefore appends a ``terms_sealed`` event for
every version it writes that carries terms: the event's record is the version, its detail the sha256 of the terms'
canonical JSON (:func:`canonical`: keys sorted, so re-serialising the metadata does not change it). ``audit verify``
(:func:`check`) recomputes it for every version with terms or a seal; the newest seal of a version counts (ids
rewritten by ``curate pii rekey`` are translated by the caller's event view). Versions with terms written before
seals existed (created before the catalogue's first seal) are counted as not checked, not as problems.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import duckdb

from provenance import ledger

#: the ledger action sealing a version's licence terms (detail ``terms_sha256``)
TERMS_ACTION = "terms_sealed"

#: the metadata keys the export reads terms from
_TERMS = "CAST(json_extract({m}, '$.licence_terms') AS VARCHAR), CAST(json_extract({m}, '$.licences') AS VARCHAR)"
#: a cheap test that a metadata document may hold terms (the JSON is parsed only where it does)
_MAY_HOLD = "(contains(CAST({m} AS VARCHAR), '\"licence_terms\"') OR contains(CAST({m} AS VARCHAR), '\"licences\"'))"


def canonical(licence_terms: str | None, licences: str | None) -> str | None:
    """The canonical JSON of a version's terms (``None``: it has none)."""
    if licence_terms is None and licences is None:
        return None
    doc: dict[str, Any] = {
        "licence_terms": None if licence_terms is None else json.loads(licence_terms),
        "licences": None if licences is None else json.loads(licences),
    }
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def terms_digest(licence_terms: str | None, licences: str | None) -> str | None:
    """sha256 of :func:`canonical` (``None`` without terms)."""
    c = canonical(licence_terms, licences)
    return None if c is None else hashlib.sha256(c.encode("utf-8")).hexdigest()


def seal_new(con: duckdb.DuckDBPyConnection, start: int, *, run_id: str, stage: str) -> int:
    """Append a ``terms_sealed`` event for each version at row position ``start`` or later that carries terms
    (the versions the caller just wrote); returns how many. Inside the caller's transaction."""
    rows = con.execute(
        f"SELECT record_id, {_TERMS.format(m='metadata')} FROM records"
        f" WHERE rowid >= $start AND {_MAY_HOLD.format(m='metadata')} ORDER BY rowid",
        {"start": start},
    ).fetchall()
    events = [
        ledger.Event(stage=stage, action=TERMS_ACTION, record_id=rid, run_id=run_id, detail={"terms_sha256": d})
        for rid, terms, merged in rows
        if (d := terms_digest(terms, merged)) is not None
    ]
    return ledger.append(con, events) if events else 0


def check(con: duckdb.DuckDBPyConnection, events: str = "provenance_events") -> tuple[list[str], list[str], int]:
    """``(ids whose terms differ from their newest seal, ids with terms no seal covers, versions with terms from
    before the first seal)``. ``events``: the ledger (or a view of it with rekeyed ids translated)."""
    first = con.execute(f"SELECT min(created_at) FROM provenance_events WHERE action = '{TERMS_ACTION}'").fetchone()[0]
    cur = con.execute(
        f"""SELECT r.record_id, {_TERMS.format(m="r.metadata")}, r.created_at, s.sha
            FROM records r LEFT JOIN (
                SELECT record_id, arg_max(json_extract_string(detail, '$.terms_sha256'), seq) AS sha FROM {events}
                WHERE action = '{TERMS_ACTION}' AND record_id IS NOT NULL GROUP BY record_id) s USING (record_id)
            WHERE s.sha IS NOT NULL OR {_MAY_HOLD.format(m="r.metadata")}"""
    )
    differ, unsealed, before = [], [], 0
    while rows := cur.fetchmany(10_000):
        for rid, terms, merged, created_at, sha in rows:
            digest = terms_digest(terms, merged)
            if sha is not None:
                if digest != sha:
                    differ.append(rid)
            elif digest is not None:
                if first is None or created_at < first:
                    before += 1
                else:
                    unsealed.append(rid)
    return differ, unsealed, before
