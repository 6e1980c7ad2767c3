"""Run a command that a crash test kills with SIGKILL (``CURATE_FAULT``), and clean up what it leaves."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path


def run_killed(cmd: list[str], env: dict[str, str], log: Path, timeout: float = 300) -> int:
    """Run ``cmd`` in its own session, output to ``log``; returns its exit status (``-9`` when killed).

    The whole session is killed afterwards: datatrove's multiprocess Manager outlives a killed parent."""
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            return proc.wait(timeout=timeout)
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
