"""Japanese sentences in a record: left as written by the conversion.

Japanese writes many kanji in forms that OpenCC reads as Simplified (会, 国, 担当, 対応): converted, a quoted
Japanese sentence (日本銀行の金融政策決定会合は、国債の買入れを継続した。) became a mix of both languages
(會合, 國債). A sentence with hiragana in at least :data:`MIN_RUNS` places (particles and endings: の…は…した),
not only a lone の each, is read as Japanese: it is no evidence of the record's script and no conversion target.
Kana alone is not Japanese grammar: a Chinese sentence names Japanese firms and products in katakana (ソニー,
トヨタ, ポケモン) or hiragana (みずほ银行, ゆうちょ), quotes a word (「ありがとう」) and writes の for 的 in shop names
(小熊の店, 阿婆の店): such a sentence is converted like any other.
A sentence with hiragana and a kanji in its Japanese form (発, 図, 駅, 県: :func:`japanese_forms`, which Chinese
writes in neither script) and no character only Chinese writes (买, 这: :func:`mainland_forms`) is Japanese too,
however short (review 18: 株式会社三菱UFJ銀行の決算発表。 became 株式會社).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

__all__ = [
    "HIRAGANA_RUN_RE",
    "KANA_RE",
    "MIN_RUNS",
    "blank_japanese",
    "is_japanese",
    "japanese_forms",
    "mainland_forms",
    "japanese_spans",
    "without_spans",
]

#: hiragana and katakana letters, half-width katakana (not ・ U+30FB, ー U+30FC, nor their half-width forms): a text
#: without one holds no Japanese sentence
KANA_RE = re.compile("[\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fd\u30fe\uff66-\uff6f\uff71-\uff9d]")
#: a run of hiragana letters (a particle, an ending, a word)
HIRAGANA_RUN_RE = re.compile("[\u3041-\u3096\u309d\u309e]+")
#: separate hiragana runs (not all a lone の) that make a sentence Japanese
MIN_RUNS = 2
#: a character in this many of jieba's words or more is Chinese, whatever OpenCC's Japanese table says (研, 概, 予, 欠
#: are in 32 to 285 of them; 発, 図, 駅, 浜 in at most 9)
CHINESE_WORDS = 20


@functools.cache
def _tables() -> tuple[dict[str, list[str]], frozenset[str]]:
    """OpenCC's shinjitai table (``JPShinjitaiCharacters``) and every key and candidate of its Chinese tables."""
    import subprocess

    from curate.zh.charsets import _opencc_paths, _read_dict

    tool, share = _opencc_paths()
    try:
        jp = _read_dict(tool, share, "JPShinjitaiCharacters")
        tables = [_read_dict(tool, share, name) for name in ("STCharacters", "TSCharacters")]
    except (OSError, subprocess.CalledProcessError):  # pragma: no cover - no opencc_dict: the hiragana rule alone
        return {}, frozenset()
    return jp, frozenset(c for table in tables for k, v in table.items() for c in (k, *v))


@functools.cache
def mainland_forms() -> frozenset[str]:
    """Simplified-only characters that Japanese does not write either (买, 东, 这; not 会, 国, 学: shinjitai keys).

    >>> f = mainland_forms()
    >>> [c in f for c in "买东这会国学"]
    [True, True, True, False, False, False]
    """
    from curate.zh.charsets import script_sets

    jp, _ = _tables()
    return frozenset(script_sets().simplified_only - set(jp))


@functools.cache
def japanese_forms() -> frozenset[str]:
    """Kanji that only Japanese writes: OpenCC's shinjitai (``JPShinjitaiCharacters``: 発 -> 發) that are no key or
    candidate of its Chinese tables (``STCharacters``, ``TSCharacters``) and in fewer than :data:`CHINESE_WORDS` of
    jieba's words.

    >>> f = japanese_forms()
    >>> [c in f for c in "発図駅県会国研予"]
    [True, True, True, True, False, False, False, False]
    """
    from curate.lexicon import dictionary_words

    jp, chinese = _tables()
    forms = {k for k, v in jp.items() if len(k) == 1 and k not in v and k not in chinese}
    uses = dict.fromkeys(forms, 0)
    for word in dictionary_words():
        for c in set(word) & forms:
            uses[c] += 1
    return frozenset(c for c, n in uses.items() if n < CHINESE_WORDS)


def is_japanese(text: str, start: int = 0, end: int | None = None) -> bool:
    """Is ``text[start:end]`` a Japanese sentence: hiragana in :data:`MIN_RUNS` places or more, not all a lone の,
    or hiragana and a kanji only Japanese writes (:func:`japanese_forms`)?

    >>> is_japanese("東京支店の担当者は、金融庁の検査に対応した。"), is_japanese("本件の担当は東京支店")
    (True, True)
    >>> is_japanese("本行与日商みずほ银行签约。"), is_japanese("我们购买了ソニー和トヨタ的债券。")
    (False, False)
    >>> is_japanese("小熊の店和阿婆の店开业。"), is_japanese("客户说「ありがとう」。")
    (False, False)
    >>> is_japanese("株式会社三菱UFJ銀行の決算発表。"), is_japanese("東京駅の会社"), is_japanese("東京駅の店买东西")
    (True, True, False)
    """
    end = len(text) if end is None else end
    runs = HIRAGANA_RUN_RE.findall(text, start, end)
    if len(runs) >= MIN_RUNS and any(r != "の" for r in runs):
        return True
    seg = text[start:end]  # a Japanese kanji form, and no character that only Chinese writes (東京駅の便利店买了东西)
    return bool(runs) and not japanese_forms().isdisjoint(seg) and mainland_forms().isdisjoint(seg)


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
        if b > a and is_japanese(text, a, b):
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
