"""Run datatrove's local executor so that a worker killed from outside fails the run instead of hanging it.

``multiprocessing.Pool`` replaces a worker that dies (an out-of-memory kill, ``kill -9``) but the
task it was running is lost, so ``imap_unordered`` waits forever. :func:`run_watched` runs the
executor in the calling (main) thread while a watchdog thread looks at every worker process the
pool starts (recorded as they start) twice a second. When one has exited with a signal (other than the ``SIGTERM`` the
pool itself uses to stop its workers) or an error while the executor is
still running, the watchdog sends ``SIGUSR1`` to this process; the handler raises
:class:`DeadWorkerError` in the main thread, which leaves the pool's ``with`` block (terminating
the other workers) and reaches the runner as a clear error. Completed ranks stay complete, so
the same command resumes the run.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

from provenance.errors import StageError

POLL_SECONDS = 0.5
#: how often a worker forked for a run looks whether the run's process is still there (:func:`_exit_with_parent`)
PARENT_POLL_SECONDS = 1.0
_watching = False  # a run_watched run is forking workers now
_registered = False


def _exit_with_parent() -> None:
    """In a worker forked while :func:`run_watched` runs: end once the run's process is gone. A ``kill -9`` of the
    run's process left every worker asleep for good (orphans of ~85 MB each, holding their shard's texts)."""
    if not _watching:
        return
    import os
    import time

    # a worker ends on SIGTERM, which is how the pool stops its workers once the work is done: a handler the run's
    # process holds (Ray's driver installs one that exits with code 15; the CLI's own) would make a stopped worker
    # look like one that died, and the run fail (the watchdog sees exit code 15, not -SIGTERM)
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except ValueError:  # not the child's main thread: nothing was inherited there to run
        pass
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="curate-parent-watch", daemon=True).start()


class DeadWorkerError(StageError):
    """A datatrove worker process died (killed by a signal or crashed)."""


def run_watched(run: Callable[[], Any], what: str) -> Any:
    """Call ``run()`` (an executor's ``run``); raise :class:`DeadWorkerError` if a worker dies meanwhile.

    Only the main thread can receive the signal; elsewhere ``run()`` is called unwatched.
    """
    if threading.current_thread() is not threading.main_thread():
        return run()
    import os

    import multiprocess.process as mpp

    started: list[Any] = []
    dead: list[tuple[int, int]] = []
    stop = threading.Event()
    original_start = mpp.BaseProcess.start

    def start(self: Any) -> None:
        # every process the pool starts, also the replacements it forks for dead workers (which
        # it reaps itself, so polling the live children would miss a quick death)
        original_start(self)
        if "PoolWorker" in self.name:  # not datatrove's Manager process
            started.append(self)

    def watch() -> None:
        while not stop.wait(POLL_SECONDS):
            for p in list(started):
                code = p.exitcode
                # SIGTERM is how the pool itself stops its workers when the work is done
                if code is not None and code not in (0, -signal.SIGTERM):
                    dead.append((p.pid, code))
                    os.kill(os.getpid(), signal.SIGUSR1)
                    return

    def on_signal(signum: int, frame: Any) -> None:
        if dead:
            pid, code = dead[0]
            how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
            hint = " (an out-of-memory kill looks like this)" if code == -signal.SIGKILL else ""
            raise DeadWorkerError(
                f"{what}: worker process {pid} {how}{hint}; the run is marked failed and its completed "
                "tasks are kept: rerun the same command to resume it, or `curate runs abandon RUN` to drop it"
            )

    global _watching, _registered
    if not _registered:
        os.register_at_fork(after_in_child=_exit_with_parent)
        _registered = True
    previous = signal.signal(signal.SIGUSR1, on_signal)
    mpp.BaseProcess.start = start
    _watching = True
    thread = threading.Thread(target=watch, name="curate-worker-watchdog", daemon=True)
    thread.start()
    try:
        return run()
    finally:
        _watching = False
        stop.set()
        thread.join()
        mpp.BaseProcess.start = original_start
        signal.signal(signal.SIGUSR1, previous)
