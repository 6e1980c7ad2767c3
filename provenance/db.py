"""The DuckDB catalogue: connections, numbered migrations, read-only auditor access.

Migrations are ``schemas/duckdb/NNNN_name.sql`` files applied in order, each in one
transaction together with its row in ``_schema_migrations``.
"""

from __future__ import annotations

import importlib.abc
import re
import shlex
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from provenance.dbfile import refuse_unopenable, remove_empty, zero_bytes
from provenance.errors import CatalogueBusyError, CatalogueError, ReadOnlyError
from provenance.pii_rule import pii_unchecked_sql
from provenance.rollback import rollback
from provenance.spill import private_spill_dir

_T = TypeVar("_T")
_MIGRATION_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """All shipped migrations as ``(number, name, sql)``, in order."""
    found = []
    for entry in resources.files("schemas").joinpath("duckdb").iterdir():
        m = _MIGRATION_RE.match(entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if len(numbers) != len(set(numbers)):
        raise CatalogueError(f"duplicate migration numbers in schemas/duckdb: {numbers}")
    return found


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """Highest applied migration number (0 for an empty catalogue)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = '_schema_migrations'"
        " AND table_schema = 'main' AND table_catalog = current_database()"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM _schema_migrations").fetchone()[0]


@lru_cache(maxsize=1)
def _shipped() -> dict[int, str]:
    """``number -> name`` of the shipped migrations (their file names only)."""
    names = (e.name for e in resources.files("schemas").joinpath("duckdb").iterdir())
    return {int(m.group(1)): m.group(2) for n in names if (m := _MIGRATION_RE.match(n))}


def latest_migration() -> int:
    """The number of the newest shipped migration: the newest schema this code knows."""
    return max(_shipped())


def _init(path: str | Path) -> str:
    """The command that makes ``path`` a catalogue, for a message (review 9: plain `curate init` made ./curate.duckdb)."""
    return f"`curate --db {shlex.quote(str(path))} init`"


def check_catalogue(con: duckdb.DuckDBPyConnection, path: str | Path, *, writing: bool) -> None:
    """Raise :class:`CatalogueError` (one line) unless ``con`` is a curate catalogue this code can use (review 7):

    * a DuckDB database without curate's ``_schema_migrations`` is not a catalogue: reading it would fail on a
      missing table, and writing would add the catalogue's tables to someone's database. Only an empty one (nothing
      of its own: no table, view, sequence, macro, type or schema; a new file, or one an ``init`` killed at once
      left) is made a catalogue, by a writer; a reader says to run ``curate init``;
    * a catalogue at a schema newer than :func:`latest_migration` was made by a newer curate: this code would
      misread it, or write rows without what the newer schema requires.
    """
    marked = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = '_schema_migrations'"
        " AND table_schema = 'main' AND table_catalog = current_database()"
    ).fetchone()[0]
    if not marked:
        empty = not con.execute(_OWN_OBJECTS).fetchone()[0]
        if empty and writing:
            return
        raise CatalogueError(
            f"`{path}` is an empty DuckDB database, not a catalogue yet: run `curate init` on it ({_init(path)})"
            if empty
            else f"`{path}` is a DuckDB database but not a curate catalogue (it has no table _schema_migrations);"
            " curate neither reads nor adds its tables to it: choose another --db (a new path is created)"
        )
    _check_migrations_table(con, path)
    have, newest = schema_version(con), latest_migration()
    if have > newest:
        raise CatalogueError(
            f"catalogue `{path}` was made by a newer curate (schema {have:04d}; this one knows up to {newest:04d});"
            " upgrade curate to open it"
        )


#: how many things of its own a database holds (a user's sequences, macros and types count, not only tables)
_OWN_OBJECTS = "SELECT " + " + ".join(
    f"(SELECT count(*) FROM duckdb_{kind}() WHERE database_name = current_database(){cond})"
    for kind, cond in (
        ("tables", ""),
        ("views", " AND NOT internal"),
        ("sequences", ""),
        ("functions", " AND NOT internal"),
        ("types", " AND NOT internal"),
        ("schemas", " AND NOT internal AND schema_name <> 'main'"),
    )
)


def _check_migrations_table(con: duckdb.DuckDBPyConnection, path: str | Path) -> None:
    """Refuse another tool's ``_schema_migrations``: curate's has ``version`` and ``name``, and its first row is
    curate's first migration (an empty one is an ``init`` killed before that migration committed)."""
    cols = {r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE _schema_migrations)").fetchall()}
    ours, first = (1, _shipped()[1]), None
    if {"version", "name"} <= cols:
        rows = con.execute("SELECT version, name FROM _schema_migrations ORDER BY version LIMIT 1").fetchall()
        first = rows[0] if rows else ours
    if first != ours:
        raise CatalogueError(
            f"`{path}` is a DuckDB database but not a curate catalogue (its table _schema_migrations is another"
            " tool's: no curate migration 0001 in it); curate neither reads nor adds its tables to it: choose"
            " another --db (a new path is created)"
        )


def require_schema(con: duckdb.DuckDBPyConnection, version: int, reader: str) -> None:
    """Raise :class:`CatalogueError` (one line, exit 1) when the catalogue predates migration ``version``, which
    ``reader`` (a command) reads; a read-only command never migrates."""
    have = schema_version(con)
    if have < version:
        raise CatalogueError(
            f"this catalogue is at schema {have:04d}, older than migration {version:04d} that {reader} reads;"
            " open it once for writing to migrate it, e.g. `curate init`"
        )


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration not yet recorded; returns the numbers applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS _schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP DEFAULT now())"
    )
    applied = {r[0] for r in con.execute("SELECT version FROM _schema_migrations").fetchall()}
    done = []
    for number, name, sql in migrations():
        if number in applied:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            execute(con, "INSERT INTO _schema_migrations (version, name) VALUES (?, ?)", [number, name])
            con.execute("COMMIT")
        except duckdb.Error as exc:
            rollback(con)
            raise CatalogueError(f"migration {number:04d}_{name} failed: {exc}") from exc
        done.append(number)
    if done:
        # the new schema goes into the file now, not only into the WAL: DuckDB 1.5 fails to replay some DDL from a
        # WAL (an ALTER TABLE of a table with a `DEFAULT now()` column left the file unopenable after a kill)
        con.execute("CHECKPOINT")
    return done


def out_of_memory(exc: BaseException) -> bool:
    """DuckDB hit its memory cap: an ``OutOfMemoryException``, or a commit that failed for the same reason
    (DuckDB reports that one as a ``TransactionException``)."""
    if "duckdb" not in (type(exc).__module__ or ""):
        return False
    first = str(exc).splitlines()[0] if str(exc) else ""
    return type(exc).__name__ == "OutOfMemoryException" or "failed to pin block" in first or "Out of Memory" in first


def bulk_memory_limit() -> str:
    """DuckDB's buffer-pool cap for commands that read or write the whole catalogue (stage runs, exports):
    ``$CURATE_DUCKDB_MEMORY``, default ``128MB``; beyond it DuckDB spills to disk. Since ``records`` has no ART
    index (0101) nothing a run holds must stay resident, and the cap mostly bounds the table blocks DuckDB keeps
    cached: at 400k articles ``run pii``'s load peaked at 0.65 GiB under 128 MB against 1.0 GiB under 512 MB
    (+9 % load time), ``run dedup`` at 0.60 against 1.0 GiB (same time); at 1M, 1.09 GiB under 512 MB against
    1.51 GiB under 1 GB. What a statement needs beyond the cap it cannot spill is bounded by the batches (an
    ingest batch's digest, 250k members, needs more than 64 MB), not by the catalogue."""
    from provenance.envsettings import env_size

    return env_size("CURATE_DUCKDB_MEMORY", "128MB")


#: WAL size at which DuckDB checkpoints, on the connections of the bulk writers (stage runs, ingests; DuckDB's
#: default is 16 MB): a load or an ingest commits per batch, and with the default every other batch's commit
#: checkpointed, rewriting the large tables' last row groups each time (an ingest of 16 files of 25k articles:
#: 7.9 of its 18.8 s in commits, and a file 1.85x the size from the blocks freed by the rewrites). Committed but
#: not yet checkpointed rows stay in memory (DuckDB's ``IN_MEMORY_TABLE``), so the threshold also bounds how
#: much of a large run's load is held: at 25k-100k results the WAL stays under it (one checkpoint, at the end),
#: beyond that a checkpoint every ~256 MB of WAL. Committed batches are durable in the WAL either way.
#: ``CURATE_CHECKPOINT_THRESHOLD`` overrides it (:func:`checkpoint_threshold`).
CHECKPOINT_THRESHOLD = "256MB"


def checkpoint_threshold() -> str:
    """``$CURATE_CHECKPOINT_THRESHOLD`` (checked), else :data:`CHECKPOINT_THRESHOLD`."""
    from provenance.envsettings import env_size

    return env_size("CURATE_CHECKPOINT_THRESHOLD", CHECKPOINT_THRESHOLD)


def connect(path: str | Path, *, create: bool = True, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the catalogue for writing, creating and migrating it as needed.

    ``memory_limit`` (e.g. ``"1GB"``) caps DuckDB's buffer pool; bulk writers use it so that peak
    memory does not grow with the catalogue (DuckDB spills to disk beyond it).
    """
    path = Path(path)
    if not create and not path.exists():
        raise CatalogueError(f"catalogue `{path}` does not exist; create it with {_init(path)} or pass --db")
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    if zero_bytes(path):  # `touch`, `mktemp`: holds nothing, and DuckDB opens no 0-byte file; made like a new path
        remove_empty(path)
    con = _open_waiting(path)
    # DuckDB's progress bar goes to stdout after 2 s, terminal or not (as connect_readonly's): `pii rekey --json` and
    # `annotate pull --json` of a large catalogue printed `\r100% ▕███...` before their JSON
    con.execute("SET enable_progress_bar = false")
    try:
        check_catalogue(con, path, writing=True)
    except CatalogueError:
        con.close()
        raise
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    migrate(con)
    return con


def _open_waiting(path: Path) -> duckdb.DuckDBPyConnection:
    """Open for writing; a lock held by another process (a reader such as the portal taking a snapshot copy or
    ``curate pii scan``, or a writer) is waited for (:func:`waiting`)."""
    return waiting(lambda: duckdb.connect(str(path)), path, writing=True)


def waiting(open_: Callable[[], _T], path: str | Path, *, writing: bool, wait: bool = True) -> _T:
    """``open_()`` (a connection to the catalogue ``path``, or an ``ATTACH`` of it), retried while another process
    holds the file's lock, up to ``$CURATE_LOCK_WAIT`` seconds (default 10; ``wait=False``: not at all), then the
    one-line :func:`busy_message`. DuckDB lets one process write, or several read: a writer waits for readers and
    writers alike, a reader only for a writer."""
    import time

    from provenance.envsettings import env_seconds

    refuse_unopenable(path)
    seconds = env_seconds("CURATE_LOCK_WAIT", 10.0) if wait else 0.0
    deadline = time.monotonic() + seconds
    while True:
        try:
            return open_()
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():  # not a DuckDB file, a folder, no permission: one line, not a traceback
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise CatalogueError(
                    f"cannot open catalogue `{path}`: {first}; check that --db names a curate catalogue (a DuckDB"
                    " file) you may read" + (" and write" if writing else "")
                ) from exc
            if time.monotonic() >= deadline:
                raise CatalogueBusyError(busy_message(path, exc, writing=writing, waited=seconds)) from exc
            time.sleep(0.2)


def busy_message(path: str | Path, exc: BaseException, *, writing: bool, waited: float) -> str:
    """Why the catalogue could not be opened while another process held it: who (its PID, as DuckDB names it), what
    it may be doing, and what to do; never DuckDB's own advice (its CLI's ``-readonly``)."""
    pid = re.search(r"\(PID (\d+)\)", str(exc))
    holder = f"another process (PID {pid.group(1)})" if pid else "another process"
    if writing:  # held by a writer or by readers: `curate pii scan`, `audit verify`, the portal's snapshot copy
        doing = f"{holder} has it open, writing or reading (e.g. `curate pii scan`, `curate audit verify`)"
    else:
        doing = f"{holder} is writing to it (an ingest, a stage run, an export)"
    after = f" after waiting {waited:g} s" if waited else ""
    how = "" if writing else " read-only"
    return (
        f"cannot open catalogue `{path}`{how}: {doing}{after}; run the command again once it has finished, or set"
        " CURATE_LOCK_WAIT to wait longer"
    )


def attach_readonly(con: duckdb.DuckDBPyConnection, path: str | Path, alias: str) -> None:
    """``ATTACH`` the catalogue ``path`` read-only as ``alias`` on ``con`` (a scratch database's connection), waiting
    for a writer as :func:`connect_readonly` does."""
    quoted = str(path).replace("'", "''")
    waiting(lambda: con.execute(f"ATTACH '{quoted}' AS {alias} (READ_ONLY)"), path, writing=False)


#: settings of every read-only (auditor) connection; ``lock_configuration`` keeps a query from undoing them
READONLY_CONFIG: dict[str, str | bool] = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "python_enable_replacements": False,
}


def connect_readonly(
    path: str | Path,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    memory_setting: str = "",
    spill_limit: str | None = None,
    catalogue: bool = True,
    wait: bool = True,
    arrow_lossless: bool = False,
) -> duckdb.DuckDBPyConnection:
    """Open the catalogue read-only (auditor paths). Never creates or migrates.

    The connection cannot write the catalogue (``access_mode=READ_ONLY``), spills only into this process's own
    folder (:func:`provenance.spill.private_spill_dir`), cannot reach files,
    other databases or extensions (``enable_external_access=false``, autoload/autoinstall off),
    and its configuration is locked so that no statement can switch these back on. Settings a
    caller needs (``threads``) are therefore given here, before the lock. ``memory_setting`` names the variable
    that gave ``memory_limit``, for the one-line error when the cap is too small to open the catalogue;
    ``spill_limit`` caps what it may spill (``max_temp_directory_size``, else DuckDB's 90 % of the free disk). A file that
    is not a catalogue this code can read is refused (:func:`check_catalogue`) unless ``catalogue`` is false (`pii
    scan` searching any DuckDB file it meets). A writer's lock is waited for as writers wait (:func:`waiting`);
    ``wait=False`` fails at once (the portal, which serves its previous snapshot instead). ``arrow_lossless``:
    Arrow results keep DuckDB's types (an auditor query's rows, :func:`provenance.sqlrun.fetch_bounded`).
    """
    path = Path(path)
    if not path.exists():
        raise CatalogueError(f"catalogue `{path}` does not exist; run `curate init` ({_init(path)}) or pass --db")
    if zero_bytes(path):
        raise CatalogueError(f"`{path}` is an empty file, not a catalogue yet: run `curate init` on it ({_init(path)})")
    config: dict[str, str | bool | int] = dict(READONLY_CONFIG, temp_directory=private_spill_dir())
    if threads:
        config["threads"] = int(threads)
    if memory_limit:
        config["memory_limit"] = memory_limit
    if arrow_lossless:
        config["arrow_lossless_conversion"] = True
    try:
        con = waiting(lambda: duckdb.connect(str(path), read_only=True, config=config), path, writing=False, wait=wait)
        if spill_limit:  # DuckDB 1.5 does not enforce this one given in `config`; a SET it does
            con.execute(f"SET max_temp_directory_size = '{spill_limit}'")
        # DuckDB draws its progress bar on this process's stdout after 2 s, terminal or not (a connection's own
        # setting, not one `config` takes): `curate sql --json > f` began with `\r100% ▕███...`
        con.execute("SET enable_progress_bar = false")
        con.execute("SET lock_configuration = true")
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if memory_limit and out_of_memory(exc):
            raise CatalogueError(
                f"cannot open catalogue `{path}` read-only within {memory_setting or 'a memory cap of'} {memory_limit}"
                f" ({first}); raise {memory_setting or 'the cap'} (e.g. 2GB)"
            ) from exc
        raise CatalogueError(f"cannot open catalogue `{path}` read-only: {first}") from exc
    if catalogue:
        try:
            check_catalogue(con, path, writing=False)
        except CatalogueError:
            con.close()
            raise
    return con


class _NoPandasToBind(importlib.abc.MetaPathFinder):
    """Refuses to import pandas in a thread inside :func:`execute` (installed once, idle elsewhere)."""

    active = threading.local()

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" and getattr(self.active, "on", False):
            raise ModuleNotFoundError("pandas is not needed to bind these query parameters", name=name)
        return None


_NO_PANDAS = _NoPandasToBind()


def execute(con: duckdb.DuckDBPyConnection, sql: str, params) -> duckdb.DuckDBPyConnection:
    """``con.execute(sql, params)``, without DuckDB importing pandas to bind the parameters.

    DuckDB's Python client imports pandas before it binds any parameter, to recognise pandas values
    (``NA``, ``NaT``) among them: about 0.3 CPU-s, more than a whole ``curate status``. While pandas is
    not imported no value can be a pandas one, so this call makes pandas unimportable for DuckDB in this
    thread for its duration; DuckDB then binds the plain Python values as it always does, and tries the
    import again on a later call (``.df()`` elsewhere keeps working). Once pandas is imported (by
    anything) the guard is never consulted. The parameters are still bound, never inlined.

    >>> import duckdb, sys
    >>> execute(duckdb.connect(), "SELECT ? || ?", ["it's", 1]).fetchone()
    ("it's1",)
    """
    with _binding_without_pandas():
        return con.execute(sql, params)


@contextmanager
def _binding_without_pandas() -> Iterator[None]:
    """DuckDB cannot import pandas in this thread inside the block (see :func:`execute`)."""
    if _NO_PANDAS not in sys.meta_path:
        sys.meta_path.insert(0, _NO_PANDAS)
    state = _NoPandasToBind.active
    before, state.on = getattr(state, "on", False), True
    try:
        yield
    finally:
        state.on = before


class PandasFreeConnection:
    """A connection whose ``execute``/``executemany``/``register`` do not import pandas (see :func:`execute`).

    For a long writer (an ingest) that passes its connection to many functions: every parameterised
    statement goes through the guard. Anything else is the wrapped connection's.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def execute(self, sql: str, params: Any = None) -> duckdb.DuckDBPyConnection:
        return self._con.execute(sql) if params is None else execute(self._con, sql, params)

    def executemany(self, sql: str, params: Any) -> duckdb.DuckDBPyConnection:
        with _binding_without_pandas():
            return self._con.executemany(sql, params)

    def register(self, name: str, obj: Any) -> duckdb.DuckDBPyConnection:
        """Register an Arrow table (DuckDB would import pandas to check for a data frame first)."""
        with _binding_without_pandas():
            return self._con.register(name, obj)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


@contextmanager
def arrow_scan(con: duckdb.DuckDBPyConnection, name: str, table: Any) -> Iterator[None]:
    """Make the Arrow ``table`` readable as ``name`` by ONE statement that scans it once, inside the block.

    DuckDB keeps an Arrow *table* registered on a connection alive until the transaction ends, even
    after ``unregister``: a long transaction that registers one per chunk (a stage run's last one:
    sealing, source-name propagation and their ledger events) held every chunk (0.8 GiB at 1M records).
    It is registered here as a stream (``RecordBatchReader``), which the statement consumes and frees;
    a second scan would read nothing, so use :func:`arrow_temp_table` for a name read more than once.
    """
    import pyarrow as pa

    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
    with _binding_without_pandas():
        con.register(name, reader)
    try:
        yield
    finally:
        con.unregister(name)


def arrow_temp_table(con: duckdb.DuckDBPyConnection, name: str, table: Any) -> None:
    """``CREATE OR REPLACE TEMP TABLE name`` with the Arrow ``table``'s rows, read as a stream (see
    :func:`arrow_scan`): DuckDB's own copy, under its memory cap; the caller drops it."""
    with arrow_scan(con, f"{name}__arrow", table):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}__arrow")


@contextmanager
def settings(con: duckdb.DuckDBPyConnection, restore: dict[str, Any] | None = None, **values: Any) -> Iterator[None]:
    """DuckDB settings (e.g. ``memory_limit``, ``threads``) for the block's statements, then set back to
    ``restore`` or, for settings it leaves out, to their values before (``memory_limit`` reads back rounded
    to 0.1 MiB, so the caller passes the value it set). A lower ``memory_limit`` evicts cached blocks beyond
    it (the catalogue file stays in the OS page cache)."""
    before = {k: con.execute(f"SELECT current_setting('{k}')").fetchall()[0][0] for k in values}
    before.update({k: v for k, v in (restore or {}).items() if k in values})
    for k, v in values.items():
        con.execute(f"SET {k} = '{v}'")
    try:
        yield
    finally:
        for k, v in before.items():
            con.execute(f"SET {k} = '{v}'")


def all_cores() -> int:
    """The machine's cores: ``threads`` for the statements that parallelise on a connection that runs on fewer
    (an ingest: one thread per two cores, around hashing a large temp table and a bulk INSERT)."""
    import os

    return os.cpu_count() or 1


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """``BEGIN`` ... ``COMMIT``, rolled back on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        rollback(con)
        raise
    con.execute("COMMIT")


#: text, title and metadata of a record of a ``pii_expected`` source, or an annotator's correction, that has not passed
#: the PII stage: what an auditor query sees instead (the portal's rule: :mod:`provenance.pii_rule`)
_UNCHECKED = pii_unchecked_sql("r", "s.pii_expected")

#: the columns that :data:`_UNCHECKED` hides
MASKED_COLUMNS = ("text", "title", "metadata")


def unchecked_masked(column: str) -> str:
    """The select item for ``column`` of a ``records`` row ``r`` LEFT JOINed to its ``sources`` row ``s`` as every
    auditor read path shows it (``curate sql``, ``curate audit record``, the portal): NULL for a record of a
    ``pii_expected`` source, or a version the annotation stage made, that has not passed the PII stage.

    >>> unchecked_masked("title").endswith("ELSE r.title END AS title")
    True
    """
    return f"CASE WHEN {_UNCHECKED} THEN NULL ELSE r.{column} END AS {column}"


def _mask_unchecked(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """A temporary ``records`` view in front of the catalogue's table (unqualified names find it first; the guard
    refuses names qualified with the database) in which :data:`_UNCHECKED` records show no text, title or
    metadata."""
    db = '"' + name.replace('"', '""') + '"'
    masked = ", ".join(unchecked_masked(c) for c in MASKED_COLUMNS)
    con.execute(
        f"""CREATE TEMP VIEW records AS SELECT r.* REPLACE ({masked})
            FROM {db}.main.records r LEFT JOIN {db}.main.sources s ON s.source_id = r.source_id"""
    )


#: DuckDB's memory cap for one auditor query (``curate sql``, ``curate audit sql``); ``$CURATE_SQL_MEMORY``.
SQL_MEMORY = "2GB"

#: what one auditor query may spill to disk (DuckDB's own default is 90 % of the free space); ``$CURATE_SQL_SPILL``.
SQL_SPILL = "10GB"


def run_readonly_sql(path: str | Path, sql: str) -> tuple[list[str], list[tuple]]:
    """Run one auditor query: exactly one SELECT over readable tables (see :mod:`provenance.sqlguard`).

    Returns ``(column names, rows)``. Refusals raise :class:`ReadOnlyError` (exit code 2); the
    hardened connection is the second wall behind the parse-tree check. A query left running (QueryAbandonedError)
    keeps its connection, and the catalogue's read lock, until this process ends: a caller must end it.
    """
    from provenance import sqlguard
    from provenance.envsettings import env_size
    from provenance.sqlrun import run_interruptible

    # an auditor's query shares the machine: DuckDB's own default is 80 % of its memory
    memory = env_size("CURATE_SQL_MEMORY", SQL_MEMORY)
    spill = env_size("CURATE_SQL_SPILL", SQL_SPILL)
    con = connect_readonly(
        path, memory_limit=memory, memory_setting="CURATE_SQL_MEMORY", spill_limit=spill, arrow_lossless=True
    )
    idle = threading.Event()  # cleared while the query runs; closing con then would wait for it (a call DuckDB
    idle.set()  # cannot interrupt: QueryAbandonedError, a KeyboardInterrupt after it), holding the catalogue's lock
    try:
        name = con.execute("SELECT current_database()").fetchone()[0]
        sqlguard.check_select(con, sql, catalogue_name=name, masked=frozenset({"records"}))
        _mask_unchecked(con, name)
        return run_interruptible(con, sql, idle)
    except duckdb.Error as exc:
        msg = str(exc).splitlines()[0]
        if isinstance(exc, duckdb.PermissionException) or "read-only" in msg.lower():
            raise ReadOnlyError(f"refused: {msg}") from exc
        if "max_temp_directory_size" in str(exc):
            raise CatalogueError(
                f"query spilled more than CURATE_SQL_SPILL ({spill}) allows: {msg}; narrow it (fewer rows or columns,"
                " LIMIT) or raise the limit"
            ) from exc
        if "offload" in msg or "No space left" in msg:  # the spill folder is full, not the memory cap
            raise CatalogueError(
                f"query spilled more than the temporary folder {private_spill_dir()} can hold: {msg}; free space"
                " there or point TMPDIR at a larger disk, or narrow the query (fewer rows or columns, LIMIT)"
            ) from exc
        if out_of_memory(exc):
            raise CatalogueError(
                f"query needs more memory than CURATE_SQL_MEMORY ({memory}) allows: {msg}; narrow it (fewer rows or"
                " columns, LIMIT) or raise the limit"
            ) from exc
        raise CatalogueError(f"query failed: {msg}") from exc
    finally:
        if idle.is_set():
            con.close()
