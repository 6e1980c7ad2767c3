"""The crossing quick test (rv13-zh 31a20b2: crossings.may_cross, scan._may_cross) against the branch's own slow
path: it must rule out only occurrences the phrase walk rules out, and the batch scan's vectorised test must say what
may_cross says, with crossing words at clause edges, after punctuation, beside astral characters, combining marks,
CRLF, full-width spaces, NUL and U+FDD0, through normalise and normalise_many. (The branch's own batch test compared
the scan with the quick test against itself; its "without" case still ran the quick test inside phrase_across.)
"""

from __future__ import annotations

import random

import numpy as np

import curate.zh.crossings as crossings
import curate.zh.scan as scan
from curate.zh import normalise, normalise_many
from curate.zh.config import NormaliseConfig
from curate.zh.normalise import _engine

ENGINE = _engine(NormaliseConfig())


def _texts(n: int) -> list[str]:
    rng = random.Random(1313)
    words = list(crossings.crossing_words())
    phrases = sorted(crossings.opencc_phrases())
    odd = ["\r\n", "\u3000", "\u0301", "\U0001f600", "\U00020000", "\ufdd0", "\x00", " ", "，", "。", "「", "」", "\n"]
    tails = ["目前台风季节", "楼下面包店", "以后台风", "资恐防制法", "一万只鸡", "本行系统", "我们会处理"]
    out = []
    for i in range(n):
        w, left, right = rng.choice(words), rng.choice(phrases), rng.choice(phrases)
        if i % 3 == 0:
            parts = [left[: rng.randint(1, len(left))], w, right[rng.randint(0, len(right) - 1) :]]
        elif i % 3 == 1:
            parts = [rng.choice(odd), w, rng.choice(odd), right, rng.choice(tails)]
        else:
            parts = [rng.choice(tails), left, rng.choice(odd), w, right]
        out.append("".join(parts))
    return out


def _edge_texts() -> list[str]:
    """Phrases that end two or more characters inside a listed word, or start two or more before its end."""
    words = [w for w in crossings.crossing_words() if len(w) > 2]
    heads = {w[:2]: w for w in words}
    tails = {w[-2:]: w for w in words}
    out = []
    for p in sorted(crossings.opencc_phrases()):
        for k in range(1, len(p) - 1):
            if (w := heads.get(p[k : k + 2])) and w.startswith(p[k:]):
                out.append("，" + p[:k] + w + "。")
            if (w := tails.get(p[k - 1 : k + 1])) and w.endswith(p[: k + 1]):
                out.append("\u3000" + w + p[k + 1 :] + "\r\n")
    return out


def test_the_quick_test_rules_out_only_occurrences_the_walk_rules_out(monkeypatch):
    texts = [*random.Random(13).sample(_edge_texts(), 2500), *_texts(400)]
    words = set(crossings.crossing_words())
    across = crossings.with_crossings((), ENGINE._profile, True)[2]
    occ = [
        (t, a, a + n)
        for t in texts
        for a in range(len(t))
        for n in (2, 3, 4)
        if a + n <= len(t) and t[a : a + n] in words
    ]
    fast = [across(t, a, b, 0, len(t)) for t, a, b in occ]
    index = scan.TermIndex(ENGINE.matcher, ENGINE.context)
    at = {k: i for i, k in enumerate(index.keys)}
    for t, a, b in occ:  # the batch scan's quick test says what may_cross says (of the matcher's crossing entries)
        if not index.crossing[at[t[a:b]]]:
            continue
        xp = np.concatenate((scan.codepoints(t), np.full(index.max_len, 0xFDD0, dtype="<u4")))
        kept = scan._may_cross(index, xp, np.array([a]), np.array([at[t[a:b]]]))[0].size == 1
        assert kept == crossings.may_cross(t, a, b, 0, len(t)), (t, a, b)
    monkeypatch.setattr(crossings, "may_cross", lambda *a, **k: True)
    slow = [across(t, a, b, 0, len(t)) for t, a, b in occ]
    assert fast == slow
    assert sum(slow) > 100


def test_the_quick_test_gives_what_the_phrase_walk_alone_gives(monkeypatch):
    texts = [*_texts(600), "目前台风", "楼下面包店", "以后台风季节", "舞台风格", "請注意：目前台风\r\n楼下面包店"]
    fast = [normalise(t).text for t in texts], [r.text for r in normalise_many(texts)]
    monkeypatch.setattr(crossings, "may_cross", lambda *a, **k: True)
    monkeypatch.setattr(scan, "_may_cross", lambda index, xp, start, key: (start, key))
    slow = [normalise(t).text for t in texts], [r.text for r in normalise_many(texts)]
    assert fast == slow
    assert sum(a != b for a, b in zip(fast[0], texts, strict=True)) > 300  # the texts are converted
