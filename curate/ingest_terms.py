"""Licence-terms corrections at ingest: a change of terms alone makes new versions, without re-extraction.

A manifest row's licence id and agreement terms (``purposes``, ``audience``, ``commercial``,
``expiry``, ``attribution``...) are part of its records' identity (they are hashed into
``record_id`` with the text, see :func:`sources.manifest.row_version_metadata`). When a
re-ingested row names the same file (same ``file_sha256``) and only its terms changed, this
module makes the new versions directly from the active ones: same text, processing state
(``pii_state``, ``script``...) carried over, new ``licence_id`` and ``metadata.licence_terms``,
and one ``licence_terms_changed`` ledger event per record with the old and the new terms. Exports
then follow the new terms. Re-ingesting the corrected manifest again changes nothing.

When the file itself changed, the driver extracts it as usual; a new version whose text equals
its predecessor's but whose terms differ is still recorded as ``licence_terms_changed``
(:func:`classify_new_versions`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from provenance import ledger
from provenance.records import derived_record_id, insert_versions, sha256_text
from sources.base import RawItem, Source
from sources.manifest import ROW_METADATA_KEYS, ManifestRow, ManifestSource, row_metadata, row_version_metadata

__all__ = ["TermsOutcome", "apply_terms_only_change", "classify_new_versions", "terms_of"]

ACTION = "licence_terms_changed"


def terms_of(licence_id: str | None, metadata: dict[str, Any] | str | None) -> dict[str, Any]:
    """The licence facts of a version as shown in events: ``{licence_id, licence_terms}``."""
    if isinstance(metadata, str):
        metadata = json.loads(metadata or "{}")
    terms = (metadata or {}).get("licence_terms")
    if isinstance(terms, dict):  # an empty term is absent (JSON merge patches drop null members)
        terms = {k: v for k, v in terms.items() if v is not None}
    return {"licence_id": licence_id, "licence_terms": terms}


@dataclass(frozen=True, slots=True)
class TermsOutcome:
    """What :func:`apply_terms_only_change` did for one manifest row."""

    handled: bool
    """True: the row's records are settled (unchanged, or new versions written); do not extract."""
    new_versions: int = 0
    unchanged: int = 0


_NOT_HANDLED = TermsOutcome(False)


def apply_terms_only_change(
    con: duckdb.DuckDBPyConnection, source: Source, raw: RawItem, *, run_id: str, at: Any
) -> TermsOutcome:
    """Settle a manifest row whose file is unchanged since its active versions were ingested.

    Returns ``handled=False`` (the driver extracts the file) for other sources, for rows whose
    file changed or whose stored versions predate ``file_sha256``, and when the edition changed.
    Call between the driver's batches (it opens its own transaction).
    """
    if not isinstance(source, ManifestSource) or not isinstance(raw.payload, ManifestRow):
        return _NOT_HANDLED
    row: ManifestRow = raw.payload
    container = f"{source.source_id}:{row.rel_path}"
    active = con.execute(
        "SELECT record_id, text, licence_id, metadata, stage FROM records"
        " WHERE container = ? AND status = 'active' ORDER BY doc_key, record_id",
        [container],
    ).fetchall()
    if not active:
        return _NOT_HANDLED
    new_meta = row_metadata(row)
    olds = [json.loads(m or "{}") for _, _, _, m, _ in active]
    if any(o.get("file_sha256") != new_meta["file_sha256"] or o.get("edition") != row.edition for o in olds):
        return _NOT_HANDLED
    new_terms = terms_of(row.licence_id, {"licence_terms": row.licence_terms})
    changed = [
        (rid, text, lic, old, stage)
        for (rid, text, lic, _, stage), old in zip(active, olds, strict=True)
        if terms_of(lic, old) != new_terms
    ]
    if not changed:
        return TermsOutcome(True, unchanged=len(active))
    # JSON merge patch: the row's keys replace the stored ones; keys the row no longer sets are removed
    patch: dict[str, Any] = dict.fromkeys(ROW_METADATA_KEYS)
    patch.update(new_meta)
    patch_json = json.dumps(patch, ensure_ascii=False, default=str)
    vm_json = json.dumps(row_version_metadata(row), sort_keys=True, ensure_ascii=False)
    ids = [derived_record_id(rid, f"{ACTION}:{vm_json}", text or "") for rid, text, _, _, _ in changed]
    table = pa.table(
        {
            "record_id": ids,
            "parent_id": [c[0] for c in changed],
            "text": [c[1] for c in changed],
            "licence_id": [row.licence_id] * len(changed),
            "metadata": [patch_json] * len(changed),
            "stage": [c[4] for c in changed],
        }
    )
    events = [
        ledger.Event(
            stage="ingest",
            action=ACTION,
            record_id=new_id,
            run_id=run_id,
            detail={
                "version_of": old_id,
                "old": terms_of(lic, old),
                "new": new_terms,
                "manifest_line": row.line,
                "text_reused": True,
                # what `audit verify` checks the written row against
                "licence_id": row.licence_id,
                "sha256": sha256_text(text or ""),
            },
        )
        for new_id, (old_id, text, lic, old, _) in zip(ids, changed, strict=True)
    ]
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("_terms_new", table)
        written = insert_versions(con, "_terms_new", run_id=run_id, stage="ingest", created_at=at)
        con.unregister("_terms_new")
        con.executemany(
            "UPDATE records SET status = 'superseded' WHERE record_id = ? AND status = 'active'",
            [(c[0],) for c in changed],
        )
        ledger.append(con, events, at=at)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return TermsOutcome(True, new_versions=written, unchanged=len(active) - len(changed))


def classify_new_versions(con: duckdb.DuckDBPyConnection, new_table: str) -> dict[str, dict[str, Any]]:
    """New versions in ``new_table`` (``record_id, version_of, licence_id, metadata, content_sha256``)
    whose text equals their predecessor's and whose licence terms differ: record id -> event detail."""
    rows = con.execute(
        f"""SELECT n.record_id, n.version_of, o.licence_id, o.metadata, n.licence_id, n.metadata
            FROM {new_table} n JOIN records o ON o.record_id = n.version_of
            WHERE o.content_sha256 = n.content_sha256"""
    ).fetchall()
    out: dict[str, dict[str, Any]] = {}
    for rid, old_id, old_lic, old_meta, new_lic, new_meta in rows:
        old, new = terms_of(old_lic, old_meta), terms_of(new_lic, new_meta)
        if old != new:
            out[rid] = {"version_of": old_id, "old": old, "new": new, "text_reused": False}
    return out
