"""Undoing dedup's part of a decision when a record it kept stops being active.

Dedup decided against the records active when it ran: a ``duplicate`` names its survivor (its newest
``duplicate_of`` event) and a near duplicate kept by the per-document policy names its representative
(``records.near_duplicate_of``). When that survivor or representative stops being active -- withdrawn
(:mod:`provenance.withdraw`) or superseded by a new version (ingest, a stage's derived version, a review) --
the decision no longer holds: the duplicate would stay out of every export for a text no export holds, and an
export with ``--drop-near-duplicates`` would leave out a provision whose kept copy it does not hold either.

So the records that relied on it are released here, in the caller's transaction: a duplicate becomes active
again (one ``duplicate_released`` event), a near duplicate loses its link (one ``near_duplicate_released``
event, its ``near_duplicates`` rows dropped), and both lose their dedup mark so that the next
``curate run dedup`` clusters them again with the records active then. ``curate audit verify`` names what is
left (:mod:`provenance.crosscheck`).
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from provenance import db, ledger
from provenance.crosscheck_base import events_view, rekeyed_id

#: the stage whose marks a record loses when it becomes active again (a released duplicate or near duplicate, a
#: reinstated record): dedup decided against the records active when it ran (``curate/stages/dedup.py``)
RECLUSTER_STAGE = "dedup"
#: why a record was released, by what happened to its survivor or representative
RELEASED_BECAUSE = {
    "withdrawn": "the copy dedup kept in its place was withdrawn; the next `curate run dedup` clusters it again",
    "superseded": (
        "the copy dedup kept in its place was superseded by a new version; the next `curate run dedup` clusters it"
        " again"
    ),
}


def release_dedup(
    con: duckdb.DuckDBPyConnection,
    gone: list[str],
    *,
    because: str,
    detail: dict[str, Any] | None = None,
    actor: str | None = None,
    run_id: str | None = None,
) -> int:
    """Release the duplicates and near duplicates whose survivor or representative is among ``gone`` (records
    that stopped being active ``because`` ``withdrawn`` or ``superseded``); ``detail`` goes into each event.
    Returns the number of records released."""
    if not gone:
        return 0
    extra = {"reason": RELEASED_BECAUSE[because], **(detail or {})}
    n = _release_duplicates(con, gone, extra, actor, run_id) + _release_near(con, gone, extra, actor, run_id)
    return n + _release_chained(con, gone, {**extra, "reason": CHAIN_GONE}, actor, run_id)


#: why a duplicate joined through a chain is released when a link of it goes (review 14)
CHAIN_GONE = (
    "it was a duplicate through a chain of copies (`matched`) and a link of the chain stopped being active; the next"
    " `curate run dedup` clusters it again, as one run over the records left would"
)


def _release_chained(
    con: duckdb.DuckDBPyConnection, gone: list[str], extra: dict[str, Any], actor: str | None, run_id: str | None
) -> int:
    """Release the duplicates joined to their survivor through a chain (their decision's ``matched``) whose link is
    among ``gone``, and, in turn, those joined through them: without the link, one run over the records left may keep
    them. Each gets a ``duplicate_released`` event naming its survivor and the ``matched`` member that went."""
    frontier, done = list(gone), set(gone)
    while frontier:
        rows = con.execute(
            f"""SELECT r.record_id, d.survivor, json_extract_string(d.detail, '$.matched') AS matched FROM records r
                JOIN ({dedup_decisions(con)}) d USING (record_id)
                WHERE r.status = 'duplicate' AND json_extract_string(d.detail, '$.matched') IN (SELECT unnest($ids))
                  AND NOT {NEWER_OF_ITS_DOCUMENT} ORDER BY r.record_id""",
            {"ids": frontier},
        ).fetchall()
        rows = [r for r in rows if r[0] not in done]
        if not rows:
            break
        ids = [rid for rid, _, _ in rows]
        con.execute("UPDATE records SET status = 'active' WHERE record_id IN (SELECT unnest($ids))", {"ids": ids})
        forget_dedup(con, ids)
        ledger.append(
            con,
            [
                ledger.Event(
                    stage="provenance",
                    action="duplicate_released",
                    record_id=rid,
                    run_id=run_id,
                    detail={**extra, "previous_status": "duplicate", "survivor": kept, "matched": matched},
                    actor=actor,
                )
                for rid, kept, matched in rows
            ],
        )
        done.update(ids)
        frontier = ids
    return len(done) - len(set(gone))


def release_superseded(
    con: duckdb.DuckDBPyConnection, candidates: str, params: dict[str, Any] | None = None, *, run_id: str | None
) -> int:
    """:func:`release_dedup` for the records of the query ``candidates`` (a ``SELECT`` of record ids, e.g. the
    parents of the versions just written) that are now ``superseded``. Only records dedup kept (indexed survivors,
    representatives) can have duplicates or near duplicates, so nothing else is read for the others."""
    if not con.execute("SELECT count(*) FROM (SELECT 1 FROM dedup_signatures LIMIT 1)").fetchone()[0]:
        return 0  # dedup never ran: nothing to release
    gone = [
        r[0]
        for r in con.execute(
            f"""WITH c AS (SELECT DISTINCT record_id FROM ({candidates}) q(record_id)
                           WHERE record_id IN (SELECT record_id FROM dedup_signatures
                                               UNION ALL SELECT representative FROM near_duplicates))
                SELECT r.record_id FROM records r WHERE r.record_id IN (SELECT record_id FROM c)
                  AND r.status = 'superseded' ORDER BY r.record_id""",
            params or {},
        ).fetchall()
    ]
    return release_dedup(con, gone, because="superseded", run_id=run_id)


#: a record ``r`` whose document (same source and ``doc_key``) has an active record beside it: its source gave the
#: document a new text since (a duplicate is no version parent, so that text became a record of its own). Such a
#: duplicate is stale, not released: active again, it would stand beside its document's current text and be exported.
#: Once that record stops being active (withdrawn), it is released; a licence correction reaches it all the same
#: (``curate/ingest_terms.py:correctable_sql``).
NEWER_OF_ITS_DOCUMENT = (
    "EXISTS (SELECT 1 FROM records o WHERE o.source_id = r.source_id AND o.doc_key = r.doc_key"
    " AND o.record_id <> r.record_id AND o.status = 'active')"
)


def carry_duplicates(con: duckdb.DuckDBPyConnection, versions: str, *, run_id: str | None) -> int:
    """A ``duplicate_of`` event for each new version of a duplicate in the query ``versions`` (``record_id,
    parent_id`` of versions written with ``status = 'duplicate'``), naming its parent's survivor: the new version is
    the duplicate now, and a release of that survivor reaches it (a correction's new version of a duplicate, whose
    survivor the same correction may supersede). Returns the number of events."""
    rows = con.execute(
        f"""SELECT v.record_id, v.parent_id, d.survivor, d.detail FROM ({versions}) v(record_id, parent_id)
            JOIN records r ON r.record_id = v.record_id AND r.status = 'duplicate'
            JOIN ({dedup_decisions(con)}) d ON d.record_id = v.parent_id ORDER BY v.record_id"""
    ).fetchall()
    ledger.append(
        con,
        [
            ledger.Event(
                stage="provenance",
                action="duplicate_of",
                record_id=rid,
                run_id=run_id,
                detail={**json.loads(detail or "{}"), "survivor": survivor, "carried_from": parent},
            )
            for rid, parent, survivor, detail in rows
        ],
    )
    return len(rows)


def dedup_decisions(con: duckdb.DuckDBPyConnection) -> str:
    """A query of ``(record_id, survivor, seq, detail)``: each record's newest ``duplicate_of`` event, the survivor it
    names (through ``curate pii rekey``'s renaming). A later dedup run that clustered the record again under another
    survivor wrote a newer one."""
    ev = events_view(con)
    survivor = rekeyed_id(ev, "json_extract_string(e.detail, '$.survivor')")
    return (
        f"SELECT DISTINCT ON (e.record_id) e.record_id, {survivor} AS survivor, e.seq, e.detail FROM {ev} e"
        " WHERE e.action = 'duplicate_of' AND e.record_id IS NOT NULL ORDER BY e.record_id, e.seq DESC"
    )


def survivors(con: duckdb.DuckDBPyConnection) -> str:
    """A query of ``(record_id, survivor)``: each record's survivor as its newest ``duplicate_of`` event names it
    (through ``curate pii rekey``'s renaming)."""
    return f"SELECT record_id, survivor FROM ({dedup_decisions(con)})"


def current_duplicates(con: duckdb.DuckDBPyConnection) -> str:
    """A query of ``(record_id, survivor, seq, detail)``: the records that are duplicates now (``status =
    'duplicate'``), each with the decision that keeps it one (:func:`dedup_decisions`). A released duplicate is
    active again and not here; every view of dedup's clusters (the report, the portal's record page) reads this."""
    return f"SELECT d.* FROM records r JOIN ({dedup_decisions(con)}) d USING (record_id) WHERE r.status = 'duplicate'"


def current_near_links(con: duckdb.DuckDBPyConnection) -> str:
    """A query of ``(record_id, representative, detail)``: the near-duplicate links standing now (an active record's
    ``near_duplicate_of``; a released link is NULL), each with its newest ``near_duplicate_of`` event's detail."""
    ev = events_view(con)
    return (
        "SELECT r.record_id, r.near_duplicate_of AS representative, e.detail FROM records r LEFT JOIN"
        f" (SELECT DISTINCT ON (record_id) record_id, detail FROM {ev} WHERE action = 'near_duplicate_of'"
        " AND record_id IS NOT NULL ORDER BY record_id, seq DESC) e USING (record_id)"
        " WHERE r.near_duplicate_of IS NOT NULL AND r.status = 'active'"
    )


def release_left_behind(con: duckdb.DuckDBPyConnection, *, run_id: str | None = None, actor: str | None = None) -> int:
    """Release what a catalogue written before releases existed left behind: duplicates whose survivor and links
    whose representative is withdrawn or superseded (``curate audit verify`` names them). The dedup stage calls it
    before its snapshot, so its run clusters them with the records active now. One transaction; returns the number
    of records released."""
    # every dedup run asks this: only the records some ``duplicate_of`` event names a withdrawn or superseded survivor
    # of are sorted for their newest decision, not every duplicate's (the same rows; 0.69 -> 0.34 s at 1M records,
    # 200k duplicates: docs/benchmarks.md, "Eighteenth hostile review")
    ev = events_view(con)
    named = rekeyed_id(ev, "json_extract_string(e.detail, '$.survivor')")
    gone = con.execute(
        f"""WITH g AS (SELECT record_id, status FROM records WHERE status IN ('withdrawn', 'superseded')),
                cand AS (SELECT DISTINCT e.record_id FROM {ev} e WHERE e.action = 'duplicate_of'
                         AND e.record_id IS NOT NULL AND {named} IN (SELECT record_id FROM g)),
                d AS (SELECT DISTINCT ON (e.record_id) e.record_id, {named} AS survivor FROM {ev} e
                      WHERE e.action = 'duplicate_of' AND e.record_id IN (SELECT record_id FROM cand)
                      ORDER BY e.record_id, e.seq DESC)
            SELECT s.record_id, s.status FROM g s
            WHERE s.record_id IN (SELECT near_duplicate_of FROM records WHERE near_duplicate_of IS NOT NULL)
               OR s.record_id IN (SELECT d.survivor FROM records r JOIN d USING (record_id) WHERE r.status = 'duplicate')
            ORDER BY s.record_id"""
    ).fetchall()
    if not gone:
        return 0
    with db.transaction(con):
        return sum(
            release_dedup(con, [r for r, st in gone if st == because], because=because, run_id=run_id, actor=actor)
            for because in ("withdrawn", "superseded")
        )


def _release_duplicates(
    con: duckdb.DuckDBPyConnection, gone: list[str], extra: dict[str, Any], actor: str | None, run_id: str | None
) -> int:
    """Make active again the duplicates whose survivor (their newest ``duplicate_of`` event's) is among ``gone``,
    with a ``duplicate_released`` event each, and drop their dedup mark; not those whose document has an active
    record beside them (:data:`NEWER_OF_ITS_DOCUMENT`)."""
    rows = con.execute(
        f"""SELECT r.record_id, d.survivor FROM records r JOIN ({survivors(con)}) d USING (record_id)
            WHERE r.status = 'duplicate' AND d.survivor IN (SELECT unnest($ids)) AND NOT {NEWER_OF_ITS_DOCUMENT}
            ORDER BY r.record_id""",
        {"ids": gone},
    ).fetchall()
    if not rows:
        return 0
    ids = [rid for rid, _ in rows]
    con.execute("UPDATE records SET status = 'active' WHERE record_id IN (SELECT unnest($ids))", {"ids": ids})
    forget_dedup(con, ids)
    _log(con, "duplicate_released", rows, "survivor", {**extra, "previous_status": "duplicate"}, actor, run_id)
    return len(rows)


def _release_near(
    con: duckdb.DuckDBPyConnection, gone: list[str], extra: dict[str, Any], actor: str | None, run_id: str | None
) -> int:
    """Drop the ``near_duplicate_of`` links (and ``near_duplicates`` rows) of the records whose representative is
    among ``gone``, with a ``near_duplicate_released`` event each, and drop their dedup mark."""
    rows = con.execute(
        "SELECT record_id, near_duplicate_of FROM records WHERE near_duplicate_of IN (SELECT unnest($ids))"
        " ORDER BY record_id",
        {"ids": gone},
    ).fetchall()
    if not rows:
        return 0
    ids = [rid for rid, _ in rows]
    con.execute("UPDATE records SET near_duplicate_of = NULL WHERE record_id IN (SELECT unnest($ids))", {"ids": ids})
    con.execute("DELETE FROM near_duplicates WHERE record_id IN (SELECT unnest($ids))", {"ids": ids})
    forget_dedup(con, ids)
    _log(con, "near_duplicate_released", rows, "representative", extra, actor, run_id)
    return len(rows)


def _log(
    con: duckdb.DuckDBPyConnection,
    action: str,
    rows: list[tuple[str, str]],
    kept_as: str,
    detail: dict[str, Any],
    actor: str | None,
    run_id: str | None,
) -> None:
    """One ``action`` event per released ``(record, the record dedup had kept)``, naming the latter ``kept_as``."""
    ledger.append(
        con,
        [
            ledger.Event(
                stage="provenance",
                action=action,
                record_id=rid,
                run_id=run_id,
                detail={**detail, kept_as: kept},
                actor=actor,
            )
            for rid, kept in rows
        ],
    )


def forget_dedup(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    """Drop the dedup marks of ``ids`` (records active again), so the next dedup run takes them as new input."""
    if ids:
        con.execute(
            "DELETE FROM stage_marks WHERE stage = $stage AND record_id IN (SELECT unnest($ids))",
            {"stage": RECLUSTER_STAGE, "ids": ids},
        )
