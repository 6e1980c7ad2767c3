"""Withdrawal: mark a source's or a record's records, and every version derived from them, withdrawn.

Withdrawn records never appear in later exports; ``curate audit withdrawn`` lists past exports
that contained them so that recipients can be told.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from provenance import ledger
from provenance.db import transaction
from provenance.errors import CatalogueError, UsageError


@dataclass(frozen=True, slots=True)
class WithdrawResult:
    """What a withdrawal changed."""

    scope: str
    target: str
    records: int
    """Records newly marked withdrawn (including derived versions)."""
    seq: int
    """Ledger seq of the withdrawal event."""


_DESCENDANTS_SQL = """
WITH RECURSIVE tree(record_id) AS (
    SELECT record_id FROM records WHERE {root}
    UNION
    SELECT r.record_id FROM records r JOIN tree t ON r.version_of = t.record_id
)
SELECT DISTINCT record_id FROM tree ORDER BY record_id
"""


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
            raise CatalogueError(f"source `{source_id}` is not in the catalogue; see `curate audit licences`")
        rows = con.execute(_DESCENDANTS_SQL.format(root="source_id = ?"), [source_id]).fetchall()
    else:
        if not con.execute("SELECT 1 FROM records WHERE record_id = ?", [record_id]).fetchone():
            raise CatalogueError(f"record `{record_id}` is not in the catalogue")
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
        events = [
            ledger.Event(
                stage="provenance",
                action="withdraw",
                record_id=rid,
                detail={"scope": scope, "target": target, "reason": reason, "previous_status": st},
                actor=actor,
            )
            for rid, st in prior
        ]
        events.append(
            ledger.Event(
                stage="provenance",
                action="withdrawal",
                detail={"scope": scope, "target": target, "reason": reason, "records": len(prior)},
                actor=actor,
            )
        )
        created = ledger.now()
        ledger.append(con, events, at=created)
        seq = con.execute("SELECT max(seq) FROM provenance_events").fetchone()[0]
        con.execute(
            "INSERT INTO withdrawals VALUES (?, ?, ?, ?, ?, ?, ?)",
            [seq, scope, target, reason, len(prior), created, actor],
        )
    return WithdrawResult(scope=scope, target=target, records=len(prior), seq=seq)
