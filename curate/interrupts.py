"""Whether this process was asked to stop (SIGTERM, Ctrl-C): owned by :mod:`provenance.interrupts`, where an
export, an ingest batch and the PII rekey check it too before they commit."""

from __future__ import annotations

from provenance.interrupts import (
    POLL_S,
    Terminated,
    join_or_stop,
    note_interrupted,
    note_terminated,
    stop_if_asked,
    terminated,
)

__all__ = [
    "POLL_S",
    "Terminated",
    "join_or_stop",
    "note_interrupted",
    "note_terminated",
    "stop_if_asked",
    "terminated",
]
