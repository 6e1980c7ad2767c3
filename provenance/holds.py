"""Files held from export while their manifest rows disagree (``licence_holds``, migration 0112).

An ingest whose rows for one file are all rejected as conflicting (a licence correction added beside the old row,
or a row naming a licence id the catalogue does not know), or for their licence (emptied, unknown, an agreement
without its id: :data:`sources.manifest_rows.LICENCE_REFUSED`), leaves that file's records under terms the manifest no
longer states unambiguously. :func:`hold` holds the **file**: one row per ``container`` (as ``records.container``
stores it, pseudonymised like the records') and one ``licence_disputed`` event per file (detail: the container,
how many of its records, and why; the caller pseudonymises both, the ledger is kept for good). Every record of a
held container stays in the catalogue but out of what leaves it, whatever its id, status history or later
versions (a stage run's or an annotation pull's new version inherits the container; a record withdrawn during the
dispute and reinstated later is held too): the export decision (:mod:`provenance._selection`, which also decides
the report's funnel and the portal's bank view, code ``licence_disputed``) and annotation push
(:mod:`annotation.eligibility`). A later ingest whose rows for the file agree again calls :func:`release`: the row
goes, with one ``licence_dispute_released`` event. :func:`verify_holds` (``audit verify``) compares each row with
its file's newest hold/release event (run, time and count): a row deleted, added or altered is named.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb

from provenance import ledger

__all__ = [
    "HOLD_ACTION",
    "RELEASE_ACTION",
    "REASON",
    "held_containers",
    "held_reason",
    "hold",
    "release",
    "verify_holds",
]

HOLD_ACTION = "licence_disputed"
RELEASE_ACTION = "licence_dispute_released"
#: the export's block reason (blocked.csv, counts) and annotation push's refusal
REASON = "licence_disputed"
_TABLE = "licence_holds"
#: the records a hold or release counts: every version that is not superseded (a withdrawn one is held too)
_CURRENT = "r.status IN ('active', 'withdrawn')"


def _exists(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            f"SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = '{_TABLE}'"
        ).fetchall()[0][0]
    )


def _counts(con: duckdb.DuckDBPyConnection, containers: list[str]) -> dict[str, int]:
    """``container -> current records`` of the containers the catalogue has records of (any status)."""
    rows = con.execute(
        f"SELECT r.container, count(*) FILTER (WHERE {_CURRENT}) FROM records r"
        " WHERE r.container IN (SELECT unnest($c)) GROUP BY 1 ORDER BY 1",
        {"c": containers},
    ).fetchall()
    return dict(rows)


def hold(
    con: duckdb.DuckDBPyConnection, disputes: dict[str, str], *, run_id: str | None, at: Any = None
) -> dict[str, int]:
    """Hold each disputed file (``container -> why``, both pseudonymised) that has records in the catalogue,
    inside the caller's transaction.

    Returns ``container -> its current records`` (files held already included; only a new hold gets a row and an
    event).
    """
    if not disputes:
        return {}
    at = at or ledger.now()
    held = _counts(con, sorted(disputes))
    already = {c for (c,) in con.execute(f"SELECT DISTINCT container FROM {_TABLE}").fetchall()}
    new = [(c, n) for c, n in held.items() if c not in already]
    if new:
        con.executemany(f"INSERT INTO {_TABLE} VALUES (?, ?, ?, ?)", [(c, n, run_id, at) for c, n in new])
        events = [
            ledger.Event(
                stage="ingest",
                action=HOLD_ACTION,
                run_id=run_id,
                detail={"container": c, "records": n, "reason": disputes[c], "status": "held"},
            )
            for c, n in new
        ]
        ledger.append(con, events, at=at)
    return held


def release(con: duckdb.DuckDBPyConnection, containers: Iterable[str], *, run_id: str | None, at: Any = None) -> int:
    """Release the holds of these files (their rows agree again), inside the caller's transaction; returns how
    many current records they have."""
    containers = sorted(set(containers))
    if not containers:
        return 0
    rows = [
        c
        for (c,) in con.execute(
            f"SELECT DISTINCT container FROM {_TABLE} WHERE container IN (SELECT unnest($c)) ORDER BY 1",
            {"c": containers},
        ).fetchall()
    ]
    if not rows:
        return 0
    counts = _counts(con, rows)
    con.execute(f"DELETE FROM {_TABLE} WHERE container IN (SELECT unnest($c))", {"c": rows})
    events = [
        ledger.Event(
            stage="ingest",
            action=RELEASE_ACTION,
            run_id=run_id,
            detail={"container": c, "records": counts.get(c, 0), "status": "released"},
        )
        for c in rows
    ]
    ledger.append(con, events, at=at or ledger.now())
    return sum(counts.values())


def held_containers(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The files held now, as ``records.container`` stores them (an older catalogue without the table: none)."""
    if not _exists(con):
        return frozenset()
    return frozenset(r[0] for r in con.execute(f"SELECT DISTINCT container FROM {_TABLE}").fetchall())


def held_reason(con: duckdb.DuckDBPyConnection, record_id: str) -> dict[str, Any] | None:
    """The hold of a record's file (``container, run_id, held_at``), None when its file is not held."""
    if not _exists(con):
        return None
    rows = con.execute(
        f"SELECT h.container, h.run_id, h.held_at FROM {_TABLE} h"
        " JOIN records r ON r.container = h.container WHERE r.record_id = ? ORDER BY h.held_at LIMIT 1",
        [record_id],
    ).fetchall()
    return {"container": rows[0][0], "run_id": rows[0][1], "held_at": rows[0][2]} if rows else None


#: per container: the newest hold/release event (action, run, time, count) and the table's rows
_VERIFY = f"""
WITH ev AS (
    SELECT json_extract_string(detail, '$.container') AS container,
           arg_max(action, seq) AS last, arg_max(run_id, seq) AS run_id, arg_max(created_at, seq) AS at,
           arg_max(CAST(json_extract(detail, '$.records') AS BIGINT), seq) AS records
    FROM provenance_events WHERE action IN ('{HOLD_ACTION}', '{RELEASE_ACTION}') GROUP BY 1),
tb AS (
    SELECT container, count(*) AS n, min(run_id) AS run_id, min(held_at) AS at, min(records) AS records
    FROM {_TABLE} GROUP BY 1)
SELECT coalesce(ev.container, tb.container), ev.last, tb.n,
       ev.run_id IS NOT DISTINCT FROM tb.run_id AND ev.at = tb.at
           AND (ev.records IS NULL OR ev.records = tb.records)
FROM ev FULL JOIN tb ON tb.container = ev.container
WHERE ev.last = '{HOLD_ACTION}' OR tb.container IS NOT NULL
ORDER BY 1"""


def verify_holds(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """``(container, problem)`` where the table and the ledger disagree, file by file: a file whose newest
    hold/release event is a hold but that has no row (deleted without a release: its records would be exported),
    a row without such an event (added by hand, or its container rewritten), or a row whose run, time or count is
    not its event's (altered) or that is there twice."""
    if not _exists(con):
        return []
    out = []
    for container, last, n_rows, same in con.execute(_VERIFY).fetchall():
        if n_rows is None:
            out.append(
                (container, "licence hold deleted without a licence_dispute_released event (records exportable)")
            )
        elif last != HOLD_ACTION:
            out.append((container, "held in licence_holds without a standing licence_disputed event"))
        elif n_rows > 1 or not same:
            out.append(
                (container, "licence_holds row altered: its run, time or count is not its licence_disputed event's")
            )
    return out
