"""Run locks with liveness: one live process per command (``run pii``, ``ingest moda``...) at a time.

A lock is a file ``<work root>/locks/<command>.lock`` holding the owner's pid, host, run id and
a heartbeat, locked with a POSIX record lock (``fcntl.lockf``). The kernel drops that lock when
the owning process dies (even by ``kill -9``), and it is not inherited by forked children
(datatrove's workers and its Manager), so on one host liveness needs no guessing:

* the lock is held: the owner is alive; the second process is refused with who holds it;
* the lock is free: any earlier owner is dead and its run can be resumed or abandoned.

On a shared filesystem across hosts (Slurm), record locks may not reach other machines, so a
lock whose file names another host with a heartbeat younger than :data:`STALE_SECONDS` is also
treated as held. The heartbeat is refreshed every :data:`HEARTBEAT_SECONDS` by a thread.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provenance.errors import WorkbenchError

HEARTBEAT_SECONDS = 10.0
STALE_SECONDS = 120.0


class RunLockedError(WorkbenchError):
    """Another live process is running the same command on this catalogue.

    Exit code 75 (``EX_TEMPFAIL``: try again once it has finished), as a catalogue another process holds
    (:class:`provenance.errors.CatalogueBusyError`): a second ``curate run STAGE`` started while the first one's
    workers run (the catalogue is free then) is the same situation as one started during its snapshot or load."""

    exit_code = 75


@dataclass(frozen=True, slots=True)
class LockInfo:
    """Who holds (or last held) a run lock."""

    pid: int
    host: str
    run_id: str
    command: str
    heartbeat: float

    @property
    def age(self) -> float:
        return max(0.0, time.time() - self.heartbeat)


def lock_path(work_root: Path, command: str) -> Path:
    """``<work root>/locks/<command slug>.lock``."""
    slug = "".join(c if c.isalnum() else "_" for c in command)[:40]
    digest = hashlib.sha256(command.encode()).hexdigest()[:8]
    return work_root / "locks" / f"{slug}-{digest}.lock"


def _read(fd: int) -> LockInfo | None:
    raw = os.pread(fd, 4096, 0)
    try:
        d: dict[str, Any] = json.loads(raw.decode("utf-8") or "null")
        return LockInfo(int(d["pid"]), str(d["host"]), str(d["run_id"]), str(d["command"]), float(d["heartbeat"]))
    except (ValueError, KeyError, TypeError):
        return None


class RunLock:
    """Hold the lock of ``command`` while a run works: ``with RunLock(root, command) as lock: ...``."""

    def __init__(self, work_root: Path, command: str, *, then: str | None = None) -> None:
        self.path = lock_path(work_root, command)
        self.command = command
        self.then = then
        """What a refused caller can do instead of "run the command again once it has finished" (which is
        untrue of ``runs abandon``: a finished run is not abandoned)."""
        self.run_id = ""
        self._fd: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.previous: LockInfo | None = None
        """Who held the lock before us (a dead owner: its run may be resumed).

        Never open the lock file a second time in the owning process: closing any descriptor of
        it drops a POSIX record lock."""

    def acquire(self) -> RunLock:
        """Take the lock or raise :class:`RunLockedError` naming the live owner."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            info = _read(fd)
            os.close(fd)
            raise RunLockedError(self._refusal(info)) from None
        info = _read(fd)
        if info and info.host != socket.gethostname() and info.age < STALE_SECONDS:
            os.close(fd)  # the owner is on another host and alive (its heartbeat is fresh)
            raise RunLockedError(self._refusal(info))
        self._fd = fd
        self.previous = info
        self._write()
        self._thread = threading.Thread(target=self._beat, name="curate-run-heartbeat", daemon=True)
        self._thread.start()
        return self

    def _refusal(self, info: LockInfo | None) -> str:
        who = (
            f"pid {info.pid} on {info.host} (run {info.run_id}, heartbeat {info.age:.0f} s ago)"
            if info
            else "another process"
        )
        # the kernel's record lock is held only by a live process: telling the user "if it is gone, abandon it"
        # sent them to `runs abandon`, which the same lock refuses
        gone = (
            f"; if that host's process is gone, its lock counts as free {STALE_SECONDS:.0f} s after its last heartbeat"
            f" (lock file {self.path})"
            if info and info.host != socket.gethostname()
            else ""
        )
        then = self.then or (
            "run the command again once it has finished (a run stopped before its end resumes with its own command)"
        )
        return f"`{self.command}` is already running on this catalogue: {who}; {then}{gone}"

    def set_run(self, run_id: str) -> None:
        """Record which run this lock protects (shown to a refused second process)."""
        self.run_id = run_id
        self._write()

    def _write(self) -> None:
        if self._fd is None:
            return
        data = json.dumps(
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "run_id": self.run_id,
                "command": self.command,
                "heartbeat": time.time(),
            }
        ).encode()
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                self._write()
            except OSError:  # pragma: no cover - file system gone
                return

    def release(self) -> None:
        """Stop the heartbeat and free the lock (the file stays, empty)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
            finally:
                os.close(self._fd)  # closing drops the record lock
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
