"""Titles between book-title marks (《反洗钱法》, 〈…〉) in Simplified text: names of a statute, a book, a report or a
programme, converted character by character (s2tw and the Ministry of Education forms), never reworded by the
terminology layer or s2twp's vocabulary.

A Mainland statute quoted in Simplified text keeps its own name: 《反洗钱法》 is 《反洗錢法》, not 《防制洗錢法》 (no such
law: Taiwan's is 洗錢防制法), and 《个人信息保护法》 is 《個人信息保護法》, while 反洗钱 and 个人信息 in the running text
around it take Taiwan usage. A title the character-level conversion would change in length is left to the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: a title between 《》 or 〈〉 on one line (nested marks inside the outer pair are part of it), with no sentence's
#: end inside; 〈〉 with no clause's end either: 〈 and 〉 also stand for < and > (当收益率〈5%时，…，当收益率〉10%时),
#: and the clauses between two such signs are running text
#: a 《 left open (a truncated quotation, 根据《反洗钱法，…): the title runs to the clause's end (review 16: it was
#: reworded, 《防制洗錢法)
TITLE_RE = re.compile(
    r"《[^《》\n。！？；]{1,80}》|〈[^〈〉\n。！？；，]{1,80}〉|《[^《》\n。！？；，、：]{1,80}(?=[\n。！？；，、：]|$)"
)


def title_positions(text: str, a: int, b: int, fold: Callable[[str], str]) -> dict[int, str]:
    """Positions of the characters inside book-title marks in ``text[a:b]`` that the character-level conversion
    ``fold`` gives -> their form (each kept one-to-one)."""
    out: dict[int, str] = {}
    for m in TITLE_RE.finditer(text, a, b):
        s, e = m.start() + 1, m.end() - (m.group()[-1] in "》〉")
        inner = text[s:e]
        conv = fold(inner)
        if len(conv) != len(inner):
            continue
        for k, c in enumerate(conv):
            out[s + k] = c
    return out
