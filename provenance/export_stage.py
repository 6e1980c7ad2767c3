"""An export's staging folder inside ``--out``, put in place once the export is recorded, and what an interrupted
export left there settled by the next.

Everything happens on ``--out``'s own filesystem (a mount point, a bind mount, a folder whose parent is not
writable), and ``--out`` itself is never renamed or removed:

* the export is written to ``--out/.curate-staging-<token>/``, whose marker file (:data:`MARKER`, written and locked
  first) names the catalogue, the run, the export and the earlier export's files that ``--overwrite`` replaces;
* recorded in the ledger, its files are renamed up into ``--out``: with ``--overwrite`` the earlier export's own
  files are first moved into ``--out/.curate-previous-<token>/``, removed once the new ones are in place;
* the marker is removed last. Killed at any point, the next export into ``--out`` finishes a recorded export's
  promotion, or removes an unrecorded staging folder of this catalogue. A staging folder whose marker's lock is
  held (a live export) or names another catalogue, or one holding files without a marker, is never touched: it is
  named and the export refused. One holding nothing but an empty marker (killed as it began) is removed.

The marker's lock is a POSIX record lock (``fcntl.lockf``, as :mod:`curate.runlock`): the kernel drops it when the
process dies, so a pid the system gave to another process later blocks nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import signal
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from provenance.errors import OutputBusyError, OutputError, UsageError
from provenance.faults import fault
from provenance.runs import finish_run

log = logging.getLogger(__name__)

#: the marker file inside a staging folder: curate's own, written (and locked) before anything else
MARKER = ".curate-export.json"
STAGING, PREVIOUS = ".curate-staging-", ".curate-previous-"


class Marker:
    """The locked marker file of a staging folder: held open (and locked) for as long as its export runs."""

    def __init__(self, path: Path, fd: int, data: dict[str, Any]) -> None:
        self.path, self._fd, self.data = path, fd, data

    @classmethod
    def create(cls, path: Path, data: dict[str, Any]) -> Marker:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        marker = cls(path, fd, {})
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new file: nobody else holds it
            fault("export_marker_created")  # crash tests: the marker there, still empty
            marker.write(**data)
        except BaseException:
            marker.release()
            raise
        return marker

    @classmethod
    def take(cls, path: Path) -> Marker | None:
        """The marker of a leftover staging folder, locked; None while its export's process holds it (alive)."""
        fd = os.open(path, os.O_RDWR)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        try:  # the first JSON value: a longer earlier content's tail may follow it (:meth:`write`)
            data = json.JSONDecoder().raw_decode(os.pread(fd, 1 << 20, 0).decode("utf-8") or "null")[0]
        except ValueError:
            data = None
        return cls(path, fd, data if isinstance(data, dict) else {})

    def write(self, **fields: Any) -> None:
        """Add ``fields`` and write the marker through to disk (it decides what the next export removes)."""
        self.data.update(fields)
        raw = json.dumps(self.data, ensure_ascii=False, sort_keys=True).encode("utf-8")
        # written over, then cut to length: truncated first, a kill between the two left an empty marker, which
        # named no catalogue, so the folder of this catalogue's (maybe recorded) export blocked every later export
        os.pwrite(self._fd, raw, 0)
        os.ftruncate(self._fd, len(raw))
        os.fsync(self._fd)

    @property
    def released(self) -> bool:
        return self._fd < 0

    def release(self) -> None:
        """Close the marker, which drops its lock (never open it a second time in the owning process)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def create(out: Path, catalogue: str | None, previous: frozenset[str] | None) -> tuple[Path, Marker]:
    """A new staging folder in ``out`` with its locked marker; refused when another staging folder appeared there
    meanwhile (two exports into one ``--out`` at once: the later one gives way, or both)."""
    token = uuid.uuid4().hex[:12]
    staging = out / f"{STAGING}{token}"
    try:
        (staging / "data").mkdir(parents=True)
        marker = Marker.create(
            staging / MARKER,
            {
                "catalogue": catalogue,
                "previous": sorted(previous) if previous is not None else None,
                "pid": os.getpid(),
                "host": socket.gethostname(),
            },
        )
    except OSError:  # a full disk or quota: the half-made folder would stand in an earlier export (verify-export fails)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    others = [p for p in out.glob(f"{STAGING}*") if p != staging]
    if others:
        marker.release()
        shutil.rmtree(staging)
        raise _busy(out, others[0])
    return staging, marker


def _busy(out: Path, staging: Path) -> OutputBusyError:
    """The refusal of an export into ``out`` while another live export writes ``staging`` there, naming its process
    (from its marker, read without its lock) and the way on."""
    try:
        data = json.JSONDecoder().raw_decode((staging / MARKER).read_text("utf-8") or "null")[0]
    except (OSError, ValueError):
        data = None
    who = (
        f"pid {data['pid']} on {data.get('host', '?')}"
        if isinstance(data, dict) and data.get("pid")
        else "another process"
    )
    return OutputBusyError(
        f"--out `{out}` is being written by another export ({who}, `{staging.name}`); run the command again once it"
        " has finished, or choose another --out"
    )


def files(staging: Path) -> list[Path]:
    """The export's files in ``staging`` (its marker left out), sorted."""
    return sorted(p for p in staging.rglob("*") if p.is_file() and p.name != MARKER)


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Ctrl-C and SIGTERM held back until the block ends, then delivered (to the handlers there were): a recorded
    export's commit and promotion are finished, not left half done. The handlers are swapped, not the signal mask:
    DuckDB's threads would take a blocked process signal. Off the main thread, where no handler runs, a no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    held = {sig: signal.signal(sig, lambda signum, _frame: caught.append(signum)) for sig in _HELD}
    try:
        yield
    finally:
        for sig, handler in held.items():
            signal.signal(sig, handler)
        if caught:
            signal.raise_signal(caught[0])


_HELD = (signal.SIGINT, signal.SIGTERM)


def promote(out: Path, staging: Path, previous: frozenset[str] | None, new: frozenset[str]) -> None:
    """Put the recorded export in ``staging`` in place in ``out``, from whatever point an earlier try reached:
    the earlier export's files (``previous``) moved aside, the new ones (``new``) renamed up, the earlier ones
    removed, the staging folder removed (its marker last). Refused, with ``staging`` left as it is, when ``out``
    was given a file the export would replace."""
    aside = out / (PREVIOUS + staging.name.removeprefix(STAGING))
    for name in sorted(previous or ()):
        src = out / name
        # a name both exports write is the earlier export's while the staging folder still holds the new file
        if src.is_file() and not src.is_symlink() and (name not in new or (staging / name).exists()):
            (aside / name).parent.mkdir(parents=True, exist_ok=True)
            src.rename(aside / name)
    fault("export_moved_aside")  # crash tests: the earlier export aside, the new one not yet in place
    pending = files(staging)
    clash = [p.relative_to(staging).as_posix() for p in pending if (out / p.relative_to(staging)).exists()]
    if clash:
        raise OutputError(
            f"--out `{out}` was given `{clash[0]}` while the export ran; the recorded export waits in `{staging}`:"
            " move that file out and export into that --out again (it is put in place first)"
        )
    for sub in sorted(p for p in staging.rglob("*") if p.is_dir()):  # `data/` also when no shard was written
        (out / sub.relative_to(staging)).mkdir(parents=True, exist_ok=True)
    for path in pending:
        dst = out / path.relative_to(staging)
        dst.parent.mkdir(parents=True, exist_ok=True)
        path.rename(dst)
    if aside.exists():
        remove_own(aside, previous or frozenset())
    _remove_empty(staging, keep=MARKER)
    (staging / MARKER).unlink(missing_ok=True)
    staging.rmdir()


def remove_own(folder: Path, names: frozenset[str]) -> None:
    """Remove an earlier export moved aside: its own files only, anything else put there stays, with a warning."""
    for name in names:
        (folder / name).unlink(missing_ok=True)
    for sub in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True) + [folder]:
        try:
            sub.rmdir()
        except OSError:
            log.warning("`%s` holds files the earlier export did not write: left in place", sub)
            return


def _remove_empty(folder: Path, keep: str = "") -> bool:
    """Remove the empty folders under ``folder`` (and ``folder`` itself unless it holds ``keep``); True when
    nothing is left. Files are never removed."""
    for sub in sorted((p for p in folder.rglob("*") if p.is_dir() and not p.is_symlink()), reverse=True):
        with contextlib.suppress(OSError):
            sub.rmdir()
    if keep and (folder / keep).exists():
        return False
    try:
        folder.rmdir()
    except OSError:
        return False
    return True


def settle(con: duckdb.DuckDBPyConnection, out: Path, catalogue: str | None) -> None:
    """Settle what interrupted exports left in ``out`` (``kill -9``, a power cut) before the next export there.

    A staging folder of this catalogue (its marker names this catalogue's file, or a run of this catalogue) whose
    export is recorded is put in place (:func:`promote`), an unrecorded one removed. Anything else, a live export's
    folder, another catalogue's, a folder holding files and no marker, is left as it is and the export refused
    with the folder named; a folder holding no file at all (an empty marker at most) is removed."""
    for staging in sorted(out.glob(f"{STAGING}*")):
        if staging.is_symlink() or not staging.is_dir():
            raise _left(staging, "is not a folder curate made", mine=False)
        if not (staging / MARKER).is_file():
            if _remove_empty(staging):
                continue
            raise _left(
                staging, f"holds files but no {MARKER} (curate's marker): it is not curate's to remove", mine=False
            )
        marker = Marker.take(staging / MARKER)
        if marker is None:  # its lock is held: that export's process is alive
            raise _busy(out, staging)
        try:
            _settle_one(con, out, staging, marker, catalogue)
        finally:
            marker.release()
    for aside in sorted(out.glob(f"{PREVIOUS}*")):  # its staging folder, removed last, is gone: nothing to finish
        if not _remove_empty(aside):
            raise _left(aside, "holds files no staging folder accounts for", mine=False)


def _settle_one(
    con: duckdb.DuckDBPyConnection, out: Path, staging: Path, marker: Marker, catalogue: str | None
) -> None:
    data = marker.data
    if not data and not files(staging):  # killed before its marker was written: curate's, and holding nothing
        shutil.rmtree(staging)
        log.warning("`%s`: an export killed as it began (its marker still empty), removed", staging)
        return
    if not data:  # it named "another catalogue (`None`)": whose it is cannot be told, not that it is another's
        raise _left(staging, f"holds files and an empty or unreadable {MARKER}, so whose export it is is unknown")
    run_id = data.get("run_id")
    if run_id:  # this catalogue's run (also after the catalogue was moved or copied)
        ours = con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone() is not None
    else:  # killed before its run began: nothing but the folder was written
        ours = catalogue is not None and data.get("catalogue") == catalogue
    if not ours:
        raise _left(staging, f"was left by an export of another catalogue (`{data.get('catalogue')}`)")
    recorded = recorded_export(con, run_id) if run_id else None
    if recorded is None:
        shutil.rmtree(staging)
        log.warning("`%s`: an export killed before it was recorded (run %s), removed", staging, run_id or "none")
        return
    previous = frozenset(data["previous"]) if data.get("previous") is not None else None
    promote(out, staging, previous, frozenset(recorded.files))
    status = con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchone()
    if status and status[0] == "running":  # killed before its run was finished: it is now
        _finish_recorded(con, run_id, recorded)
    log.warning("`%s`: export %s, killed after it was recorded, is now in place", out, recorded.export_id)


class Recorded(NamedTuple):
    """What the ledger holds of an export run's export."""

    export_id: str
    files: list[str]
    records: int
    blocked: dict[str, int]


def _finish_recorded(con: duckdb.DuckDBPyConnection, run_id: str, recorded: Recorded) -> None:
    counts = {"records": recorded.records, "blocked": recorded.blocked, "export_id": recorded.export_id}
    finish_run(con, run_id, counts=counts)


def close_interrupted(con: duckdb.DuckDBPyConnection) -> None:
    """End the export runs still marked running: their processes are dead (an export holds the catalogue's write lock
    while it runs, so none runs beside this one), killed they stayed `running` for ever. One that recorded its export
    (killed after the ledger commit) ends finished, as the next export into its ``--out`` would end it, which then
    puts its files in place (:func:`settle`); before review 18 (crash) an export into another folder ended it failed
    beside its recorded export. The others end failed, with why."""
    for (run_id,) in con.execute(
        "SELECT run_id FROM runs WHERE command = 'export dataset' AND status = 'running' ORDER BY run_id"
    ).fetchall():
        if (recorded := recorded_export(con, run_id)) is not None:
            _finish_recorded(con, run_id, recorded)
        else:
            error = "interrupted (the process ended before it finished)"
            finish_run(con, run_id, status="failed", counts={"error": error})


def recorded_export(con: duckdb.DuckDBPyConnection, run_id: str) -> Recorded | None:
    """The export the export run ``run_id`` recorded, or None when it recorded none."""
    row = con.execute(
        "SELECT e.export_id, p.detail, e.records, e.counts FROM exports e"
        " LEFT JOIN provenance_events p ON p.seq = e.export_seq WHERE e.run_id = ? ORDER BY e.export_seq DESC LIMIT 1",
        [run_id],
    ).fetchone()
    if row is None:
        return None
    files = sorted((json.loads(row[1]) if row[1] else {}).get("files") or {})
    return Recorded(row[0], files, row[2], (json.loads(row[3]) if row[3] else {}).get("blocked") or {})


def _left(folder: Path, what: str, *, mine: bool = True) -> UsageError:
    settle = "export into that --out with the catalogue that made it (which settles it), or " if mine else ""
    return UsageError(f"`{folder}` {what}; it is left as it is: {settle}look through it and move it away")
