"""The terminology dictionary and protected glossary are valid, reviewable data."""

from __future__ import annotations

import opencc
import pytest

from curate.zh.charsets import script_sets
from curate.zh.terms import (
    BASIS_KINDS,
    DOMAINS,
    build_matcher,
    charmap,
    context_terms,
    parse_protected,
    parse_terminology,
    protected_terms,
    surname_terms,
    terminology,
)
from provenance.errors import ConfigError


def test_terminology_is_large_and_every_entry_has_a_domain():
    terms = terminology()
    assert len(terms) >= 250
    assert {t.domain for t in terms} <= DOMAINS
    assert len({t.source for t in terms}) == len(terms)


def test_targets_are_traditional():
    simp = script_sets().simplified_only
    for t in terminology() + surname_terms():
        assert not set(t.target) & simp, t


def test_sources_are_written_in_simplified():
    trad = script_sets().traditional_only
    for t in terminology():
        assert not set(t.source) & trad, t


def test_protected_glossary_is_traditional_and_complete():
    items = protected_terms()
    assert {p.domain for p in items} >= {"law", "institution"}
    simp = script_sets().simplified_only
    assert all(not set(p.term) & simp for p in items)


def test_charmap_maps_variants_to_moe_forms():
    assert "帳" == chr(ord("賬")).translate(charmap())


def test_bad_rows_are_rejected_with_line_numbers():
    with pytest.raises(ConfigError, match="line 1: unknown domain"):
        parse_terminology("账户\t帳戶\tbankingz\tmoe\n")
    with pytest.raises(ConfigError, match="line 2"):
        parse_terminology("账户\t帳戶\tbanking\tmoe\n账户\t賬戶\tbanking\tmoe\n")
    with pytest.raises(ConfigError, match="3 tab-separated"):
        parse_protected("銀行法\n")


def test_matcher_prefers_longest_and_maps_simplified_spelling_of_protected_terms():
    m = build_matcher(
        parse_terminology("网上\t網路上\tit\tusage:it\n网上银行\t網路銀行\tbanking\tusage:banking\n"),
        ["臺灣證券交易所"],
        opencc.OpenCC("tw2s").convert,
    )
    pieces = [(p, r, k) for _, p, r, k in m.split("去网上银行和台湾证券交易所")]
    assert ("网上银行", "網路銀行", "term") in pieces
    assert ("台湾证券交易所", "臺灣證券交易所", "term") in pieces


def test_every_entry_says_where_it_comes_from():
    for t in terminology():
        kind, _, detail = t.basis.partition(":")
        assert kind in BASIS_KINDS, t
        assert kind not in {"law", "reg", "usage"} or detail, t
    for c in context_terms():
        assert c.basis.partition(":")[0] in BASIS_KINDS, c


def test_a_row_without_basis_is_rejected():
    with pytest.raises(ConfigError, match="line 1: expected 4"):
        parse_terminology("账户\t帳戶\tbanking\n")
    with pytest.raises(ConfigError, match="basis 'zhconv'"):
        parse_terminology("账户\t帳戶\tbanking\tzhconv\n")
    with pytest.raises(ConfigError, match="need a detail"):
        parse_terminology("合同\t契約\tcontract\tlaw\n")
    assert parse_terminology("合同\t契約\tcontract\tlaw:民法\tnote\n")[0].basis == "law:民法"


def test_opencc_basis_is_what_opencc_itself_says():
    """A row credited to OpenCC's TWPhrases is exactly what s2twp produces for the bare word."""
    s2twp = opencc.OpenCC("s2twp").convert
    rows = [t for t in terminology() if t.basis == "opencc"]
    assert rows
    assert [t for t in rows if s2twp(t.source) != t.target] == []


def test_domains_include_the_issue_13_groups():
    assert {"it", "privacy", "contract", "banking_channel", "payments", "securities", "insurance", "general"} <= DOMAINS


@pytest.mark.parametrize("frame", ["我们已经{}了，请确认。", "请问{}的规则是什么？", "这个{}对于我们来说很重要。"])
def test_every_entry_converts_inside_running_simplified_text(frame):
    """Each entry's Simplified form, embedded in a Simplified sentence, comes out as its Taiwan form."""
    from curate.zh import normalise

    wrong = []
    for t in terminology():
        out = normalise(frame.format(t.source)).text
        if t.target not in out:
            wrong.append((t.source, t.target, out))
    assert wrong == []


@pytest.mark.parametrize("frame", ["依{}之規定辦理。", "本行的{}已於上週更新完成，請客戶留意。", "{}"])
def test_traditional_text_with_any_entry_stays_untouched(frame):
    """The Traditional-unchanged guarantee holds for every Taiwan form in the tables."""
    from curate.zh import normalise

    forms = [t.target for t in terminology()] + [c.default for c in context_terms()]
    forms += [c.in_context for c in context_terms()]
    changed = [frame.format(f) for f in forms if normalise(frame.format(f)).text != frame.format(f)]
    assert changed == []
