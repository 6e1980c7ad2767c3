"""Read a catalogue file in a test: one read-only connection per query, closed before the next step writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb


def query(path: Path, sql: str, params: Any = None) -> list[tuple]:
    """Rows of ``sql`` on the catalogue at ``path``, opened read-only and closed again."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


#: a creating event's row seal (provenance.records.version_seal): the sha256 of its version's sealed columns, the
#: version's created_at among them, so two catalogues that made the same versions at other times (a resumed and an
#: uninterrupted run, one worker and eight) differ there by design; ``audit verify`` checks each against its own rows
ROW_SEAL = "new_row_sha256"


def without_row_seal(detail: str | None) -> str | None:
    """An event's detail as stored, less its :data:`ROW_SEAL` (re-written canonically only when it had one).

    >>> without_row_seal('{"a":1,"new_row_sha256":"ff","new_row_v":1}')
    '{"a":1,"new_row_v":1}'
    >>> without_row_seal('{"b": 2}')
    '{"b": 2}'
    """
    if not detail or ROW_SEAL not in detail:
        return detail
    d = json.loads(detail)
    if not isinstance(d, dict) or d.pop(ROW_SEAL, None) is None:
        return detail
    return json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def ledger_events(path: Path, where: str = "stage <> 'run'", cols: str = "record_id, stage, action") -> list[tuple]:
    """``cols`` and the detail (:func:`without_row_seal`) of the events ``where`` holds, sorted: what two catalogues
    that did the same work must share. By default the run bookkeeping (stage ``run``: each run's own id, times and
    row digest) is left aside."""
    rows = query(path, f"SELECT {cols}, CAST(detail AS VARCHAR) FROM provenance_events WHERE {where}")
    out = [(*head, without_row_seal(detail)) for *head, detail in rows]
    return sorted(out, key=lambda r: [(x is not None, "" if x is None else str(x)) for x in r])
