"""Workers forked for a run end on SIGTERM, whatever handler the run's process holds."""

from __future__ import annotations

import signal
import sys

from curate import watched


def _sigterm_disposition() -> str:
    return "default" if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL else "handled"


def test_a_worker_ends_on_sigterm_whatever_the_runs_process_installed() -> None:
    """Ray's driver installs a SIGTERM handler that exits with code 15 (``sys.exit(signum)``); a pool worker that
    inherited it ended with code 15 when the pool stopped it after its work, which the watchdog took for a worker
    that died: the run failed (seen in a full test run, where an earlier test had started Ray in-process)."""
    import multiprocess

    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(signum))
    try:

        def run() -> str:
            with multiprocess.get_context("fork").Pool(1) as pool:
                return pool.apply(_sigterm_disposition)

        assert watched.run_watched(run, "test") == "default"
    finally:
        signal.signal(signal.SIGTERM, previous)
