"""Records held from export while the manifest rows for their file disagree (``licence_holds``, migration 0112).

An ingest whose rows for one file are all rejected as conflicting (a licence correction added beside the old row,
or a row naming a licence id the catalogue does not know) leaves that file's records under terms the manifest no
longer states unambiguously. :func:`hold` marks them: a row each in ``licence_holds`` and a ``licence_disputed``
event each (detail: the file's ``container`` and why). The export decision (:mod:`provenance._selection`) blocks a
held record with reason ``licence_disputed``. A later ingest whose rows for the file agree again calls
:func:`release`: the rows go, with a ``licence_dispute_released`` event each. :func:`verify_holds` (``audit verify``)
compares the table with the events, file by file (containers survive ``curate pii rekey``; record ids do not).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb

from provenance import ledger

__all__ = ["HOLD_ACTION", "RELEASE_ACTION", "REASON", "held_ids", "held_reason", "hold", "release", "verify_holds"]

HOLD_ACTION = "licence_disputed"
RELEASE_ACTION = "licence_dispute_released"
#: the export's block reason (blocked.csv, counts)
REASON = "licence_disputed"
_TABLE = "licence_holds"


def _exists(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            f"SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = '{_TABLE}'"
        ).fetchall()[0][0]
    )


def hold(
    con: duckdb.DuckDBPyConnection, disputes: dict[str, str], *, run_id: str | None, at: Any = None
) -> dict[str, int]:
    """Hold the active records of each disputed file (``container -> why``), inside the caller's transaction.

    Returns ``container -> records held`` (those held already included; only new holds get an event).
    """
    if not disputes:
        return {}
    at = at or ledger.now()
    rows = con.execute(
        "SELECT r.container, r.record_id, h.record_id IS NOT NULL FROM records r"
        f" LEFT JOIN {_TABLE} h ON h.record_id = r.record_id"
        " WHERE r.status = 'active' AND r.container IN (SELECT unnest($c)) ORDER BY r.container, r.record_id",
        {"c": sorted(disputes)},
    ).fetchall()
    held: dict[str, int] = {}
    new = [(rid, container) for container, rid, already in rows if not already]
    for container, _, _ in rows:
        held[container] = held.get(container, 0) + 1
    if new:
        con.executemany(f"INSERT INTO {_TABLE} VALUES (?, ?, ?, ?)", [(rid, c, run_id, at) for rid, c in new])
        events = [
            ledger.Event(
                stage="ingest",
                action=HOLD_ACTION,
                record_id=rid,
                run_id=run_id,
                detail={"container": c, "reason": disputes[c], "status": "held"},
            )
            for rid, c in new
        ]
        ledger.append(con, events, at=at)
    return held


def release(con: duckdb.DuckDBPyConnection, containers: Iterable[str], *, run_id: str | None, at: Any = None) -> int:
    """Release the holds of these files (their rows agree again), inside the caller's transaction; how many."""
    containers = sorted(set(containers))
    if not containers:
        return 0
    rows = con.execute(
        f"SELECT record_id, container FROM {_TABLE} WHERE container IN (SELECT unnest($c)) ORDER BY 2, 1",
        {"c": containers},
    ).fetchall()
    if not rows:
        return 0
    con.execute(f"DELETE FROM {_TABLE} WHERE container IN (SELECT unnest($c))", {"c": containers})
    events = [
        ledger.Event(stage="ingest", action=RELEASE_ACTION, record_id=rid, run_id=run_id, detail={"container": c})
        for rid, c in rows
    ]
    ledger.append(con, events, at=at or ledger.now())
    return len(rows)


def held_ids(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Ids of the records held now (an older catalogue without the table holds none)."""
    if not _exists(con):
        return frozenset()
    return frozenset(r[0] for r in con.execute(f"SELECT record_id FROM {_TABLE}").fetchall())


def held_reason(con: duckdb.DuckDBPyConnection, record_id: str) -> dict[str, Any] | None:
    """The hold of one record (``container, run_id, held_at``), None when it is not held."""
    if not _exists(con):
        return None
    rows = con.execute(f"SELECT container, run_id, held_at FROM {_TABLE} WHERE record_id = ?", [record_id]).fetchall()
    return {"container": rows[0][0], "run_id": rows[0][1], "held_at": rows[0][2]} if rows else None


def verify_holds(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """``(container, problem)`` where the table and the ledger disagree: a file whose newest hold/release event is a
    hold but that has no row (deleted without a release: its records would be exported), or rows without it."""
    if not _exists(con):
        return []
    rows = con.execute(
        f"""WITH ev AS (
                SELECT json_extract_string(detail, '$.container') AS container, arg_max(action, seq) AS last
                FROM provenance_events WHERE action IN ('{HOLD_ACTION}', '{RELEASE_ACTION}') GROUP BY 1),
            tb AS (SELECT DISTINCT container FROM {_TABLE})
            SELECT coalesce(ev.container, tb.container), ev.last, tb.container IS NOT NULL
            FROM ev FULL JOIN tb ON tb.container = ev.container
            WHERE (ev.last = '{HOLD_ACTION}') IS DISTINCT FROM (tb.container IS NOT NULL)
            ORDER BY 1"""
    ).fetchall()
    out = []
    for container, _, has_rows in rows:
        if has_rows:
            out.append((container, "held in licence_holds without a standing licence_disputed event"))
        else:
            out.append(
                (container, "licence hold deleted without a licence_dispute_released event (records exportable)")
            )
    return out
