"""Another process holding the catalogue's file lock for a while (a second curate writer or reader), for the tests of
what a command does meanwhile (review 7, findings 2 to 4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[3] == "read")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


class Holder:
    """A child process that opens ``path`` (``mode``: ``write`` or ``read``) and keeps it open ``seconds``."""

    def __init__(self, path: Path, seconds: float, mode: str = "write") -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _HOLD, str(path), str(seconds), mode], stdout=subprocess.PIPE, text=True
        )
        line = self.proc.stdout.readline()  # the lock is held from here on
        assert line.strip() == "held", line
        self.pid = self.proc.pid

    def wait(self) -> None:
        """Wait for the child to let go (it does after ``seconds``)."""
        self.proc.wait(timeout=60)
        self.proc.stdout.close()

    def __enter__(self) -> Holder:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.wait()
