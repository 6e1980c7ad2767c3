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


def no_catalogue_reason(path: str | Path) -> str | None:
    """Why ``path`` holds no catalogue (``does not exist``, ``is an empty file, not a catalogue``, ``is an empty DuckDB
    database, not a catalogue``), or None when it holds one (or something a writer refuses on its own)."""
    path = Path(path)
    if not holds_no_catalogue(path):
        return None
    if not path.exists():
        return "does not exist"
    return "is an empty file, not a catalogue" if zero_bytes(path) else "is an empty DuckDB database, not a catalogue"


def connect_existing(path: str | Path, what: str, *, memory_limit: str | None = None):
    """Open the catalogue at ``path`` for writing (:func:`provenance.db.connect`), refusing in one line a path that
    holds no catalogue (:func:`no_catalogue_reason`) and writing nothing there: ``what`` (an export, a withdrawal, a
    rekey, an annotation pull) works on what a catalogue holds, and made one in silence at a mistyped --db or
    $CURATE_DB (review 13), then reported "nothing to rekey" or an empty export, exit 0."""
    why = no_catalogue_reason(path)
    if why:
        raise CatalogueError(
            f"{what}: catalogue `{path}` {why}, so there is nothing to work on and nothing was written; check --db or"
            f" $CURATE_DB (or make it with {db._init(path)} and ingest first)"
        )
    return db.connect(path, create=False, memory_limit=memory_limit)
