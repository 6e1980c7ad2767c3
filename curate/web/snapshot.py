"""The portal reads a snapshot copy of the catalogue, never the live file.

DuckDB allows one writing process, and a reader holding the file open blocks it. So the portal
serves a read-only *copy* and refreshes it after the catalogue changed:

* at most every ``interval`` seconds, a request compares the live file's size and modification
  time (and its WAL's) with those of the current snapshot;
* when they differ, the portal tries to open the live catalogue read-only. If a steward's command
  holds it, that fails at once and the portal keeps serving the previous snapshot; it tries again
  later, so a run in progress is never waited on and never blocked;
* otherwise it copies the file (and WAL, if any) to a new snapshot generation while holding the
  read-only handle for the copy only, then switches new requests to it. Writers wait for such a
  short hold instead of failing (:func:`provenance.db.connect` retries a held lock for up to
  ``$CURATE_LOCK_WAIT`` seconds).

Every snapshot connection is :func:`provenance.db.connect_readonly` (read-only, external
access off, configuration locked); requests use per-thread cursors of it.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import duckdb

from provenance import db
from provenance.errors import CatalogueError


def portal_dir(db_path: str | Path) -> Path:
    """``<db dir>/.curate/<db name>/portal``: users, secret and snapshots of this catalogue."""
    p = Path(db_path).resolve()
    return p.parent / ".curate" / p.name / "portal"


def _signature(path: Path) -> tuple:
    sig = []
    for p in (path, Path(str(path) + ".wal")):
        try:
            st = p.stat()
            sig.append((st.st_size, st.st_mtime_ns))
        except FileNotFoundError:
            sig.append(None)
    return tuple(sig)


class CatalogueView:
    """Read-only snapshot connections for the portal (see module docstring)."""

    def __init__(self, db_path: str | Path, folder: str | Path | None = None, *, interval: float = 2.0) -> None:
        self.db_path = Path(db_path)
        if not self.db_path.exists():
            raise CatalogueError(f"catalogue `{self.db_path}` does not exist; run `curate init` or pass --db")
        self.folder = Path(folder) if folder else portal_dir(self.db_path) / "snapshots"
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        self.interval = interval
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._old: duckdb.DuckDBPyConnection | None = None
        self._sig: tuple | None = None
        self._checked = 0.0
        self.generation = 0
        self.refreshed_at: float | None = None
        self.last_skip: str | None = None
        for stale in self.folder.glob("snapshot-*"):
            stale.unlink(missing_ok=True)
        if not self.refresh(force=True):
            raise CatalogueError(
                f"cannot take a first snapshot of `{self.db_path}`: {self.last_skip}; "
                "start the portal again when the running command has finished"
            )

    def refresh(self, *, force: bool = False) -> bool:
        """Take a new snapshot if the catalogue changed and is free; True when one was taken."""
        with self._lock:
            now = time.monotonic()
            if not force and now - self._checked < self.interval:
                return False
            self._checked = now
            sig = _signature(self.db_path)
            if not force and sig == self._sig:
                return False
            try:
                live = db.connect_readonly(self.db_path)
            except CatalogueError as exc:  # a writer holds it: keep serving the previous snapshot
                self.last_skip = str(exc).splitlines()[0]
                return False
            gen = self.generation + 1
            target = self.folder / f"snapshot-{gen}.duckdb"
            try:
                sig = _signature(self.db_path)
                tmp = target.with_suffix(".tmp")
                shutil.copyfile(self.db_path, tmp)
                wal = Path(str(self.db_path) + ".wal")
                if wal.exists():
                    shutil.copyfile(wal, Path(str(target) + ".wal"))
                os.replace(tmp, target)
            finally:
                live.close()
            con = db.connect_readonly(target)
            old, self._old, self._con = self._old, self._con, con
            if old is not None:
                old.close()
                for p in self.folder.glob(f"snapshot-{gen - 2}.duckdb*"):
                    p.unlink(missing_ok=True)
            self._sig, self.generation, self.refreshed_at, self.last_skip = sig, gen, time.time(), None
            return True

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the current snapshot for one request (refreshing it first when due)."""
        self.refresh()
        with self._lock:
            assert self._con is not None
            return self._con.cursor()

    def close(self) -> None:
        with self._lock:
            for c in (self._con, self._old):
                if c is not None:
                    c.close()
            self._con = self._old = None
