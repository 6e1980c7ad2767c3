"""Running one auditor query (`curate sql`, `curate audit sql`): interruptible, timed and bounded in its result.

DuckDB's memory cap (``$CURATE_SQL_MEMORY``) bounds what DuckDB holds, not the Python rows handed to the command:
``SELECT * FROM records`` on a large catalogue, or ``SELECT repeat('銀', 200) FROM range(1000000)``, was fetched
whole into this process (1.2 GB and growing, minutes of CPU, before a line was printed) and then formatted as one
table. The rows are now fetched in batches and the query stops with a one-line error once their cells hold more
than ``$CURATE_SQL_RESULT`` (default 256MB) of text and values.
Every value counts (an empty string or NULL too), and a list, struct or map counts what it holds: review 11's
``SELECT list(text) FROM records``, one cell, or millions of empty strings passed any budget.
The budget is counted on rows once fetched: one cell (``list(x)`` over a large range) is converted to Python
whole before it can be refused, so what one cell holds is bounded only by DuckDB's cap (``$CURATE_SQL_MEMORY``),
several times over in Python objects (README, "Security model").
"""

from __future__ import annotations

import threading
import time
from typing import Any

import duckdb

from provenance.errors import ReadOnlyError

#: the default of ``$CURATE_SQL_RESULT``: how much a result's cells may hold (see :func:`_cell_size`)
SQL_RESULT = 256_000_000

#: rows fetched at a time, at most; the first batch is :data:`_FIRST` rows, later ones as many rows as the budget
#: left holds at the widest row seen so far
_BATCH = 10_000
_FIRST = 100

#: what one value counts besides its characters or bytes: an empty string or a NULL is still a Python object
_VALUE = 8


def result_budget() -> int:
    """``$CURATE_SQL_RESULT`` in bytes (DuckDB's size syntax: ``256MB``, ``1GiB``), else :data:`SQL_RESULT`."""
    from provenance.envsettings import env_bytes

    return env_bytes("CURATE_SQL_RESULT", SQL_RESULT, minimum=1)


def _cell_size(value: Any, limit: int | None = None) -> int:
    """What ``value`` counts against the budget: 8, plus its characters (text) or bytes (blob); a list, struct or
    map (``list(text)``, ``{'t': text}``) counts every value inside it. Counting stops once it passes ``limit``
    (what the budget has left): the refusal does not wait for the rest of a list of millions of values, a walk
    in Python that no time limit interrupts (32 s for ``list(x)`` over ten million values).

    >>> _cell_size(None), _cell_size(""), _cell_size("銀行"), _cell_size(["銀行", None]), _cell_size({"k": "ab"})
    (8, 8, 10, 26, 27)
    >>> _cell_size(list(range(1000)), limit=100)
    104
    """
    if isinstance(value, str | bytes):
        return _VALUE + len(value)
    if not isinstance(value, list | tuple | dict):
        return _VALUE
    total, stack = 0, [value]
    while stack:
        if limit is not None and total > limit:
            return total
        v = stack.pop()
        total += _VALUE
        if isinstance(v, str | bytes | bytearray):
            total += len(v)
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list | tuple):
            stack.extend(v)
    return total


def _row_size(row: tuple, room: int) -> int:
    """:func:`_cell_size` summed over ``row``'s cells, counting stopped once past ``room``."""
    total = 0
    for value in row:
        total += _cell_size(value, room - total)
        if total > room:
            break
    return total


def fetch_bounded(cur: duckdb.DuckDBPyConnection, budget: int) -> list[tuple]:
    """Every row of ``cur``'s result, fetched in batches; :class:`ReadOnlyError` once they hold more than
    ``budget`` (:func:`_cell_size` summed over the cells). A batch is sized to what the budget has left at the
    widest row seen so far, so wide rows are not fetched ten thousand at a time past it."""
    rows: list[tuple] = []
    held, widest, size = 0, 1, _FIRST
    while batch := cur.fetchmany(size):
        sizes = []
        for row in batch:
            sizes.append(_row_size(row, budget - held))
            held += sizes[-1]
            if held > budget:
                break
        if held > budget:
            raise ReadOnlyError(
                f"query result larger than CURATE_SQL_RESULT ({budget:,} bytes of cells) after {len(rows) + len(batch):,}"
                " rows; narrow it (LIMIT, fewer rows or columns, an aggregate) or raise the limit"
            )
        rows.extend(batch)
        widest = max(widest, *sizes)
        size = max(1, min(_BATCH, (budget - held) // widest))
    return rows


def run_interruptible(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple]]:
    """Run ``sql`` on a worker thread so that Ctrl-C (DuckDB does not see it while it runs) and the time limit
    ``$CURATE_SQL_TIMEOUT`` (seconds, default 600) interrupt it: an auditor's runaway query ends. Its rows are
    fetched by :func:`fetch_bounded` under :func:`result_budget`."""
    from provenance.envsettings import env_seconds

    limit = env_seconds("CURATE_SQL_TIMEOUT", 600.0)
    budget = result_budget()
    out: dict[str, Any] = {}

    def work() -> None:
        try:
            cur = con.execute(sql)
            out["cols"] = [d[0] for d in cur.description] if cur.description else []
            out["rows"] = fetch_bounded(cur, budget)
        except BaseException as exc:  # noqa: BLE001 (handed to the caller's thread, raised there)
            out["error"] = exc

    worker = threading.Thread(target=work, name="curate-sql", daemon=True)
    worker.start()
    deadline = time.monotonic() + limit
    try:
        while worker.is_alive():
            worker.join(0.05)
            if worker.is_alive() and time.monotonic() > deadline:
                con.interrupt()
                worker.join()
                raise ReadOnlyError(
                    f"query stopped after {limit:g} s (CURATE_SQL_TIMEOUT); narrow it or raise the limit"
                )
    except KeyboardInterrupt:
        con.interrupt()
        worker.join()
        raise
    if "error" in out:
        raise out["error"]
    return out["cols"], out["rows"]
