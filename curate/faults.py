"""Fault injection for crash tests: ``CURATE_FAULT=<point>`` kills the process with SIGKILL at that point."""

from __future__ import annotations

import os


def fault(point: str) -> None:
    """SIGKILL this process if ``CURATE_FAULT`` names ``point`` (no-op otherwise)."""
    if os.environ.get("CURATE_FAULT") == point:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
