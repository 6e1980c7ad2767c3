"""The one fixture builder of test catalogues: sources and records on a real DuckDB file.

Every record version a test writes goes through :func:`provenance.records.insert_versions`, the
one writer of ``records`` rows, exactly as ingest, the runner and the annotation bridge do; no
test writes raw SQL into ``records``. Importable as ``catalogue_builder`` (``tests/conftest.py``
puts ``tests/helpers`` on ``sys.path``, since pytest's importlib mode adds no test folder).

    con = connect(tmp_path / "cat.duckdb")
    add_source(con, "demo", licence_id="CC-BY-4.0")
    rid = add_record(con, "demo", "art/1", "第一條 本法所稱銀行……", pii_state="clean")
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

import duckdb

from provenance.records import RECORD_COLUMNS, ingest_record_id, insert_versions

__all__ = ["add_record", "add_records", "add_source"]

_SETTABLE = set(RECORD_COLUMNS) - {"created_at"}


def add_source(
    con: duckdb.DuckDBPyConnection,
    source_id: str,
    *,
    kind: str = "test",
    licence_id: str | None = None,
    title: str | None = None,
    origin: str | None = None,
    pii_expected: bool = False,
    metadata: Mapping[str, Any] | None = None,
    created_at: dt.datetime | None = None,
) -> str:
    """Add a ``sources`` row (kept as it is when the id exists); returns the id."""
    con.execute(
        "INSERT INTO sources (source_id, kind, title, origin, licence_id, pii_expected, metadata, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, coalesce(?, now()::TIMESTAMP)) ON CONFLICT DO NOTHING",
        [
            source_id,
            kind,
            title,
            origin,
            licence_id,
            pii_expected,
            json.dumps(metadata, ensure_ascii=False) if metadata is not None else None,
            created_at,
        ],
    )
    return source_id


def add_records(
    con: duckdb.DuckDBPyConnection,
    rows: Iterable[Mapping[str, Any]],
    *,
    run_id: str = "test-run",
    stage: str = "ingest",
    created_at: dt.datetime | None = None,
) -> list[str]:
    """Write record versions through :func:`insert_versions`, in the given order; returns their ids.

    Each row needs ``source_id``, ``locator`` and ``text``; ``record_id`` defaults to the ingest
    id, ``doc_key`` to ``source_id/locator``; any other ``records`` column may be given
    (``metadata`` as a dict). One INSERT statement: atomic alone, or part of the caller's transaction.
    """
    import pyarrow as pa

    rows = [dict(r) for r in rows]
    for r in rows:
        unknown = set(r) - _SETTABLE
        if unknown:
            raise ValueError(f"not settable record columns: {sorted(unknown)}")
        r.setdefault("record_id", ingest_record_id(r["source_id"], r["locator"], r["text"]))
        r.setdefault("doc_key", f"{r['source_id']}/{r['locator']}")
        if isinstance(r.get("metadata"), Mapping):
            r["metadata"] = json.dumps(r["metadata"], ensure_ascii=False)
    if not rows:
        return []
    columns = sorted(set().union(*rows))
    table = pa.table(
        {
            **{c: pa.array([r.get(c) for r in rows], pa.string()) for c in columns},
            "_seq": pa.array(range(len(rows)), pa.int64()),
        }
    )
    name = "_builder_versions"
    con.register(name, table)
    try:
        insert_versions(con, name, run_id=run_id, stage=stage, created_at=created_at, order_by="_seq")
    finally:
        con.unregister(name)
    return [r["record_id"] for r in rows]


def add_record(
    con: duckdb.DuckDBPyConnection,
    source_id: str,
    locator: str,
    text: str,
    *,
    run_id: str = "test-run",
    stage: str = "ingest",
    created_at: dt.datetime | None = None,
    **columns: Any,
) -> str:
    """Write one record version (see :func:`add_records`); returns its id."""
    row = {"source_id": source_id, "locator": locator, "text": text, **columns}
    return add_records(con, [row], run_id=run_id, stage=stage, created_at=created_at)[0]


def ingest_run(con: duckdb.DuckDBPyConnection, rows: Iterable[Mapping[str, Any]], config: str = "x") -> list[str]:
    """:func:`add_records` inside a finished ``test-ingest`` run of its own (what an ingest leaves); returns the ids."""
    from provenance import runs

    run_id = runs.start_run(con, "test-ingest", config)
    ids = add_records(con, rows, run_id=run_id)
    runs.finish_run(con, run_id)
    return ids


def catalogue_before(path: Any, version: int) -> duckdb.DuckDBPyConnection:
    """A catalogue at ``path`` with the migrations below ``version`` applied (an older catalogue a later
    migration must convert); the caller applies the rest with :func:`provenance.db.migrate`."""
    from provenance import db

    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE _schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP DEFAULT now())"
    )
    for number, name, sql in db.migrations():
        if number < version:
            con.execute(sql)
            con.execute("INSERT INTO _schema_migrations (version, name) VALUES (?, ?)", [number, name])
    return con


def left_by_kill(db_path, command: str, run_id: str) -> None:
    """What `kill -9` leaves of a stage run's lock: its file naming the run, locked by nobody."""
    import os

    from curate.runlock import RunLock
    from curate.workfiles import secure_dir, work_root

    lock = RunLock(secure_dir(work_root(db_path)), command).acquire()
    lock.set_run(run_id)
    lock._stop.set()
    lock._thread.join()
    os.close(lock._fd)  # the process's end: the kernel drops the lock, the file keeps who held it
