"""Withdrawal: mark a source's or a record's records, and every version derived from them, withdrawn.

Withdrawn records never appear in later exports; ``curate audit withdrawn`` lists past exports
that contained them so that recipients can be told.

Dedup decided against the records active then, so a status change undoes its part of that decision: the
duplicates and near duplicates of a record that a withdrawal takes out are released
(:mod:`provenance.dedup_release`: active again, link dropped, one event each) and lose their dedup mark, as does
a record a reinstatement makes active; the next ``curate run dedup`` clusters them again with the records active
now (a copy of the withdrawn text from another source then survives).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from provenance import ledger
from provenance.crosscheck_base import events_view, rekeyed_id
from provenance.db import transaction
from provenance.dedup_release import forget_dedup, release_dedup
from provenance.errors import UsageError
from provenance.version_chain import descendants_cte


@dataclass(frozen=True, slots=True)
class WithdrawResult:
    """What a withdrawal changed."""

    scope: str
    target: str
    records: int
    """Records newly marked withdrawn (including derived versions)."""
    seq: int
    """Ledger seq of the withdrawal event."""
    released: int = 0
    """Duplicates of a withdrawn survivor made active again and near duplicates of a withdrawn representative
    unlinked, for the next dedup run to cluster."""
    superseded: int = 0
    """Active versions of the reinstated records' documents that a reinstated one replaced, superseded (an older text
    made active while the newer one was withdrawn: a stale duplicate released)."""
    label_studio_tasks: int = 0
    """Label Studio tasks that show the withdrawn records (the bank's next `curate annotate push` or `pull` deletes
    the unannotated ones: ``annotation/retract.py``)."""


#: the roots a withdrawal names (``{root}``: a condition on ``records``) and every version derived from them
_DESCENDANTS_SQL = (
    f"WITH RECURSIVE {descendants_cte('tree', 'SELECT record_id FROM records WHERE {root}')}"
    " SELECT DISTINCT record_id FROM tree ORDER BY record_id"
)


def affected_records(
    con: duckdb.DuckDBPyConnection, *, source_id: str | None = None, record_id: str | None = None
) -> list[str]:
    """Record ids a withdrawal reaches: the roots and every version derived from them."""
    if (source_id is None) == (record_id is None):
        raise UsageError("withdraw needs exactly one of --source or --record")
    if source_id is not None:
        if (
            not con.execute("SELECT 1 FROM sources WHERE source_id = ?", [source_id]).fetchone()
            and not con.execute("SELECT 1 FROM records WHERE source_id = ? LIMIT 1", [source_id]).fetchone()
        ):
            raise UsageError(f"source `{source_id}` is not in the catalogue; see `curate audit licences`")
        rows = con.execute(_DESCENDANTS_SQL.format(root="source_id = ?"), [source_id]).fetchall()
    else:
        if not con.execute("SELECT 1 FROM records WHERE record_id = ?", [record_id]).fetchone():
            raise UsageError(f"record `{record_id}` is not in the catalogue; see `curate audit sql`")
        rows = con.execute(_DESCENDANTS_SQL.format(root="record_id = ?"), [record_id]).fetchall()
    return [r[0] for r in rows]


def withdraw(
    con: duckdb.DuckDBPyConnection,
    *,
    source_id: str | None = None,
    record_id: str | None = None,
    reason: str,
    actor: str | None = None,
) -> WithdrawResult:
    """Withdraw a source or a record (cascading to derived versions) in one transaction.

    Writes one ledger event per newly withdrawn record plus one summary event, and a row in
    ``withdrawals``. Withdrawing again is harmless (already withdrawn records are not counted).
    """
    if not reason or not reason.strip():
        raise UsageError("withdraw needs a non-empty --reason")
    scope, target = ("source", source_id) if source_id is not None else ("record", record_id)
    with transaction(con):
        ids = affected_records(con, source_id=source_id, record_id=record_id)
        con.execute("CREATE OR REPLACE TEMP TABLE _withdraw_ids (record_id VARCHAR)")
        con.executemany("INSERT INTO _withdraw_ids VALUES (?)", [(i,) for i in ids])
        prior = con.execute(
            "SELECT r.record_id, r.status FROM records r JOIN _withdraw_ids w USING (record_id)"
            " WHERE r.status <> 'withdrawn' ORDER BY r.record_id"
        ).fetchall()
        con.execute(
            "UPDATE records SET status = 'withdrawn' WHERE record_id IN (SELECT record_id FROM _withdraw_ids)"
            " AND status <> 'withdrawn'"
        )
        con.execute("DROP TABLE _withdraw_ids")
        seq = _record_decision(
            con, ("withdraw", "withdrawal", "withdrawals", "previous_status"), scope, target, reason, prior, actor
        )
        released = release_dedup(
            con, [rid for rid, _ in prior], because="withdrawn", detail={"withdrawal_seq": seq}, actor=actor
        )
        tasks = con.execute(
            "SELECT count(*) FROM annotation_tasks WHERE retracted_at IS NULL AND record_id IN (SELECT unnest(?))",
            [[rid for rid, _ in prior]],
        ).fetchone()[0]
    return WithdrawResult(
        scope=scope, target=target, records=len(prior), seq=seq, released=released, label_studio_tasks=tasks
    )


#: the event of an active version a reinstatement supersedes (a newer version of its document is active again)
SUPERSEDED_ON_REINSTATEMENT = "superseded_on_reinstatement"

#: source ids under a withdrawal that no later reinstatement lifted (a query over ``withdrawals``)
STANDING_SOURCE_WITHDRAWALS = """
    SELECT w.target AS source_id, max(w.withdrawal_seq) AS seq FROM withdrawals w
    WHERE w.scope = 'source' AND NOT EXISTS (
        SELECT 1 FROM reinstatements u WHERE u.scope = 'source' AND u.target = w.target
          AND u.reinstatement_seq > w.withdrawal_seq)
    GROUP BY w.target
"""


def standing_status_sql(relation: str) -> str:
    """SQL selecting ``record_id, seq, scope, target`` of the rows of ``relation`` (with ``record_id``,
    ``source_id``, ``doc_key``) that a standing withdrawal covers: their source is withdrawn, or
    another version of their document is (withdrawal sticks to re-ingested items)."""
    return f"""
        SELECT n.record_id, s.seq,
               CASE WHEN s.seq IS NOT NULL THEN 'source' ELSE 'document' END AS scope,
               CASE WHEN s.seq IS NOT NULL THEN n.source_id ELSE n.doc_key END AS target
        FROM {relation} n
        LEFT JOIN ({STANDING_SOURCE_WITHDRAWALS}) s ON s.source_id = n.source_id
        WHERE s.seq IS NOT NULL OR n.doc_key IN (
            SELECT doc_key FROM records WHERE status = 'withdrawn' AND doc_key IN (SELECT doc_key FROM {relation}))
    """


def hold_withdrawn(con: duckdb.DuckDBPyConnection, relation: str, *, run_id: str | None = None) -> int:
    """Mark the just-written records of ``relation`` that a standing withdrawal covers ``withdrawn``.

    One ``withdraw`` ledger event per record (``previous_status`` active, so a reinstatement makes it
    active). Call inside the writer's transaction, after the records are inserted.
    """
    held = con.execute(f"SELECT * FROM ({standing_status_sql(relation)}) ORDER BY record_id").fetchall()
    return _hold(con, held, run_id)


def restored_status_sql(relation: str) -> str:
    """SQL selecting ``record_id, status`` of the withdrawn rows of ``relation`` (with ``record_id, source_id, doc_key,
    version_of, created_at, status``): the status a reinstatement gives each, the one before its newest ``withdraw``
    event, except ``superseded`` for an active one beside a newer active version of its document (some ingested or
    corrected while it was withdrawn) and for a duplicate whose own new version (a licence correction's:
    :func:`hold_corrections`) comes back a duplicate. :func:`reinstate` applies it, then compares what comes back
    active with the active versions already there (:func:`_newest_active`); :func:`revivable_sql` reads it."""
    return f"""
        WITH back AS (
            SELECT r.record_id, r.source_id, r.doc_key, r.version_of, r.created_at,
                   coalesce(json_extract_string(e.detail, '$.previous_status'), 'active') AS st
            FROM {relation} r JOIN (
                SELECT DISTINCT ON (record_id) record_id, detail FROM provenance_events WHERE action = 'withdraw'
                  AND record_id IN (SELECT record_id FROM {relation} WHERE status = 'withdrawn')
                ORDER BY record_id, seq DESC) e USING (record_id)
            WHERE r.status = 'withdrawn')
        SELECT b.record_id,
               CASE WHEN b.st = 'active' AND EXISTS (
                        SELECT 1 FROM back n WHERE n.source_id = b.source_id AND n.doc_key = b.doc_key
                          AND n.st = 'active' AND (n.created_at, n.record_id) > (b.created_at, b.record_id))
                      OR b.st = 'duplicate' AND EXISTS (
                        SELECT 1 FROM back n WHERE n.version_of = b.record_id AND n.st = 'duplicate')
                    THEN 'superseded' ELSE b.st END AS status
        FROM back b"""


def revivable_sql(relation: str) -> str:
    """SQL selecting ``record_id, status`` of the withdrawn rows of ``relation`` that a reinstatement makes active or
    a duplicate again, with that status (:func:`restored_status_sql` without those it supersedes). A licence
    correction gives each of them a new version, held withdrawn (:func:`hold_corrections`)."""
    return f"SELECT record_id, status FROM ({restored_status_sql(relation)}) WHERE status <> 'superseded'"


def hold_corrections(con: duckdb.DuckDBPyConnection, versions: str, *, run_id: str | None) -> int:
    """Withdraw the new versions of the query ``versions`` (``record_id, parent_id``) whose parent is withdrawn: a
    licence correction's versions of withdrawn records (:func:`revivable_sql`), so that a reinstatement brings back
    the corrected version, not its parent on the old terms. Each keeps the status it was written with as
    ``previous_status`` (active or duplicate); one ``withdraw`` event each, inside the writer's transaction."""
    held = con.execute(
        f"""SELECT v.record_id,
                   coalesce(TRY_CAST(json_extract_string(w.detail, '$.withdrawal_seq') AS BIGINT),
                            (SELECT min(s.seq) FROM provenance_events s WHERE s.action = 'withdrawal'
                               AND s.seq > w.seq)),
                   'record', v.parent_id, n.status
            FROM ({versions}) v(record_id, parent_id)
            JOIN records n ON n.record_id = v.record_id AND n.status IN ('active', 'duplicate')
            JOIN records p ON p.record_id = v.parent_id AND p.status = 'withdrawn'
            LEFT JOIN (SELECT DISTINCT ON (record_id) record_id, seq, detail FROM provenance_events
                       WHERE action = 'withdraw' AND record_id IN (SELECT parent_id FROM ({versions}) q(r, parent_id))
                       ORDER BY record_id, seq DESC) w ON w.record_id = v.parent_id
            ORDER BY v.record_id"""
    ).fetchall()
    return _hold(con, held, run_id)


#: why a version written while a withdrawal stands is withdrawn, by the withdrawal's scope
_HELD_BECAUSE = {
    "source": "a withdrawal stands for this source",
    "document": "a withdrawal stands for this document",
    "record": "the version it derives from is withdrawn",
}


def _hold(con: duckdb.DuckDBPyConnection, held: list[tuple], run_id: str | None) -> int:
    """Mark ``held`` rows ``(record_id, withdrawal seq, scope, target[, status])`` withdrawn, one ``withdraw`` event
    each (``previous_status``: their status, active unless given)."""
    if not held:
        return 0
    con.execute(  # one statement: records has no index to make a per-id UPDATE a point write (0101)
        "UPDATE records SET status = 'withdrawn' WHERE record_id IN (SELECT unnest($ids))"
        " AND status IN ('active', 'duplicate')",
        {"ids": [r[0] for r in held]},
    )
    ledger.append(
        con,
        [
            ledger.Event(
                stage="provenance",
                action="withdraw",
                record_id=rid,
                run_id=run_id,
                detail={
                    "scope": scope,
                    "target": target,
                    "reason": _HELD_BECAUSE[scope] + "; lift it with `curate provenance reinstate`",
                    "previous_status": status[0] if status else "active",
                    "withdrawal_seq": seq,
                },
            )
            for rid, seq, scope, target, *status in held
        ],
    )
    return len(held)


def hold_withdrawn_versions(con: duckdb.DuckDBPyConnection, *, start: int, run_id: str) -> int:
    """Withdraw the versions a stage run just wrote (rows from position ``start`` on, of ``run_id``) whose parent is
    withdrawn now or whose source stands withdrawn: a withdrawal made while the run was computing (between its
    snapshot and its load) covers them as it covers versions derived before it. Only the parent counts, not other
    versions of the document (a withdrawn historical version does not withdraw the current one's new version).
    Nothing is read when no withdrawal was ever made."""
    if not con.execute("SELECT count(*) FROM withdrawals").fetchone()[0]:
        return 0
    held = con.execute(
        f"""SELECT n.record_id,
                   coalesce(s.seq, (SELECT min(w.seq) FROM provenance_events w WHERE w.action = 'withdrawal'
                                    AND w.seq > (SELECT max(e.seq) FROM provenance_events e
                                                 WHERE e.record_id = p.record_id AND e.action = 'withdraw'))),
                   CASE WHEN s.seq IS NOT NULL THEN 'source' ELSE 'record' END,
                   CASE WHEN s.seq IS NOT NULL THEN n.source_id ELSE p.record_id END
            FROM (SELECT record_id, source_id, version_of FROM records
                  WHERE rowid >= $start AND run_id = $run AND status = 'active') n
            LEFT JOIN ({STANDING_SOURCE_WITHDRAWALS}) s ON s.source_id = n.source_id
            LEFT JOIN records p ON p.record_id = n.version_of
            WHERE s.seq IS NOT NULL OR p.status = 'withdrawn'
            ORDER BY n.record_id""",
        {"start": int(start), "run": run_id},
    ).fetchall()
    return _hold(con, held, run_id)


def reinstate(
    con: duckdb.DuckDBPyConnection,
    *,
    source_id: str | None = None,
    record_id: str | None = None,
    reason: str,
    actor: str | None = None,
) -> WithdrawResult:
    """Lift a withdrawal: withdrawn records of the source (or the record and its derived versions)
    get back the status they had before, with one ledger event each, a summary event and a row in
    ``reinstatements``; of them and the active versions of their documents, the newest stays active
    (:func:`_newest_active`). New records of the source are no longer withdrawn at ingest."""
    if not reason or not reason.strip():
        raise UsageError("reinstate needs a non-empty --reason")
    scope, target = ("source", source_id) if source_id is not None else ("record", record_id)
    with transaction(con):
        ids = affected_records(con, source_id=source_id, record_id=record_id)
        con.execute("CREATE OR REPLACE TEMP TABLE _reinstate_ids (record_id VARCHAR)")
        con.executemany("INSERT INTO _reinstate_ids VALUES (?)", [(i,) for i in ids])
        # the status each record had before its newest withdraw event, or superseded (restored_status_sql)
        rows = con.execute(
            f"SELECT * FROM ({restored_status_sql('(SELECT r.* FROM records r JOIN _reinstate_ids USING (record_id))')})"
            " ORDER BY record_id"
        ).fetchall()
        con.execute("DROP TABLE _reinstate_ids")
        rows, displaced = _newest_active(con, rows)
        for st in sorted({st for _, st in rows}):  # one statement per status (records has no index: 0101)
            con.execute(
                "UPDATE records SET status = $st WHERE record_id IN (SELECT unnest($ids))",
                {"st": st, "ids": [rid for rid, s in rows if s == st]},
            )
        # while it was withdrawn, a copy of it may have survived dedup in its place: cluster it again
        forget_dedup(con, [rid for rid, st in rows if st == "active"])
        seq = _record_decision(
            con, ("reinstate", "reinstatement", "reinstatements", "status"), scope, target, reason, rows, actor
        )
        _supersede_displaced(con, displaced, seq, actor)
        # a duplicate reinstated while its survivor stays withdrawn, or is superseded now (by its licence correction's
        # version, reinstated with it: hold_corrections): released, as the survivor's withdrawal or supersession would
        gone = _gone_survivors(con, [rid for rid, st in rows if st == "duplicate"])
        for because in ("withdrawn", "superseded"):
            release_dedup(
                con,
                [s for s, st in gone if st == because],
                because=because,
                detail={"withdrawal_seq": seq},
                actor=actor,
            )
    return WithdrawResult(scope=scope, target=target, records=len(rows), seq=seq, superseded=len(displaced))


#: per version of ``_doc_versions``, when its text came: the ``created_at`` of the version that brought it, found by
#: walking up ``version_of`` through versions that kept their parent's text (a licence correction's) or were made by a
#: stage
_TEXT_AT_SQL = """
WITH RECURSIVE up(start_id, record_id) AS (
    SELECT record_id, record_id FROM _doc_versions
    UNION
    SELECT u.start_id, p.record_id FROM up u JOIN _doc_versions c ON c.record_id = u.record_id
    JOIN _doc_versions p ON p.record_id = c.version_of
    WHERE c.stage IS DISTINCT FROM 'ingest' OR c.content_sha256 IS NOT DISTINCT FROM p.content_sha256)
SELECT u.start_id AS record_id, min(v.created_at) AS text_at FROM up u JOIN _doc_versions v USING (record_id)
GROUP BY 1
"""


def _newest_active(
    con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str]]
) -> tuple[list[tuple[str, str]], list[str]]:
    """Of the records ``rows`` (``record_id, status``) brings back active and the active versions of their documents,
    the newest stays active: by the time its text came (:data:`_TEXT_AT_SQL`), then by its own. ``rows`` with the
    older ones superseded, and the active versions the reinstated ones replace. An older text may be active beside a
    withdrawn newer one: a stale duplicate released meanwhile (``provenance/dedup_release.py``); reinstated, the newer
    one replaces it (review 7 of the relicense fixes, finding 1)."""
    back = [rid for rid, st in rows if st == "active"]
    if not back:
        return rows, []
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _doc_versions AS SELECT record_id, source_id, doc_key, version_of, stage,"
        " content_sha256, created_at, status FROM records"
        " WHERE doc_key IN (SELECT doc_key FROM records WHERE record_id IN (SELECT unnest($ids)))",
        {"ids": back},
    )
    try:
        ranked = con.execute(
            f"""SELECT v.record_id, v.status = 'active' FROM _doc_versions v JOIN ({_TEXT_AT_SQL}) t USING (record_id)
                WHERE v.status = 'active' OR v.record_id IN (SELECT unnest($ids))
                QUALIFY row_number() OVER (PARTITION BY v.source_id, v.doc_key
                                           ORDER BY t.text_at DESC, v.created_at DESC, v.record_id DESC) > 1""",
            {"ids": back},
        ).fetchall()
    finally:
        con.execute("DROP TABLE _doc_versions")
    older = {rid for rid, _ in ranked}
    return [(rid, "superseded" if rid in older else st) for rid, st in rows], sorted(
        r for r, active in ranked if active
    )


def _supersede_displaced(con: duckdb.DuckDBPyConnection, ids: list[str], seq: int, actor: str | None) -> None:
    """Supersede the active versions a reinstatement replaced (:func:`_newest_active`), one
    ``superseded_on_reinstatement`` event each, and release what dedup kept in their place."""
    if not ids:
        return
    con.execute("UPDATE records SET status = 'superseded' WHERE record_id IN (SELECT unnest($ids))", {"ids": ids})
    reason = "a reinstatement made a newer version of its document active; see `curate audit record`"
    ledger.append(
        con,
        [
            ledger.Event(
                stage="provenance",
                action=SUPERSEDED_ON_REINSTATEMENT,
                record_id=rid,
                detail={"reason": reason, "reinstatement_seq": seq},
                actor=actor,
            )
            for rid in ids
        ],
    )
    release_dedup(con, ids, because="superseded", detail={"withdrawal_seq": seq}, actor=actor)


def _gone_survivors(con: duckdb.DuckDBPyConnection, duplicates: list[str]) -> list[tuple[str, str]]:
    """``(survivor, status)`` of the survivors (of their newest ``duplicate_of`` event) of these duplicates that stand
    withdrawn or are superseded."""
    if not duplicates:
        return []
    ev = events_view(con)
    survivor = rekeyed_id(ev, "json_extract_string(e.detail, '$.survivor')")
    return con.execute(
        f"""SELECT DISTINCT d.survivor, s.status FROM (
                SELECT DISTINCT ON (e.record_id) e.record_id, {survivor} AS survivor FROM {ev} e
                WHERE e.action = 'duplicate_of' AND e.record_id IN (SELECT unnest($ids))
                ORDER BY e.record_id, e.seq DESC) d
            JOIN records s ON s.record_id = d.survivor AND s.status IN ('withdrawn', 'superseded')
            ORDER BY ALL""",
        {"ids": duplicates},
    ).fetchall()


def _record_decision(
    con: duckdb.DuckDBPyConnection,
    kind: tuple[str, str, str, str],
    scope: str,
    target: str,
    reason: str,
    rows: list[tuple[str, str]],
    actor: str | None,
) -> int:
    """Ledger rows of a withdrawal or reinstatement (one per record, one summary) and its table row.

    ``kind`` is (per-record action, summary action, table, detail key of each record's status); ``rows`` are
    (record_id, status). Returns the summary event's seq, which keys the table row.
    """
    action, summary, table, status_key = kind
    base = {"scope": scope, "target": target, "reason": reason}
    events = [
        ledger.Event(stage="provenance", action=action, record_id=rid, detail={**base, status_key: st}, actor=actor)
        for rid, st in rows
    ]
    events.append(ledger.Event(stage="provenance", action=summary, detail={**base, "records": len(rows)}, actor=actor))
    created = ledger.now()
    ledger.append(con, events, at=created)
    seq = con.execute("SELECT max(seq) FROM provenance_events").fetchone()[0]
    con.execute(
        f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?)", [seq, scope, target, reason, len(rows), created, actor]
    )
    return seq
