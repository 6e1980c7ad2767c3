"""Running one auditor query (`curate sql`, `curate audit sql`): interruptible, timed and bounded in its result.

DuckDB's memory cap (``$CURATE_SQL_MEMORY``) bounds what DuckDB holds, not the Python rows handed to the command:
``SELECT * FROM records`` on a large catalogue, or ``SELECT repeat('銀', 200) FROM range(1000000)``, was fetched
whole into this process (1.2 GB and growing, minutes of CPU, before a line was printed) and then formatted as one
table. The rows are now fetched in batches and the query stops with a one-line error once their cells hold more
than ``$CURATE_SQL_RESULT`` (default 256MB) of text and values.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import duckdb

from provenance.errors import ReadOnlyError

#: the default of ``$CURATE_SQL_RESULT``: how much a result's cells may hold (characters of text, bytes of blobs,
#: 8 for any other value)
SQL_RESULT = 256_000_000

#: rows fetched at a time
_BATCH = 10_000


def result_budget() -> int:
    """``$CURATE_SQL_RESULT`` in bytes (DuckDB's size syntax: ``256MB``, ``1GiB``), else :data:`SQL_RESULT`."""
    from provenance.envsettings import env_bytes

    return env_bytes("CURATE_SQL_RESULT", SQL_RESULT, minimum=1)


def _cell_size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes) else 8


def fetch_bounded(cur: duckdb.DuckDBPyConnection, budget: int) -> list[tuple]:
    """Every row of ``cur``'s result, fetched in batches; :class:`ReadOnlyError` once they hold more than
    ``budget`` (:func:`_cell_size` summed over the cells)."""
    rows: list[tuple] = []
    held = 0
    while batch := cur.fetchmany(_BATCH):
        held += sum(_cell_size(v) for row in batch for v in row)
        if held > budget:
            raise ReadOnlyError(
                f"query result larger than CURATE_SQL_RESULT ({budget:,} bytes of cells) after {len(rows) + len(batch):,}"
                " rows; narrow it (LIMIT, fewer rows or columns, an aggregate) or raise the limit"
            )
        rows.extend(batch)
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
