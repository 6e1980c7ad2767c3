"""Whether this process was asked to stop (SIGTERM, Ctrl-C), for the code that reports why a run ended.

``timeout(1)``, Slurm's ``scancel`` and a systemd stop signal the whole process group: a stage's workers end at
once and the run's process may meet their broken pipe (``BrokenPipeError``, ``ConnectionResetError``) before its
own handler's interrupt. That is a stop, not a bug of the workbench: the CLI's handler notes it here
(:func:`note_terminated`) and the runner (:func:`curate.runfailed.ended_by`) and the CLI read it.

The exception a handler raises can also be lost where it lands: a signal that comes while DuckDB imports pandas
for a query (the first parameterised query of a process) is swallowed by DuckDB, with the import's module lock
left held, so the run went on, and a thread importing the same modules waited for good (a ``curate run`` that
SIGTERM or Ctrl-C hung in its snapshot, holding its run lock). The handlers note every stop, and
:func:`join_or_stop` and :func:`stop_if_asked` raise a noted one again: a stage run before its workers start and
before its load, an export before it is recorded, an ingest before each batch's commit, the PII rekey before its
commit. Only the CLI's handlers note a stop (``curate.cli``): in library use these are no-ops.
"""

from __future__ import annotations

import threading

_terminated = threading.Event()
_interrupted = threading.Event()

#: how often :func:`join_or_stop` looks for a noted stop while it waits
POLL_S = 0.2


class Terminated(KeyboardInterrupt):
    """SIGTERM (``timeout``, ``kill``, a scheduler stopping a job), raised like Ctrl-C: the same clean-up runs (an
    export removes its unrecorded folder, a run is marked failed) instead of the process ending in mid-write."""


def note_terminated() -> None:
    """Record that this process received SIGTERM."""
    _terminated.set()


def terminated() -> bool:
    """True once this process received SIGTERM."""
    return _terminated.is_set()


def note_interrupted() -> None:
    """Record that this process received SIGINT (Ctrl-C)."""
    _interrupted.set()


def stop_if_asked() -> None:
    """Raise the stop this process was asked for (:class:`Terminated`, ``KeyboardInterrupt``), if any: one whose
    exception was lost where the signal landed is honoured here (no-op when none came)."""
    if _terminated.is_set():
        raise Terminated()
    if _interrupted.is_set():
        raise KeyboardInterrupt()


def join_or_stop(thread: threading.Thread) -> None:
    """Wait for ``thread`` to end, unless this process is asked to stop meanwhile (or was, its exception lost):
    then raise that stop (:func:`stop_if_asked`), leaving the thread (a daemon) behind."""
    while thread.is_alive():
        stop_if_asked()
        thread.join(POLL_S)
    stop_if_asked()
