"""Cantonese words written with characters OpenCC reads as Simplified: kept as written (review 18).

Written Cantonese (Hong Kong, Macau, a Cantonese-speaking client quoted in a complaint) spells two of its words with
characters that are Simplified forms in Mandarin: 晒 ("all", "completely": 唔該晒, 走晒, 冇晒; in Mandarin the
Simplified form of 曬) and 吓 ("huh?", "a bit": 吓？, 等吓; in Mandarin the Simplified form of 嚇). Converted, a
Traditional Cantonese sentence was harmed (唔該晒 -> 唔該曬, 你做乜嘢吓 -> 你做乜嘢嚇). In a sentence that is
Cantonese (:data:`MARKERS`: characters only Cantonese writes, 佢, 哋, 咗, 嘅, 冇, 喺; or a Cantonese phrase,
:data:`PHRASES`: 唔該, 唔係, 多謝晒), these characters are no evidence of the script and no conversion target. In
a Mandarin sentence they are converted as before (晒太陽對身體好 -> 曬太陽; 吓死我了 -> 嚇死我了). Cantonese
writes the Mandarin words too, and a Mandarin sentence may hold a marker (冇 quoted, 啲 on Weibo, 嘅 in a name): 晒
before what is put in the sun or shown (:data:`SUN_OBJECTS`: 晒衫, 晒太阳, 晒单) and 吓 before what a fright does
(:data:`FRIGHT_AFTER`: 吓亲, 吓到, 吓坏) are 曬 and 嚇 in any sentence and converted.
"""

from __future__ import annotations

import re

__all__ = ["CANTONESE_WORDS", "FRIGHT_AFTER", "MARKERS", "PHRASES", "SUN_OBJECTS", "cantonese_spans"]

#: characters that are a Cantonese word in Cantonese and a Simplified form in Mandarin
CANTONESE_WORDS = "晒吓"
#: characters written only in Cantonese (in either script)
MARKERS = "佢哋咗嘅冇喺嘢啲嗰噉嚟攞啱㗎嘥瞓"
#: Cantonese phrases without a marker character (唔 alone is also a Mandarin interjection: 唔，好吧)
PHRASES = ("唔該", "唔该", "唔係", "唔系", "唔好", "唔使", "唔知", "唔明", "唔得", "唔會", "唔会", "謝晒", "谢晒")

#: what follows 晒 when it is 曬 (put in the sun, show off: 晒衫, 晒被, 晒太阳, 晒单, 晒图, 晒恩爱), in either script
SUN_OBJECTS = "太衫衣被褲裤相照圖图單单乾干鹽盐穀谷書书黑恩"
#: what follows 吓 when it is 嚇 (frighten: 吓死, 吓亲, 吓到, 吓坏, 吓跑, 吓一跳), in either script
FRIGHT_AFTER = "死親亲到倒壞坏跑呆唬一得着著走醒怕破傻"

_WORD_RE = re.compile(f"晒(?![{SUN_OBJECTS}])|吓(?![{FRIGHT_AFTER}])")
_CANTONESE_RE = re.compile(f"[{MARKERS}]|" + "|".join(PHRASES))


def cantonese_spans(text: str, sentence_re: re.Pattern[str]) -> list[tuple[int, int]]:
    """The (start, end) of each :data:`CANTONESE_WORDS` character in a Cantonese sentence of ``text``, in order.

    >>> from curate.zh.normalise import SENT_RE
    >>> cantonese_spans("唔該晒。晒太陽。佢走晒，吓？", SENT_RE)
    [(2, 3), (10, 11), (12, 13)]
    >>> cantonese_spans("佢喺天台晒衫，吓亲我。", SENT_RE)
    []
    """
    if _WORD_RE.search(text) is None:
        return []
    out = []
    for m in sentence_re.finditer(text):
        a, b = m.span()
        if b > a and _WORD_RE.search(text, a, b) and _CANTONESE_RE.search(text, a, b):
            out += [w.span() for w in _WORD_RE.finditer(text, a, b)]
    return out
