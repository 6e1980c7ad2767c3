"""Fixtures for the ingestor tests (imported by name: no conftest, so the lead's tests/sources stay free)."""

from __future__ import annotations

import pytest

import builders


@pytest.fixture(scope="session")
def build():
    """The :mod:`builders` module (make_pdf, make_docx, make_epub, ...)."""
    return builders


@pytest.fixture(scope="session")
def cjk_font():
    path = builders.cjk_font_path()
    if path is None:
        pytest.skip("no CJK font; apt-get install fonts-arphic-uming (or fonts-noto-cjk)")
    return path


def collect(source):
    """Run a source like the driver does: (records, rejections, skips)."""
    from sources.base import RawItem, Record, Rejection, Skip

    records, rejections, skips = [], [], []
    for item in source.iter_raw():
        outs = source.to_records(item) if isinstance(item, RawItem) else [item]
        for out in outs:
            if isinstance(out, Record):
                records.append(out)
            elif isinstance(out, Rejection):
                rejections.append(out)
            elif isinstance(out, Skip):
                skips.append(out)
    return records, rejections, skips
