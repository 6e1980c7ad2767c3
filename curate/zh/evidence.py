"""Lexical evidence of Simplified text made only of characters both scripts share.

面包和方便面都放在柜台后面 holds no Simplified-only character (柜, 后, 面 are Big5 characters too), so the
character count calls it neutral and leaves it. Its words are evidence: 方便面 and 柜台 are written 泡麵/方便麵
and 櫃檯 in Traditional text, never so. The evidence words are the terminology entries
(``schemas/zh/terminology.tsv``) that change their text, hold no Simplified-only character and that
character-level conversion (OpenCC s2tw + the MOE charmap) changes: each is a spelling Traditional text does not
use (keep rows such as 了解 are no evidence).

Only a record with neither script's characters is read for them (:func:`curate.zh.normalise.normalise`): a
Traditional-only character settles the record as Traditional, whatever its words.
"""

from __future__ import annotations

import functools

import ahocorasick

from curate._optional import require
from curate.zh.charsets import script_sets
from curate.zh.terms import charmap, terminology

#: characters Taiwan writes both ways (周末 and 週末, 周年 and 週年): entries holding them are no evidence
SHARED_FORMS = frozenset("周")


@functools.cache
def evidence_words() -> tuple[str, ...]:
    """The terminology sources that are Simplified spellings made of shared characters (方便面, 柜台, 由于)."""
    s2tw = require("opencc", extra="zh", purpose="lexical script evidence").OpenCC("s2tw").convert
    simplified_only, cmap = script_sets().simplified_only, charmap()
    return tuple(
        sorted(
            {
                t.source
                for t in terminology()
                if t.target != t.source
                and not any(c in simplified_only or c in SHARED_FORMS for c in t.source)
                and s2tw(t.source).translate(cmap) != t.source
            }
        )
    )


@functools.cache
def _automaton() -> ahocorasick.Automaton | None:
    words = evidence_words()
    if not words:
        return None
    auto = ahocorasick.Automaton()
    for w in words:
        auto.add_word(w, len(w))
    auto.make_automaton()
    return auto


def evidence_chars(text: str) -> int:
    """How many characters of ``text`` lie in evidence words (overlaps counted once); 0: none."""
    auto = _automaton()
    if auto is None:
        return 0
    covered: set[int] = set()
    for end, n in auto.iter(text):
        covered.update(range(end - n + 1, end + 1))
    return len(covered)
