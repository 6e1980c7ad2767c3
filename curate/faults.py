"""Fault injection for crash tests (``CURATE_FAULT``): owned by :mod:`provenance.faults`, where exports use it too."""

from __future__ import annotations

from provenance.faults import fault as fault
