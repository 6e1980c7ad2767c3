"""Whether this process was asked to stop (SIGTERM), for the code that reports why a run ended.

``timeout(1)``, Slurm's ``scancel`` and a systemd stop signal the whole process group: a stage's workers end at
once and the run's process may meet their broken pipe (``BrokenPipeError``, ``ConnectionResetError``) before its
own handler's interrupt. That is a stop, not a bug of the workbench: the CLI's handler notes it here
(:func:`note_terminated`) and the runner (:func:`curate.runfailed.ended_by`) and the CLI read it.
"""

from __future__ import annotations

import threading

_terminated = threading.Event()


def note_terminated() -> None:
    """Record that this process received SIGTERM."""
    _terminated.set()


def terminated() -> bool:
    """True once this process received SIGTERM."""
    return _terminated.is_set()
