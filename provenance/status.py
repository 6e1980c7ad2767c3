"""What the catalogue holds, for ``curate status`` and the commands that report counts.

The CLI commands only parse, call these and print: every query over the catalogue lives in the
library (``provenance/``), never in ``curate/commands``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from provenance import db

__all__ = [
    "StatusSection",
    "active_records_per_licence",
    "count_records",
    "quarantine_total",
    "recent_runs",
    "status_sections",
]

_RUNS = (
    "SELECT run_id, command, status, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started,"
    " strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished FROM runs ORDER BY started_at DESC LIMIT ?"
)

_SECTIONS: dict[str, str | None] = {
    "records": (
        "SELECT source_id, status, coalesce(script, '-') AS script, count(*) AS records,"
        " sum(length(text)) AS chars FROM records GROUP BY ALL ORDER BY ALL"
    ),
    "runs": None,  # recent_runs()
    "licence term problems": (
        "SELECT source_id, concat_ws(':', json_extract_string(metadata, '$.manifest'),"
        " json_extract_string(metadata, '$.manifest_line'), json_extract_string(metadata, '$.file')) AS row,"
        " array_to_string(CAST(json_extract(metadata, '$.licence_term_problems') AS VARCHAR[]), '; ')"
        " AS problems, count(*) AS records FROM records"
        " WHERE status = 'active' AND json_extract(metadata, '$.licence_term_problems') IS NOT NULL"
        " GROUP BY ALL ORDER BY ALL LIMIT 30"
    ),
    "quarantine": (
        "SELECT coalesce(source_id, '-') AS source_id, coalesce(stage, '-') AS stage, reason, count(*) AS items"
        " FROM quarantine GROUP BY ALL ORDER BY items DESC, reason LIMIT 30"
    ),
}


@dataclass(frozen=True, slots=True)
class StatusSection:
    """One titled table of ``curate status``: column names and rows."""

    name: str
    columns: list[str]
    rows: list[tuple] = field(default_factory=list)


def status_sections(con: duckdb.DuckDBPyConnection) -> list[StatusSection]:
    """Records per source/status/script, the ten latest runs, active records whose manifest row has licence
    term problems, the top quarantine reasons."""
    out = []
    for name, sql in _SECTIONS.items():
        if sql is None:
            out.append(recent_runs(con))
            continue
        cur = con.execute(sql)
        out.append(StatusSection(name, [d[0] for d in cur.description], cur.fetchall()))
    return out


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> StatusSection:
    """The newest ``limit`` runs: id, command, status, start and finish time (to the second)."""
    cur = db.execute(con, _RUNS, [limit])
    return StatusSection("runs", [d[0] for d in cur.description], cur.fetchall())


def quarantine_total(con: duckdb.DuckDBPyConnection) -> int:
    """Number of quarantined items, all sources and stages."""
    return con.execute("SELECT count(*) FROM quarantine").fetchone()[0]


def count_records(con: duckdb.DuckDBPyConnection, statuses: tuple[str, ...] = ("active",)) -> int:
    """Number of record versions whose status is one of ``statuses``."""
    if not statuses:
        return 0
    marks = ", ".join("?" for _ in statuses)
    return con.execute(f"SELECT count(*) FROM records WHERE status IN ({marks})", list(statuses)).fetchone()[0]


def active_records_per_licence(con: duckdb.DuckDBPyConnection) -> list[tuple[str | None, int]]:
    """``(licence_id, active records)`` for every licence id in use (``None`` first)."""
    return con.execute(
        "SELECT licence_id, count(*) FROM records WHERE status = 'active' GROUP BY ALL ORDER BY 1 NULLS FIRST"
    ).fetchall()
