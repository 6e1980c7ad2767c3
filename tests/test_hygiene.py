"""Text hygiene: properties that must hold for any input."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from curate.stages.hygiene import HygieneConfig, clean

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
ANY = st.text(
    st.one_of(
        CJK, st.characters(codec="utf-8", exclude_categories=("Cs",)), st.sampled_from(" \t\r\n\u3000\u200b\ufeff\x00")
    ),
    max_size=200,
)


@given(ANY)
@settings(max_examples=300, deadline=None)
def test_idempotent(text: str) -> None:
    once, _ = clean(text)
    assert clean(once) == (once, {})


@given(ANY)
@settings(max_examples=300, deadline=None)
def test_never_inserts_characters(text: str) -> None:
    out, _ = clean(text)
    src = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    pool = iter(src)
    # every output character comes from the input in order (a space may stand for a run of spaces)
    for ch in out:
        if ch == " ":
            continue
        assert ch in pool


@given(st.text(CJK, min_size=1, max_size=50))
def test_plain_chinese_untouched(text: str) -> None:
    assert clean(text) == (unicodedata.normalize("NFC", text), {})


def test_what_changed_is_reported() -> None:
    out, changes = clean("本法\u200b所稱銀行，\r\n謂依本法組織登記。\x07  ")
    assert out == "本法所稱銀行，\n謂依本法組織登記。"
    assert changes["zero_width_chars"] == 1 and changes["control_chars"] == 1
    assert changes["line_breaks_normalised"] == 1


def test_indentation_option() -> None:
    assert clean("一、\n  (一)項", HygieneConfig(keep_indentation=True))[0] == "一、\n (一)項"
    assert clean("一、\n  (一)項")[0] == "一、\n(一)項"


EDGY = st.text(
    st.sampled_from(["第", "條", "a", " ", "\n", "\t", "\u3000", "\u200b", "。", "\x01", "\u00a0", "e", "\u0301"]),
    max_size=12,
)


@given(st.one_of(EDGY, ANY))
@settings(max_examples=1500, deadline=None)
def test_the_quick_check_never_skips_a_change(text: str) -> None:
    """A text the quick check lets through unchanged is one the full cleaning leaves unchanged too."""
    from unittest import mock

    from curate.stages import hygiene

    with mock.patch.object(hygiene, "_suspect", return_value=True):
        full = clean(text)
    assert clean(text) == full
