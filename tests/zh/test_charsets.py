"""The single-script sets come from OpenCC's own dictionaries."""

from __future__ import annotations

import opencc

from curate.zh.charsets import _from_converters, script_sets


def test_sets_are_derived_from_opencc_dictionaries():
    s = script_sets()
    assert s.method == "opencc_dict"
    assert len(s.simplified_only) > 3000 and len(s.traditional_only) > 3000
    assert not s.simplified_only & s.traditional_only


def test_simplified_only_chars_all_change_under_s2t():
    conv = opencc.OpenCC("s2t")
    s = script_sets()
    unchanged = [c for c in s.simplified_only if conv.convert(c) == c]
    assert not unchanged


def test_characters_valid_in_both_scripts_are_neutral():
    s = script_sets()
    for ch in "干后台里范余准面只":
        assert ch not in s.simplified_only, ch
        assert ch not in s.traditional_only, ch
    assert set(s.ambiguous["干"]) >= {"幹", "乾", "干"}
    assert "髮" in s.ambiguous["发"]


def test_converter_fallback_agrees_on_clear_cases():
    c = _from_converters()
    assert "发" in c.simplified_only and "發" in c.traditional_only
    assert c.method == "converters"


def test_taiwan_standard_forms_are_not_simplified_only():
    # OpenCC's own standard writes 牀; Taiwan (and s2tw) write 床
    assert "床" not in script_sets().simplified_only
