"""Japanese sentences in a record: left as written by the conversion.

Japanese writes many kanji in forms that OpenCC reads as Simplified (会, 国, 担当, 対応): converted, a quoted
Japanese sentence (日本銀行の金融政策決定会合は、国債の買入れを継続した。) became a mix of both languages
(會合, 國債). A sentence holding at least :data:`MIN_KANA` kana letters (hiragana or katakana; not the middle dot
・ or the long-vowel mark ー, which Chinese text uses for names) is read as Japanese: it is no evidence of the
record's script and no conversion target. One の in a Chinese sentence (a shop name, 小熊の店) is not enough.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["KANA_RE", "MIN_KANA", "blank_japanese", "japanese_spans", "without_spans"]

#: hiragana and katakana letters, half-width katakana (not ・ U+30FB, ー U+30FC, nor their half-width forms)
KANA_RE = re.compile("[\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fd\u30fe\uff66-\uff6f\uff71-\uff9d]")
#: kana letters that make a sentence Japanese
MIN_KANA = 2


def japanese_spans(text: str, sentence_re: re.Pattern[str]) -> list[tuple[int, int]]:
    """The (start, end) of each sentence of ``text`` (``sentence_re``'s matches) that is Japanese, in order.

    >>> from curate.zh.normalise import SENT_RE
    >>> japanese_spans("日本の会計基準が変わった。本行已完成評估。小熊の店开业。", SENT_RE)
    [(0, 13)]
    """
    if KANA_RE.search(text) is None:
        return []
    out = []
    for m in sentence_re.finditer(text):
        a, b = m.span()
        if b > a and len(KANA_RE.findall(text, a, b)) >= MIN_KANA:
            out.append((a, b))
    return out


def blank_japanese(probe: str, spans: Sequence[tuple[int, int]]) -> str:
    """``probe`` with the ``spans`` blanked (same length): what the script counts read."""
    if not spans:
        return probe
    parts, pos = [], 0
    for a, b in spans:
        parts += [probe[pos:a], "\u3000" * (b - a)]
        pos = b
    parts.append(probe[pos:])
    return "".join(parts)


def without_spans(
    targets: Sequence[tuple[int, int, int]], spans: Sequence[tuple[int, int]]
) -> list[tuple[int, int, int]]:
    """The conversion ``targets`` (start, end, Simplified characters) with the ``spans`` cut out of them.

    >>> without_spans([(0, 10, 4), (12, 14, 1)], [(2, 5), (12, 14)])
    [(0, 2, 4), (5, 10, 4)]
    """
    out: list[tuple[int, int, int]] = []
    for ta, tb, s in targets:
        pos = ta
        for a, b in spans:
            if b <= pos or a >= tb:
                continue
            if a > pos:
                out.append((pos, a, s))
            pos = max(pos, b)
        if pos < tb:
            out.append((pos, tb, s))
    return out
