"""Rolling back a catalogue transaction on the way out of an error, without hiding that error.

A ``COMMIT`` that fails (a full disk: DuckDB could not write the write-ahead log) ends its transaction itself; the
``ROLLBACK`` of an ``except`` block then raised ``TransactionException: cannot rollback - no transaction is active``,
which replaced the real error: an ingest that met a full disk showed that traceback instead of the one-line "a file
could not be written" (review 14, crash). So did a stop (Ctrl-C, SIGTERM) raised just after a ``COMMIT`` returned.
"""

from __future__ import annotations

from typing import Any

import duckdb

__all__ = ["rollback"]


def rollback(con: Any) -> None:
    """``ROLLBACK`` the transaction ``con`` has open; none is open after a ``COMMIT`` that failed or succeeded (DuckDB
    ended it), and then there is nothing to undo.

    >>> con = duckdb.connect()
    >>> _ = con.execute("BEGIN TRANSACTION"); _ = con.execute("COMMIT")
    >>> rollback(con)  # no transaction: nothing to do, no error
    >>> _ = con.execute("BEGIN TRANSACTION"); _ = con.execute("CREATE TABLE t (x INT)"); rollback(con)
    >>> con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 't'").fetchone()
    (0,)
    """
    try:
        con.execute("ROLLBACK")
    except duckdb.TransactionException as exc:
        if "no transaction is active" not in str(exc):
            raise
