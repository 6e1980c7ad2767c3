"""Create many record versions at once, exactly as :func:`provenance.records.create_version` would.

``create_version`` costs several queries and a ledger append per record; a pull of thousands of
corrections would spend most of its time there. :func:`create_versions` does the same work in a
few set-based statements: same derived ids, same copied and overridden columns, the parent marked
``superseded``, one ledger event per version on the parent with ``new_record_id`` in the detail.
A test checks that both produce identical rows and events.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import duckdb

from provenance import ledger
from provenance.dedup_release import release_superseded
from provenance.errors import KeyRequiredError
from provenance.records import derived_record_id, insert_versions, version_seals


@dataclass(frozen=True, slots=True)
class NewVersion:
    """One version to create (``pii_state`` None = inherit from the parent, like ``fields``)."""

    parent_id: str
    new_text: str
    action: str
    detail: dict[str, Any] = field(default_factory=dict)
    actor: str | None = None
    pii_state: str | None = None
    #: a version of a ``pii_expected`` source derived before the PII stage, or an annotator's correction: keyed id
    #: and content digest
    keyed: bool = False
    #: the new version's title and metadata (None: the parent's; metadata is merged into the parent's as a JSON patch)
    title: str | None = None
    metadata: dict[str, Any] | None = None


class KeyedDigests(Protocol):
    """Keyed ids and digests under the PII key (``curate.pii.review.VaultReview``; the kernel never holds it)."""

    def derived_id(self, parent_id: str, stage: str, text: str) -> str: ...

    def content(self, text: str) -> str: ...


def create_versions(
    con: duckdb.DuckDBPyConnection,
    versions: Sequence[NewVersion],
    *,
    stage: str,
    run_id: str,
    keys: KeyedDigests | None = None,
) -> list[str | None]:
    """Create the versions (inside the caller's transaction); returns new ids (None where it existed).

    A version marked ``keyed`` gets ``keys``' derived id and content digest (as the runner gives a hygiene
    version of a ``pii_expected`` source: a plain digest of raw text is a brute-force oracle, issue 13).
    """
    if not versions:
        return []
    import pyarrow as pa

    if keys is None and any(v.keyed for v in versions):
        raise KeyRequiredError(
            f"stage `{stage}`: versions of sources marked pii_expected, and annotators' corrections (text a person "
            "typed), get keyed ids and digests (HMAC-SHA256 under the PII key) so that they cannot be used to guess "
            "personal data; set CURATE_PII_KEY or "
            "CURATE_PII_KEY_FILE and run the command again; nothing was written"
        )
    ids = [
        keys.derived_id(v.parent_id, stage, v.new_text)
        if v.keyed and keys
        else derived_record_id(v.parent_id, stage, v.new_text)
        for v in versions
    ]
    existing = {
        r[0]
        for r in con.execute("SELECT record_id FROM records WHERE record_id IN (SELECT unnest(?))", [ids]).fetchall()
    }
    todo, out, seen = [], [], set()
    for v, nid in zip(versions, ids, strict=True):
        if nid in existing or nid in seen:
            out.append(None)
            continue
        seen.add(nid)
        todo.append((v, nid))
        out.append(nid)
    if not todo:
        return out
    table = pa.table(
        {
            "record_id": [nid for _, nid in todo],
            "parent_id": [v.parent_id for v, _ in todo],
            "text": [v.new_text for v, _ in todo],
            "pii_state": pa.array([v.pii_state for v, _ in todo], pa.string()),
            "title": pa.array([v.title for v, _ in todo], pa.string()),
            "metadata": pa.array(
                [None if v.metadata is None else json.dumps(v.metadata, ensure_ascii=False) for v, _ in todo],
                pa.string(),
            ),
            "content_sha256": pa.array(
                [keys.content(v.new_text) if v.keyed and keys else None for v, _ in todo], pa.string()
            ),
            "ord": pa.array(range(len(todo)), pa.int64()),
        }
    )
    con.register("_ls_versions", table)
    try:
        terms_digest = keys.content if keys is not None else None
        insert_versions(con, "_ls_versions", run_id=run_id, stage=stage, order_by="ord", terms_digest=terms_digest)
        con.execute(
            "UPDATE records SET status = 'superseded' WHERE status = 'active' AND record_id IN "
            "(SELECT parent_id FROM _ls_versions)"
        )
        release_superseded(con, "SELECT parent_id FROM _ls_versions", run_id=run_id)
    finally:
        con.unregister("_ls_versions")
    seals = version_seals(con, [nid for _, nid in todo])
    ledger.append(
        con,
        [
            ledger.Event(
                stage=stage,
                action=v.action,
                record_id=v.parent_id,
                run_id=run_id,
                detail={**seals.get(nid, {"new_record_id": nid}), **v.detail},
                actor=v.actor,
            )
            for v, nid in todo
        ],
    )
    return out


__all__ = ["KeyedDigests", "NewVersion", "create_versions"]
