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

Terms of a version whose content digest is keyed (a raw version of a ``pii_expected`` source, issue 13) may name a
person (a TABF ``licensor``): a plain sha256 of them, the other terms known, is a guessing oracle for the name and
phone. Their seal is the keyed digest the writer hands in (detail ``terms_hmac``, the PII key's content digest of
:func:`canonical`; the kernel never holds the key), and ``audit verify`` recomputes it with the digest function it is
handed, or counts it as not checked. When the PII stage seals such a raw version's metadata in the vault and shows
the scrubbed metadata in its place, it seals the shown terms anew (:func:`reseal`): the newest seal counts.

Catalogues whose PII stage ran before keyed seals (09730dc) hold such versions with a plain seal over the raw terms,
which the vault now holds, and scrubbed terms shown in their place without a new seal. A plain seal on a version
with a keyed content digest that its shown terms do not match is checked against the vault's raw terms
(:data:`VaultTerms`, handed in by a caller that holds the key: a match is sealed, as long as the shown terms are the
raw ones scrubbed; a mismatch is an edit in place) and without the key counted as not checked, like a keyed seal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

import duckdb

from provenance import ledger
from provenance.errors import CatalogueError

#: the ledger action sealing a version's licence terms (detail ``terms_sha256``, or ``terms_hmac`` when keyed)
TERMS_ACTION = "terms_sealed"
#: the detail field of a keyed seal (terms of a version with a keyed content digest)
KEYED_FIELD = "terms_hmac"
#: a keyed digest function (``text -> "hmac:..."``), handed in by a caller that holds the PII key
Keyed = Callable[[str], str]
#: ``(connection, record id, canonical shown terms) -> canonical raw terms``: the terms of a version's metadata held in
#: the vault, when the shown terms are those scrubbed (None: no vaulted metadata, or shown terms that are not a scrub
#: of the raw ones); handed in by a caller that holds the PII key (:func:`curate.pii.vault.vault_terms_function`)
VaultTerms = Callable[[duckdb.DuckDBPyConnection, str, str | None], str | None]

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


def metadata_terms(metadata: str | None) -> str | None:
    """:func:`canonical` of the terms in a metadata JSON document (``None``: it has none)."""
    doc = json.loads(metadata) if metadata else None
    if not isinstance(doc, dict):
        return None
    lt, lic = doc.get("licence_terms"), doc.get("licences")
    return canonical(*(None if v is None else json.dumps(v, ensure_ascii=False) for v in (lt, lic)))


#: per version: its id, its terms (two JSON columns) and whether its content digest is keyed (``hmac:``, the
#: ``KEYED_PREFIX`` of :mod:`provenance.records`, which imports this module)
_SEALED_ROWS = (
    f"SELECT record_id, {_TERMS.format(m='metadata')}, starts_with(coalesce(content_sha256, ''), 'hmac:') FROM records"
)


def seal_new(con: duckdb.DuckDBPyConnection, start: int, *, run_id: str, stage: str, keyed: Keyed | None = None) -> int:
    """Append a ``terms_sealed`` event for each version at row position ``start`` or later that carries terms
    (the versions the caller just wrote); returns how many. Inside the caller's transaction. ``keyed``: the keyed
    digest for versions whose content digest is keyed (required when there is one)."""
    rows = con.execute(
        f"{_SEALED_ROWS} WHERE rowid >= $start AND {_MAY_HOLD.format(m='metadata')} ORDER BY rowid", {"start": start}
    ).fetchall()
    return _append_seals(con, rows, run_id=run_id, stage=stage, keyed=keyed)


def reseal(
    con: duckdb.DuckDBPyConnection, ids: Iterable[str], *, run_id: str | None, stage: str, keyed: Keyed, reason: str
) -> int:
    """Seal anew the terms of versions whose metadata a step of the pipeline rewrote in place (``reason`` says
    which), so that ``audit verify`` checks them against what they now show; returns how many seals."""
    rows = con.execute(
        f"{_SEALED_ROWS} WHERE record_id IN (SELECT unnest($ids)) ORDER BY record_id", {"ids": sorted(set(ids))}
    ).fetchall()
    return _append_seals(con, rows, run_id=run_id, stage=stage, keyed=keyed, extra={"reason": reason})


def _append_seals(con, rows, *, run_id, stage, keyed: Keyed | None, extra: dict[str, Any] | None = None) -> int:
    """One seal event per row of :data:`_SEALED_ROWS` with terms: keyed where the version's digest is."""
    events = []
    for rid, terms, merged, is_keyed in rows:
        c = canonical(terms, merged)
        if c is None:
            continue
        if is_keyed and keyed is None:
            raise CatalogueError(
                f"stage `{stage}`: version `{rid}` has a keyed content digest and licence terms, which are sealed with "
                "a keyed digest; the writer must hand insert_versions the PII key's digest (terms_digest=...)"
            )
        detail = {KEYED_FIELD: keyed(c)} if is_keyed else {"terms_sha256": hashlib.sha256(c.encode()).hexdigest()}
        events.append(
            ledger.Event(
                stage=stage, action=TERMS_ACTION, record_id=rid, run_id=run_id, detail={**detail, **(extra or {})}
            )
        )
    return ledger.append(con, events) if events else 0


def check(
    con: duckdb.DuckDBPyConnection,
    events: str = "provenance_events",
    keyed: Keyed | None = None,
    vault_terms: VaultTerms | None = None,
) -> tuple[list[str], list[str], int, int]:
    """``(ids whose terms differ from their newest seal, ids with terms no seal covers, versions with terms from
    before the first seal, seals not checked without the PII key)``. ``events``: the ledger (or a view of it with
    rekeyed ids translated); ``keyed``, ``vault_terms``: from the PII key (without them, keyed seals and plain seals
    over terms that may be in the vault are counted as not checked)."""
    first = con.execute(f"SELECT min(created_at) FROM provenance_events WHERE action = '{TERMS_ACTION}'").fetchone()[0]
    cur = con.execute(
        f"""SELECT r.record_id, {_TERMS.format(m="r.metadata")}, r.created_at, s.sha,
                r.pii_state = 'raw' AND starts_with(coalesce(r.content_sha256, ''), 'hmac:')
            FROM records r LEFT JOIN (
                SELECT record_id, arg_max(coalesce(json_extract_string(detail, '$.terms_sha256'),
                    json_extract_string(detail, '$.{KEYED_FIELD}')), seq) AS sha FROM {events}
                WHERE action = '{TERMS_ACTION}' AND record_id IS NOT NULL GROUP BY record_id) s USING (record_id)
            WHERE s.sha IS NOT NULL OR {_MAY_HOLD.format(m="r.metadata")}"""
    )
    differ, unsealed, before, not_checked = [], [], 0, 0
    vaulted = []  # plain seals over terms that may be in the vault: read after the scan (one query at a time)
    while rows := cur.fetchmany(10_000):
        for rid, terms, merged, created_at, sha, raw_keyed in rows:
            digest = terms_digest(terms, merged)
            if sha is not None and sha.startswith("hmac:"):
                c = canonical(terms, merged)
                if keyed is None:
                    not_checked += 1
                elif c is None or keyed(c) != sha:
                    differ.append(rid)
            elif sha is not None and digest != sha:
                if raw_keyed:  # a raw version's: its terms may be in the vault, this seal taken over them
                    vaulted.append((rid, canonical(terms, merged), sha))
                else:
                    differ.append(rid)
            elif sha is None and digest is not None:
                if first is None or created_at < first:
                    before += 1
                else:
                    unsealed.append(rid)
    if vault_terms is None:
        return differ, unsealed, before, not_checked + len(vaulted)
    for rid, shown, sha in vaulted:
        raw = vault_terms(con, rid, shown)
        if raw is None or hashlib.sha256(raw.encode("utf-8")).hexdigest() != sha:
            differ.append(rid)
    return differ, unsealed, before, not_checked
