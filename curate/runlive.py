"""Is a run the catalogue marks ``running`` still running? Read from its run lock, never by taking it.

A stage run (``run <stage>``) holds its command's run lock (:mod:`curate.runlock`) for as long as its process lives;
the kernel drops the lock when the process dies, ``kill -9`` included, and then nothing can mark the run. ``curate
runs list``, ``runs show`` and ``status`` read the lock here so that such a run is not shown as running: they are
read-only, so the lock is only queried (``F_GETLK``): no file is created or locked, and a steward's run that starts
meanwhile is never refused because an auditor looked.
"""

from __future__ import annotations

import fcntl
import os
import socket
import struct
import sys
from pathlib import Path

from curate.runlock import STALE_SECONDS, _read, lock_path

__all__ = ["GONE", "process_state", "shown_status"]

#: what a ``running`` run whose process is gone is shown as
GONE = "running (process gone)"

#: ``struct flock`` on Linux (64-bit ``off_t``): l_type, l_whence, l_start, l_len, l_pid, padding
_FLOCK = "hhqqi4x"


def _held_by_another(fd: int) -> bool:
    """Whether another process holds a record lock on ``fd``'s file (``F_GETLK``: asks, takes nothing)."""
    query = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
    l_type = struct.unpack(_FLOCK, fcntl.fcntl(fd, fcntl.F_GETLK, query))[0]
    return l_type != fcntl.F_UNLCK


def process_state(db_path: str | Path, command: str, run_id: str) -> str | None:
    """``"alive"`` or ``"gone"`` for a ``running`` run of a stage command, ``None`` where it cannot be told (a
    command that takes no run lock, a platform whose lock layout is not Linux's).

    A Slurm run's command submits its tasks and returns (:mod:`curate.slurm_submit`): while the job may be queued
    its run is not told (``None``; asking ``squeue`` is the next run of its command's part).

    Not told either (``None``) where its work root or lock file cannot be read: a catalogue copied without its work
    root (an auditor's copy) has no lock file while the run may be alive where the catalogue came from, a lock file
    deleted under a live run still holds the lock on its unlinked file, and an auditor under another user cannot
    read the work root (0700): a stage run takes its lock before its run row exists, so a run it left behind
    always has one. Gone: the lock free (its process died) or held for another run; alive: the lock held for this run (or before the holder named its run), or named by another
    host whose heartbeat is fresh (a shared file system that does not carry record locks)."""
    from curate.slurm_submit import JOB_FILE
    from curate.workfiles import work_root

    root = work_root(db_path)
    if not command.startswith("run ") or not sys.platform.startswith("linux"):
        return None
    try:  # Path.exists raises on a work root another user's (0700): the auditor's status must not fail on it
        os.stat(root / "runs" / run_id / JOB_FILE)
        return None  # submitted to Slurm: its tasks run without this command's process
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        fd = os.open(lock_path(root, command), os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None  # no lock file (a copy, or deleted under its run) or not readable: not told, never "gone"
    try:
        held, info = _held_by_another(fd), _read(fd)
    except OSError:
        return None
    finally:
        os.close(fd)
    if info and info.run_id not in ("", run_id):
        return "gone"  # the lock is another run's: this one's process let go of it
    if held:
        return "alive"
    if info and info.host != socket.gethostname() and info.age < STALE_SECONDS:
        return "alive"
    return "gone"


def shown_status(db_path: str | Path, run_id: str, command: str, status: str) -> tuple[str, str | None]:
    """The status to show for a run and its process state (``None`` unless the run is ``running``)."""
    if status != "running":
        return status, None
    state = process_state(db_path, command, run_id)
    return (GONE if state == "gone" else status), state
