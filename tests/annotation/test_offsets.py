"""UTF-16 <-> code point offsets (Label Studio issue #1347)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotation.offsets import OffsetMap, cp_to_utf16, utf16_to_cp

TEXTS = st.text(alphabet=st.sampled_from(list("客戶王小明先生，。a1") + ["𠀋", "𡃁", "😀", "\U0002a6a5"]), max_size=60)


@pytest.mark.parametrize(
    ("text", "cp", "u16"),
    [
        ("王小明", 2, 2),
        ("𠀋王", 1, 2),
        ("客戶𠀋〔姓名〕", 3, 4),
        ("𠀋𠀋太太", 2, 4),
        ("", 0, 0),
    ],
    ids=["bmp-only", "after-one-astral", "placeholder-after-astral", "two-astral", "empty"],
)
def test_known_offsets(text, cp, u16):
    assert cp_to_utf16(text, cp) == u16
    assert utf16_to_cp(text, u16) == cp


@given(TEXTS)
def test_round_trip_and_javascript_slices(text):
    m = OffsetMap(text)
    assert m.utf16_length == len(text.encode("utf-16-le")) // 2
    for cp in range(len(text) + 1):
        u = m.to_utf16(cp)
        assert u == cp_to_utf16(text, cp)
        assert m.to_cp(u) == cp
        # the prefix JavaScript would cut at u is the Python prefix at cp
        assert text.encode("utf-16-le")[: 2 * u].decode("utf-16-le") == text[:cp]


def test_offset_inside_surrogate_pair_is_refused():
    with pytest.raises(ValueError, match="surrogate pair"):
        utf16_to_cp("a𠀋b", 2)
    with pytest.raises(ValueError, match="outside"):
        cp_to_utf16("ab", 3)
