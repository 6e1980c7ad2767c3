"""Fault injection for crash tests: ``CURATE_FAULT=<point>`` kills the process with SIGKILL at that point
(``<point>@TERM``: sends it SIGTERM instead, which the CLI turns into its clean interrupt; ``<point>@TERMGROUP``:
SIGTERM to its whole process group, as ``timeout(1)`` or Slurm's ``scancel`` stop a run and its workers;
``<point>@TERMLOST``: SIGTERM whose exception is lost where it lands, as DuckDB swallows one that comes while it
imports pandas for a query, :mod:`curate.interrupts`)."""

from __future__ import annotations

import os


def fault(point: str) -> None:
    """SIGKILL this process if ``CURATE_FAULT`` names ``point`` (no-op otherwise)."""
    name, _, sig = os.environ.get("CURATE_FAULT", "").partition("@")
    if name == point:
        import signal

        if sig == "TERMGROUP":
            os.killpg(os.getpgid(0), signal.SIGTERM)
            return
        if sig == "TERMLOST":
            try:
                signal.raise_signal(signal.SIGTERM)  # its handler runs before this call returns
            except KeyboardInterrupt:
                pass
            return
        os.kill(os.getpid(), getattr(signal, f"SIG{sig or 'KILL'}"))
