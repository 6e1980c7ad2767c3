"""The quick test before the crossing entries' phrase walk (review 13: the Simplified path's speed).

Round 12's 12,650 crossing entries (curate/zh/crossings.py) were each checked by a Python phrase walk wherever they
occurred: about 99.8 % of the occurrences in Simplified law and bank text were no crossing. A phrase that crosses an
edge of a word ``text[a:b]`` has ``text[a-1:a+1]`` as its last two characters or ``text[a-1:a+2]`` among its threes
(or, at the right edge, ``text[b-1:b+1]`` as its first two or ``text[b-2:b+1]`` among its threes): where none of
these is in OpenCC's phrase tables, nothing can cross, and the batch scan leaves those occurrences out at once.
"""

from __future__ import annotations

import random

import pytest

import curate.zh.crossings as crossings
from curate.zh.batch import normalise_many
from curate.zh.config import NormaliseConfig
from curate.zh.normalise import _engine, normalise
from curate.zh.scan import TermIndex, find_terms

ENGINE = _engine(NormaliseConfig())
CROSSING = ["目前台风", "楼下面包店", "以后台风", "一万只鸡", "资恐防制法"]


def _walk(text, a, b, lo, hi):
    """phrase_across's phrase walk without its quick test (the reference)."""
    keys = crossings.opencc_phrases()
    heads, tails = crossings._phrase_parts()
    for m in range(a + 1, b):
        if any(a - k >= lo and text[a - k : m] in keys for k in heads.get(text[a:m], ())):
            return True
        if any(b + k <= hi and text[m : b + k] in keys for k in tails.get(text[m:b], ())):
            return True
    return False


def test_the_quick_test_never_rules_out_a_phrase_across_an_edge():
    words = crossings.crossing_words()
    rng = random.Random(13)
    phrases = sorted(crossings.opencc_phrases())
    checked = 0
    for _ in range(4000):  # a listed word with a phrase before it and one after it, cut at random
        w = rng.choice(words)
        left, right = rng.choice(phrases), rng.choice(phrases)
        text = left + w + right
        a, b = len(left), len(left) + len(w)
        lo, hi = rng.randint(0, a), rng.randint(b, len(text))
        if _walk(text, a, b, lo, hi):
            checked += 1
            assert crossings.may_cross(text, a, b, lo, hi), (text, a, b, lo, hi)
    for text in CROSSING:  # every listed word inside the examples
        for w in words:
            at = text.find(w)
            if at >= 0 and _walk(text, at, at + len(w), 0, len(text)):
                checked += 1
                assert crossings.may_cross(text, at, at + len(w), 0, len(text))
    assert checked > 100


def test_the_batch_scan_walks_no_occurrence_that_nothing_can_cross():
    text = "台风季节，本行将暂停营业。面包店与台风无关。" * 20  # 台风 and 面包店 listed, no phrase across them here
    calls = []
    across = ENGINE.matcher.across

    def counting(*args, **kw):
        calls.append(args[1:3])
        return across(*args, **kw)

    index = TermIndex(ENGINE.matcher, ENGINE.context)
    object.__setattr__(index.matcher, "across", counting)
    try:
        find_terms(index, text)
    finally:
        object.__setattr__(index.matcher, "across", across)
    assert calls == []


@pytest.mark.parametrize("quick", [True, False], ids=["with", "without"])
def test_the_batch_scan_gives_the_same_spans_with_or_without_the_quick_test(quick):
    texts = [*CROSSING, "以后台风季节出门要小心。", "舞台风格", "目前台风的路径"] * 3
    index = TermIndex(ENGINE.matcher, ENGINE.context)
    got = [tuple(map(tuple, (x.tolist() for x in find_terms(index, t)))) for t in texts]
    if not quick:
        index.cross_grams = None
    ref = [tuple(map(tuple, (x.tolist() for x in find_terms(index, t)))) for t in texts]
    assert got == ref
    assert [r.text for r in normalise_many(texts)] == [normalise(t).text for t in texts]
    assert normalise("目前台风").text == "目前颱風" and normalise("楼下面包店").text == "樓下麵包店"
