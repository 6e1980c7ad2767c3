"""Rolling back a catalogue transaction on the way out of an error, without hiding that error.

A ``COMMIT`` that fails (a full disk: DuckDB could not write the write-ahead log) ends its transaction itself; the
``ROLLBACK`` of an ``except`` block then raised ``TransactionException: cannot rollback - no transaction is active``,
which replaced the real error: an ingest that met a full disk showed that traceback instead of the one-line "a file
could not be written" (review 14, crash). So did a stop (Ctrl-C, SIGTERM) raised just after a ``COMMIT`` returned.
A ``COMMIT`` whose checkpoint could not write the catalogue file (the disk filled up while the WAL still fitted)
invalidates the database: every later statement, the ``ROLLBACK`` too, raises ``FatalException: database has been
invalidated``, which replaced the one that names the file (review 14 of the fixes, crash).
"""

from __future__ import annotations

from typing import Any

import duckdb

__all__ = ["rollback"]


def rollback(con: Any) -> None:
    """``ROLLBACK`` the transaction ``con`` has open; none is open after a ``COMMIT`` that failed or succeeded (DuckDB
    ended it), and then there is nothing to undo; nor after a fatal error invalidated the database (the caller's error,
    raised on: the WAL holds what was committed, DuckDB replays it when the catalogue is opened again).

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
    except duckdb.FatalException:  # invalidated by the error being handled: nothing can be undone, nor written
        pass
