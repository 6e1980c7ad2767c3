"""Whether a --db path holds a catalogue yet: a writer makes a missing path, a 0-byte file and an empty DuckDB
database one alike (README), and each command that says so or refuses it asks here (:func:`holds_no_catalogue`)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from provenance import db
from provenance.dbfile import zero_bytes
from provenance.errors import CatalogueError, WorkbenchError


def holds_no_catalogue(path: str | Path) -> bool:
    """Whether a writer would make ``path`` a new catalogue: missing, a 0-byte file, or a DuckDB database with nothing
    in it (no curate ``_schema_migrations``, nothing of its own). A database that cannot be opened read-only at once (a
    writer holds it, it is no DuckDB file) counts as holding one: the command's own open waits for it or says why."""
    path = Path(path)
    if not path.exists() or zero_bytes(path):
        return True
    try:
        con = db.connect_readonly(path, catalogue=False, wait=False)
    except (WorkbenchError, duckdb.Error, OSError):
        return False
    try:
        marked = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = '_schema_migrations'"
            " AND table_schema = 'main' AND table_catalog = current_database()"
        ).fetchone()[0]
        if marked:
            return False
        db.check_catalogue(con, path, writing=True)  # passes an empty database only
        return True
    except (CatalogueError, duckdb.Error):
        return False  # something of its own: a writer refuses it
    finally:
        con.close()
