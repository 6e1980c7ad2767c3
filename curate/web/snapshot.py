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
access off, configuration locked); each request reads through :meth:`CatalogueView.reading`, a cursor of the
generation current when it started.

A snapshot holds the catalogue as it was, personal data from before the PII stage included, so copies live no
longer than they are read: files are written 0600 in a 0700 folder; a generation is deleted as soon as a newer
one is current and no request still reads it; :meth:`CatalogueView.close` (the portal's shutdown, Ctrl-C or
SIGTERM) deletes them all, and the next start deletes any that a killed portal left (``curate pii scan`` opens
such leftovers and searches them too). A running portal holds its folder (an flock on :data:`PORTAL_LOCK`, dropped
by the kernel when the process ends): a second portal on the same folder is refused instead of deleting the first
one's copies as leftovers.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from provenance import db
from provenance.dbfile import refuse_unopenable
from provenance.errors import CatalogueError

log = logging.getLogger(__name__)


#: the lock file a running portal holds in its snapshot folder
PORTAL_LOCK = ".portal.lock"


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


def _copy_private(src: Path, dst: Path) -> None:
    """``src`` copied to a new file ``dst`` readable by this user only (0600 from its creation)."""
    dst.unlink(missing_ok=True)
    os.close(os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    shutil.copyfile(src, dst)


#: room a snapshot copy leaves free on its disk, beyond the copy itself
SPARE_BYTES = 64 * 1024 * 1024


def _short_of_room(db_path: Path, folder: Path) -> str | None:
    """Why ``folder`` has no room for a copy of the catalogue (and its WAL) that leaves :data:`SPARE_BYTES` free; None
    when it has. A copy that fails half-way has filled the disk by then, the catalogue's disk by default, and a steward's
    command writing meanwhile fails for want of room: every refresh interval while the disk stays full."""
    try:
        need = sum(p.stat().st_size for p in (db_path, Path(f"{db_path}.wal")) if p.exists())
        free = shutil.disk_usage(folder).free
    except OSError:  # a WAL checkpointed meanwhile, a folder that cannot tell: the copy itself will say
        return None
    if free >= need + SPARE_BYTES:
        return None
    return f"{free // 2**20:,} MiB free, the copy needs {need // 2**20:,} MiB and leaves {SPARE_BYTES // 2**20} MiB"


def _copy_failure(exc: OSError) -> str:
    """Why a snapshot copy failed and what to do, as the CLI says it of a file it could not write
    (:func:`curate.diskfull.write_failure`): 'free space there' only where room (a file-size limit, a quota) is why.

    >>> import errno
    >>> _copy_failure(OSError(errno.EFBIG, "File too large"))
    "File too large; free space there (or raise the file-size limit or quota): a snapshot needs the catalogue's size"
    >>> _copy_failure(OSError(errno.EACCES, "Permission denied"))
    "Permission denied; the portal's user must be able to write there (a snapshot needs the catalogue's size)"
    """
    from curate.diskfull import write_failure

    if write_failure(exc):
        return (
            f"{exc.strerror}; free space there (or raise the file-size limit or quota): a snapshot needs the "
            "catalogue's size"
        )
    return (
        f"{exc.strerror or exc}; the portal's user must be able to write there (a snapshot needs the catalogue's size)"
    )


def _hold(folder: Path, db_path: Path) -> int:
    """An exclusive lock on ``folder`` for this portal's life (the kernel drops it when the process ends, a killed one
    too), with this process's id in the lock file; a folder another live portal holds is refused."""
    fd = os.open(folder / PORTAL_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
        os.close(fd)
        raise CatalogueError(
            f"another portal (PID {pid}) serves snapshots of `{db_path}` from `{folder}`; use that one, or stop it "
            "first (two would delete each other's copies)"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


class CatalogueView:
    """Read-only snapshot connections for the portal (see module docstring)."""

    def __init__(self, db_path: str | Path, folder: str | Path | None = None, *, interval: float = 2.0) -> None:
        self.db_path = Path(db_path)
        if not self.db_path.exists():
            raise CatalogueError(f"catalogue `{self.db_path}` does not exist; run `curate init` or pass --db")
        self.folder = Path(folder) if folder else portal_dir(self.db_path) / "snapshots"
        # before a copy is made: one DuckDB cannot open was left there, pre-PII text and all (post-review of review 15)
        refuse_unopenable(self.folder / "snapshot-1.duckdb")
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        self.interval = interval
        self._lock = threading.Lock()
        self._cons: dict[int, duckdb.DuckDBPyConnection] = {}  # generation -> its connection
        self._readers: dict[int, int] = {}  # generation -> requests reading it now
        self._sig: tuple | None = None
        self._checked = 0.0
        self.generation = 0
        self.refreshed_at: float | None = None
        self.last_skip: str | None = None
        self._held: int | None = _hold(self.folder, self.db_path)  # before anything in the folder is deleted
        self._remove_files()  # a killed portal's leftovers (a live one holds the folder)
        if not self.refresh(force=True):
            self.close()
            raise CatalogueError(
                f"cannot take a first snapshot of `{self.db_path}`: {self.last_skip}; "
                "start the portal again once that is resolved (a running command: when it has finished)"
            )

    def _remove_files(self, gen: int | None = None) -> None:
        """Delete generation ``gen``'s files (every snapshot file when None)."""
        for p in self.folder.glob("snapshot-*" if gen is None else f"snapshot-{gen}.*"):
            p.unlink(missing_ok=True)

    def _drop_unread(self) -> None:
        """Close and delete every generation older than the current one that no request reads (lock held)."""
        for gen in [g for g in self._cons if g != self.generation and not self._readers.get(g)]:
            self._cons.pop(gen).close()
            self._readers.pop(gen, None)
            self._remove_files(gen)

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
                live = db.connect_readonly(self.db_path, wait=False)
            except CatalogueError as exc:  # a writer holds it: keep serving the previous snapshot, never wait
                self.last_skip = str(exc).splitlines()[0]
                return False
            gen = self.generation + 1
            target = self.folder / f"snapshot-{gen}.duckdb"
            short = _short_of_room(self.db_path, self.folder)
            if short:  # never fill the disk the catalogue is on: the steward's next write would find no room
                live.close()
                self.last_skip = f"cannot copy it into `{self.folder}`: {short}; free space there"
                log.warning("portal snapshot not refreshed: %s", self.last_skip)
                return False
            try:
                sig = _signature(self.db_path)
                # the copy and its WAL under the temporary name first: a portal killed meanwhile leaves a pair
                # that `curate pii scan` opens and searches (a lone WAL it can only report)
                tmp = target.with_suffix(".tmp")
                _copy_private(self.db_path, tmp)
                wal = Path(str(self.db_path) + ".wal")
                if wal.exists():
                    _copy_private(wal, Path(f"{tmp}.wal"))
                    os.replace(f"{tmp}.wal", f"{target}.wal")
                os.replace(tmp, target)
            except OSError as exc:  # no room for the copy (a full disk): keep serving the previous snapshot
                self._remove_files(gen)  # a partial copy holds pre-PII text too
                self.last_skip = f"cannot copy it into `{self.folder}`: {_copy_failure(exc)}"
                log.warning("portal snapshot not refreshed: %s", self.last_skip)
                return False
            finally:
                live.close()
            self._cons[gen] = db.connect_readonly(target)
            self._sig, self.generation, self.refreshed_at, self.last_skip = sig, gen, time.time(), None
            self._drop_unread()
            return True

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the current snapshot for one request (refreshing it first when due); the generation it
        reads is kept until the block ends."""
        self.refresh()
        with self._lock:
            if self.generation not in self._cons:
                raise CatalogueError("the portal is shutting down; reload the page once it has started again")
            gen = self.generation
            cur = self._cons[gen].cursor()
            self._readers[gen] = self._readers.get(gen, 0) + 1
        try:
            yield cur
        finally:
            cur.close()
            with self._lock:
                self._readers[gen] -= 1
                self._drop_unread()

    def close(self) -> None:
        """Close every snapshot connection and delete every snapshot file (idempotent)."""
        with self._lock:
            for con in self._cons.values():
                con.close()
            self._cons.clear()
            self._readers.clear()
            self._remove_files()
            if self._held is not None:
                os.close(self._held)  # releases the folder
                self._held = None
