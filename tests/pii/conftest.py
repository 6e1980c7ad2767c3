"""Fixtures of the PII tests: the detector (one per test module, as each module had its own)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def det():
    """The PII detector with its default recognizers."""
    from curate.pii.engine import PiiDetector

    return PiiDetector()


@pytest.fixture(scope="module")
def detector(det):
    """The same detector, by the name some modules use."""
    return det
