"""A value or a labelled name cut by U+2028 (line separator) or U+2029 (paragraph separator): Word and web text write
them where a line wraps, hygiene keeps them, and the rules read a LF only (integration review 12-r)."""

import pytest

from curate.pii.engine import PiiDetector
from curate.stages.hygiene import clean


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


@pytest.mark.parametrize("sep", ["\u2028", "\u2029"])
@pytest.mark.parametrize(
    ("text", "etype"),
    [
        ("身分證字號：A12345{}6789 其他", "TW_NATIONAL_ID"),
        ("行動電話：0912-345{}678，", "TW_PHONE"),
        ("姓名：王{}小明", "PERSON"),
    ],
)
def test_a_value_cut_by_a_line_separator_is_read_whole(det, sep, text, etype):
    text = clean(text.format(sep))[0]
    assert sep in text  # hygiene keeps it
    found = [(text[s.start : s.end], s.entity_type) for s in det.analyze(text)]
    assert any(t == etype and sep in v for v, t in found), found
