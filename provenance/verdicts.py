"""Verdict batches: one ledger event for the per-record verdicts of a stage's load batch.

A stage that leaves a record's text as it is still decides about it: normalise detects its script
(``script_detected``, stored in place in ``records.script``), the PII stage finds nothing personal (``pii_checked``,
``records.pii_state = 'clean'``). One ledger event per such record made them most of a stage's serial load (at
400k articles, 387,933 ``script_detected`` and 374,359 ``pii_checked`` events). A load batch now writes them as
rows of ``verdict_members`` (the batch event's seq, position, record id, verdict, the stage's per-record detail) and one
:data:`VERDICT_BATCH` event whose detail names the per-record ``action`` and carries ``records`` (how many) and
``digest``: the sha256 over the members' ``record_id:verdict:detail`` lines in ``pos`` order (the load's result
order), as :func:`members_digest` streams them.

:func:`verify_verdicts` recomputes every batch's count and digest from ``verdict_members`` (``curate audit
verify``), so a member added, removed or edited after the fact is caught; a member whose batch event does not
exist is named too. ``curate pii rekey`` rewrites members' ids (an old plain id is a digest of raw text) and
re-declares each affected batch's count and digest (:func:`rekey_members`, :data:`VERDICT_REKEYED`). :func:`members_as_events` gives the cross-checks and ``audit record`` each member in the shape
of the per-record event it replaces; catalogues from before keep their per-record events, which are read as well.
"""

from __future__ import annotations

import hashlib

import duckdb

from provenance import ledger
from provenance.batches import BatchCheck
from provenance.errors import CatalogueError

#: the ledger action of a verdict batch
VERDICT_BATCH = "verdict_batch"
#: a later event re-declaring a verdict batch's count and digest after ``curate pii rekey`` rewrote members' ids
#: (detail ``batch_seq``, ``records``, ``digest``, ``reason``): the newest one counts
VERDICT_REKEYED = "verdict_batch_rekeyed"
#: per-record actions that a load batch writes as a verdict batch, and what their verdict is
VERDICT_ACTIONS = ("script_detected", "pii_checked")
#: member lines fetched per step by :func:`members_digest`
DIGEST_FETCH = 5_000
_LINE = "record_id || ':' || verdict || ':' || coalesce(detail, '')"


def members_as_events(where: str = "TRUE") -> str:
    """SQL of the members ``m`` that satisfy ``where``, each as the per-record event it stands for: ``seq`` and
    ``event_id`` (the batch event's), ``record_id``, ``stage``, ``action`` (the per-record one), ``run_id``,
    ``actor``, ``created_at``, ``detail`` (the member's, with ``verdict_batch``: the batch's member count), ``verdict``."""
    return f"""
    SELECT e.seq, e.event_id, m.record_id, e.stage, json_extract_string(e.detail, '$.action') AS action, e.run_id,
           e.actor, e.created_at,
           json_merge_patch(coalesce(m.detail, '{{}}'),
                            json_object('verdict_batch', json_object('records', json_extract(e.detail, '$.records'))))
               AS detail,
           m.verdict
    FROM (SELECT * FROM verdict_members m WHERE {where}) m
    JOIN provenance_events e ON e.seq = m.batch_seq AND e.action = '{VERDICT_BATCH}'"""


def has_members(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the catalogue has the ``verdict_members`` table (migration 0110)."""
    q = "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'verdict_members'"
    return bool(con.execute(q).fetchall()[0][0])


def members_digest(con: duckdb.DuckDBPyConnection, rows_sql: str, params: dict | None = None) -> tuple[int, str]:
    """``(members, digest)`` of the ``(pos, record_id, verdict, detail)`` rows ``rows_sql`` selects, in ``pos`` order.

    The lines are streamed and hashed here (bounded by one fetch). Rows come back in the order they were inserted
    (DuckDB preserves it), which is ``pos`` order, so no sort is needed: sorting a batch's lines cost its load
    ~40 MB of peak memory at 400k articles. Should a scan not return them in strictly increasing ``pos`` order,
    they are read again sorted (by ``pos``, then line, so a forged duplicate position still gives one digest)."""
    digest = _streamed_digest(con, f"SELECT pos, {_LINE} FROM ({rows_sql})", params, strict=True)
    if digest is None:
        digest = _streamed_digest(con, f"SELECT pos, {_LINE} AS line FROM ({rows_sql}) ORDER BY pos, line", params)
    assert digest is not None
    return digest


def _streamed_digest(con, sql: str, params: dict | None, *, strict: bool = False) -> tuple[int, str] | None:
    """``(lines, sha256)`` of the second column's lines; None if ``strict`` and the first column does not increase."""
    cur = con.execute(sql, params or {})
    h, n, last = hashlib.sha256(), 0, -1
    while rows := cur.fetchmany(DIGEST_FETCH):
        if strict:
            for pos, _ in rows:
                if pos <= last:
                    return None
                last = pos
        h.update((("\n" if n else "") + "\n".join(r[1] for r in rows)).encode("utf-8"))
        n += len(rows)
    return n, h.hexdigest() if n else ""


def append_batch(con: duckdb.DuckDBPyConnection, *, stage: str, action: str, run_id: str, rows_sql: str) -> int:
    """One verdict batch of ``action`` from the ``(pos, record_id, verdict, detail)`` rows ``rows_sql`` selects
    (``pos``: unique, increasing in the order the rows are given, e.g. the load's result order).

    Appends the :data:`VERDICT_BATCH` event, then its members; call inside the caller's transaction (the load
    batch's). Returns the number of members (0: nothing is written)."""
    if action not in VERDICT_ACTIONS:
        raise ValueError(f"`{action}` is not a verdict action ({', '.join(VERDICT_ACTIONS)})")
    n, digest = members_digest(con, rows_sql)
    if not n:
        return 0
    verdicts = dict(con.execute(f"SELECT verdict, count(*) FROM ({rows_sql}) GROUP BY 1 ORDER BY 1").fetchall())
    detail = {"action": action, "records": n, "digest": digest, "verdicts": verdicts}
    ledger.append(con, [ledger.Event(stage=stage, action=VERDICT_BATCH, run_id=run_id, detail=detail)])
    seq = ledger.head(con)[0]
    con.execute(
        f"INSERT INTO verdict_members SELECT $seq, pos, record_id, verdict, detail FROM ({rows_sql})", {"seq": seq}
    )
    return n


#: per verdict batch (event seq), the newest count and digest declared for it: the batch event's, or a re-declaration's
_DECLARED = f"""
    WITH b AS (
        SELECT seq, event_id, CAST(json_extract(detail, '$.records') AS BIGINT) AS n,
               json_extract_string(detail, '$.digest') AS digest
        FROM provenance_events WHERE action = '{VERDICT_BATCH}'),
    rk AS (
        SELECT CAST(json_extract(detail, '$.batch_seq') AS BIGINT) AS bseq,
               arg_max(CAST(json_extract(detail, '$.records') AS BIGINT), seq) AS n,
               arg_max(json_extract_string(detail, '$.digest'), seq) AS digest
        FROM provenance_events WHERE action = '{VERDICT_REKEYED}' GROUP BY 1)
    SELECT b.seq, b.event_id, coalesce(rk.n, b.n) AS n, coalesce(rk.digest, b.digest) AS digest
    FROM b LEFT JOIN rk ON rk.bseq = b.seq"""


def _digest_now(con: duckdb.DuckDBPyConnection, seq: int) -> tuple[int, str]:
    rows = "SELECT pos, record_id, verdict, detail FROM verdict_members WHERE batch_seq = $seq"
    return members_digest(con, rows, {"seq": seq})


def rekey_members(con: duckdb.DuckDBPyConnection, ids_table: str, *, stage: str, run_id: str, reason: str) -> int:
    """Rewrite members' record ids by ``ids_table`` (``old_id``, ``new_id``) and re-declare each affected batch.

    For ``curate pii rekey`` (:mod:`curate.pii.rekey`), inside its transaction: an old plain id is a digest of raw
    text, so it may stay only in ledger rows written before the rekey, not here. Each affected batch must still
    match its declared digest first (else nothing is changed); then one :data:`VERDICT_REKEYED` event per batch
    carries its new count and digest. Returns the number of batches re-declared."""
    if not has_members(con):
        return 0
    seqs = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT batch_seq FROM verdict_members WHERE record_id IN (SELECT old_id FROM {ids_table})"
            " ORDER BY 1"
        ).fetchall()
    ]
    if not seqs:
        return 0
    declared = {
        seq: (n, digest)
        for seq, _, n, digest in con.execute(
            f"SELECT * FROM ({_DECLARED}) WHERE seq IN (SELECT unnest($s))", {"s": seqs}
        ).fetchall()
    }
    for seq in seqs:
        if _digest_now(con, seq) != declared.get(seq):
            raise CatalogueError(
                f"the verdict batch at ledger seq {seq} no longer matches its recorded digest, so its members cannot "
                "be rekeyed safely; run `curate audit verify` and repair the catalogue first; nothing was changed"
            )
    con.execute(
        f"UPDATE verdict_members SET record_id = m.new_id FROM {ids_table} m WHERE verdict_members.record_id = m.old_id"
    )
    events = []
    for seq in seqs:
        n, digest = _digest_now(con, seq)
        detail = {"batch_seq": seq, "records": n, "digest": digest, "reason": reason}
        events.append(ledger.Event(stage=stage, action=VERDICT_REKEYED, run_id=run_id, detail=detail))
    ledger.append(con, events)
    return len(seqs)


def verify_verdicts(con: duckdb.DuckDBPyConnection) -> BatchCheck:
    """Recompute every verdict batch's member count and digest from ``verdict_members``, batch by batch, against
    the newest declaration (the batch event, or a re-declaration after a rekey)."""
    batches = con.execute(f"SELECT seq, event_id, n, digest FROM ({_DECLARED}) ORDER BY seq").fetchall()
    if not has_members(con):  # a catalogue from before verdict batches, or the table was dropped
        if not batches:
            return BatchCheck(True, 0)
        seq, event_id = batches[0][:2]
        return BatchCheck(
            False,
            len(batches),
            seq,
            event_id,
            f"verdict_members is missing: the ledger has {len(batches)} verdict batches",
        )
    for seq, event_id, n_event, digest in batches:
        n_now, now = _digest_now(con, seq)
        if n_event == n_now and digest == now:
            continue
        what = (
            f"the batch had {n_event} members, verdict_members now has {n_now}"
            if n_event != n_now
            else "a member's record id, verdict or detail differs from what was recorded"
        )
        return BatchCheck(False, len(batches), seq, event_id, f"verdict batch digest mismatch: {what}")
    orphans = con.execute(
        "SELECT DISTINCT batch_seq FROM verdict_members WHERE batch_seq NOT IN"
        f" (SELECT seq FROM provenance_events WHERE action = '{VERDICT_BATCH}') ORDER BY 1 LIMIT 5"
    ).fetchall()
    if orphans:
        seqs = ", ".join(str(r[0]) for r in orphans)
        return BatchCheck(
            False, len(batches), orphans[0][0], None, f"verdict_members rows name no verdict batch event (seq {seqs})"
        )
    return BatchCheck(True, len(batches))
