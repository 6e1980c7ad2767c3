"""Word boundaries for the terminology layer: jieba's dictionary (MIT), words with frequencies.

A terminology entry must not fire inside longer words of another meaning: 保理 in 确保理财 (确保 | 理财),
期权 in 长期权益 (长期 | 权益), 网上 in 物联网上市 (物联网 | 上市). :func:`splits_word` tells whether a match
would split a word: a word of two or more characters that starts before the match and ends inside it,
or starts inside it and ends after it. A longer word holding the whole match is read as its own parts: 发放贷款
(发放 | 贷款) splits 放贷, 网上银行 (网上 | 银行) does not split 网上.

A dictionary word crossing the match is not enough: 车上 crosses 公交车 in 坐公交车上班, where the words are
公交车 | 上班. The crossing word counts only when the most probable segmentation of the text around the
match takes it - jieba's own route (each word's log frequency, the route with the highest sum),
computed over :data:`WINDOW` characters either side of the match and only when a crossing word exists.
An entry written across a word edge on purpose (险产品 -> 險商品 after 医疗险) is tolerated: it keeps the
characters it shares with the crossing word and changes whole words only. The answer depends on the
window alone and is kept per process (repeated phrasing is decided once).

The dictionary is jieba's ``dict.txt`` (349k words, MIT), read from the installed package once per
process on first use. jieba itself is not imported: its tokenizer's initialisation writes a cache file
to the temporary directory, and only the words are needed here.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

# the dictionary and its route are shared with the PII name recognizer (curate/pii/segmented_names.py)
from curate.lexicon import MAX_WORD, Lexicon, dictionary_words  # noqa: F401 (re-exported)
from curate.lexicon import route as _route

#: characters either side of a match over which the segmentation is computed (at least MAX_WORD)
WINDOW = 8


def splits_word(
    text: str, a: int, b: int, lo: int, hi: int, words: Lexicon, target: str = "", *, parts: bool = True
) -> bool:
    """Whether replacing ``text[a:b]`` would split a word of the segmentation of ``text[lo:hi]``.

    ``target``: the replacement read back as Simplified. A word across an edge is tolerated where the
    replacement keeps the characters it shares with the word (险产品 -> 險商品 after 医疗险) and changes only
    whole words of two or more characters (产品); 担保函 (担保 | 函) and 物联网上市 (物联网 | 上市) split.
    ``parts`` False: a word holding the whole match is no split, whatever its own parts (OpenCC's 万只 in 一万只).
    """
    start = max(lo, a - WINDOW)
    return _splits(text[start : min(hi, b + WINDOW)], a - start, b - start, words, target, parts)


@functools.lru_cache(maxsize=1 << 16)
def _splits(text: str, a: int, b: int, words: Lexicon, target: str, parts: bool = True) -> bool:
    """:func:`splits_word` on the window around the match (the answer depends on nothing else; kept per process)."""
    if not _crossing(text, a, b, 0, len(text), words):
        return False
    route = _route(text, 0, len(text), words)
    # a word of the route holding the whole match and more (发放贷款 around 放贷) is read as its own parts
    # (发放 | 贷款): a match across those is no word of it either (放贷 -> 放款 gave 發放款款)
    if parts:
        route = [part for i, j in route for part in (_parts(text, i, j, words) if i <= a and b <= j else ((i, j),))]
    inside = {i: j for i, j in route if a <= i and j <= b}
    for i, j in route:
        if i < a < j < b:  # across the left edge
            if not (target.startswith(text[a:j]) and _whole_words(inside, j, b)):
                return True
        elif a < i < b < j:  # across the right edge
            if not (target.endswith(text[i:b]) and _whole_words(inside, a, i, backwards=True)):
                return True
    return False


def _parts(text: str, i: int, j: int, words: Lexicon) -> list[tuple[int, int]]:
    """The most probable segmentation of the word ``text[i:j]`` into shorter dictionary words (jieba's weights),
    or the word itself where it has no two-character part: 发放贷款 -> 发放 | 贷款, 电话 -> 电话."""
    n = j - i
    if n < 3:
        return [(i, j)]
    get, unknown = words.get, getattr(words, "unknown", -20.0)
    score = [0.0] * (n + 1)
    step = [0] * n
    for k in range(n - 1, -1, -1):
        top, to = get(text[i + k], unknown) + score[k + 1], k + 1
        for m in range(k + 2, n + 1):
            if m - k == n:
                continue  # not the whole word
            p = get(text[i + k : i + m])
            if p is not None and (s := p + score[m]) > top:
                top, to = s, m
        score[k], step[k] = top, to
    out, k = [], 0
    while k < n:
        out.append((i + k, i + step[k]))
        k = step[k]
    return out if any(b - a > 1 for a, b in out) else [(i, j)]


def _whole_words(inside: dict[int, int], start: int, end: int, *, backwards: bool = False) -> bool:
    """Whether ``[start, end)`` is tiled by words of two or more characters of the route (``inside``)."""
    if backwards:
        ends = {j: i for i, j in inside.items()}
        pos = end
        while pos > start:
            i = ends.get(pos)
            if i is None or pos - i < 2:
                return False
            pos = i
        return pos == start
    pos = start
    while pos < end:
        j = inside.get(pos)
        if j is None or j - pos < 2:
            return False
        pos = j
    return pos == end


def _crossing(text: str, a: int, b: int, lo: int, hi: int, words: Lexicon) -> bool:
    """Whether some dictionary word starts before ``a`` and ends inside, or starts inside and ends after ``b``."""
    has = words.__contains__
    for end in range(a + 1, b):
        for start in range(max(lo, end - MAX_WORD), a):
            if has(text[start:end]):
                return True
    for start in range(a + 1, b):
        for end in range(b + 1, min(hi, start + MAX_WORD) + 1):
            if has(text[start:end]):
                return True
    return False


def words_holding(text: str, positions: Iterable[int], words: Lexicon) -> list[int]:
    """Every position of the words of jieba's route over ``text`` that hold one of ``positions``, sorted.

    >>> words_holding("后续将持续追踪", [1], dictionary_words())
    [0, 1]
    """
    marked = set(positions)
    out = set(marked)
    for i, j in _route(text, 0, len(text), words):
        if j - i > 1 and not marked.isdisjoint(range(i, j)):
            out.update(range(i, j))
    return sorted(out)
