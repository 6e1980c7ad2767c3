"""Whether a catalogue's tables are still the ones its migrations made (``curate audit verify``'s first step).

An insider with write access can drop, rename or retype a table or column the checks read (``provenance_events``,
``records``, ``created_at`` made text): every check then failed with a DuckDB binder error and a traceback. The
tables and columns (with their types) the catalogue's own applied migrations make are compared with what it holds;
each difference is named, and verification stops there (it cannot read what is gone).
"""

from __future__ import annotations

import functools

import duckdb

from provenance.db import migrations
from provenance.errors import LedgerError

#: at most this many differences are named in :func:`require_unaltered`'s line
NAMED = 10

_COLUMNS = (
    "SELECT table_name, column_name, data_type FROM information_schema.columns"
    " WHERE table_schema = 'main' AND table_catalog = current_database()"
)


@functools.cache
def _expected(versions: frozenset[int]) -> dict[tuple[str, str], str]:
    """``(table, column) -> type`` that the migrations ``versions`` make, applied in order to an empty database."""
    mem = duckdb.connect(":memory:")
    try:
        for number, _name, sql in migrations():
            if number in versions:
                mem.execute(sql)
        return {(t, c): ty for t, c, ty in mem.execute(_COLUMNS).fetchall()}
    finally:
        mem.close()


def schema_differences(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What differs between the catalogue's tables and those its applied migrations make: a table or column missing,
    or a column of another type (extra tables and columns are not named: they change nothing the checks read)."""
    versions = frozenset(r[0] for r in con.execute("SELECT version FROM _schema_migrations").fetchall())
    have = {(t, c): ty for t, c, ty in con.execute(_COLUMNS).fetchall()}
    tables = {t for t, _ in have}
    out, missing_tables = [], set()
    for (table, column), kind in sorted(_expected(versions).items()):
        if table not in tables:
            if table not in missing_tables:
                missing_tables.add(table)
                out.append(f"table `{table}` is missing")
        elif (table, column) not in have:
            out.append(f"column `{table}.{column}` is missing")
        elif have[(table, column)] != kind:
            out.append(f"column `{table}.{column}` is {have[(table, column)]}, its migration made it {kind}")
    return out


def require_unaltered(con: duckdb.DuckDBPyConnection) -> None:
    """Raise :class:`LedgerError` (one line) naming what :func:`schema_differences` finds: every reader of the whole
    catalogue (``curate audit verify``, ``curate report``, the portal's ledger page) checks it first, since its
    queries would fail on what is gone with a DuckDB binder error and a traceback."""
    altered = schema_differences(con)
    if altered:
        more = f" (and {len(altered) - NAMED} more)" if len(altered) > NAMED else ""
        raise LedgerError(
            f"the catalogue's tables were altered since its migrations made them: {'; '.join(altered[:NAMED])}{more};"
            " nothing else was checked (restore the catalogue from a copy)"
        )
