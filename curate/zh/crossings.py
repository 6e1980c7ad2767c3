"""Words that OpenCC's phrase table breaks from the side: generated from data, read as whole-word entries.

OpenCC segments by forward maximum matching over its phrase table, so a phrase that starts in one word and ends
in the next takes the second word's first character with it: 目前台风 is 目|前台|风 to OpenCC (目前臺風, not 目前颱風),
楼下面包店 is 楼|下面|包店 (樓下面包店, not 樓下麵包店). jieba's segmentation (:mod:`curate.zh.words`) reads them
目前 | 台风 and 楼下 | 面包店.

``schemas/zh/opencc_crossings.tsv`` lists jieba's words (two to four characters, log probability at least
:data:`MIN_LOGP`, holding a one-to-many character) whose conversion changes when one of OpenCC's phrases overlaps
one of their edges (``python -m curate.zh.crossings`` writes it; nothing in it is chosen by hand). Each word becomes
a terminology entry converting it alone, as the profile does, that fires only where one of OpenCC's phrases crosses
its edge (:func:`phrase_across`) and it splits no word of jieba's route around it (舞台|风格 holds no 台风).
"""

from __future__ import annotations

import functools
import importlib.resources
import sys
from collections import defaultdict
from typing import Any

from curate.lexicon import route as _route
from curate.zh.terms import Term
from curate.zh.words import WINDOW, dictionary_words, splits_word

#: the rarest jieba word listed (log of its frequency over the total; about 7 occurrences in jieba's corpus)
MIN_LOGP = -16.0
_NAME = "opencc_crossings.tsv"
#: the phrase tables of the s2twp profile
_PHRASE_DICTS = ("STPhrases", "STPhrases_GeneratedFromRegionalPhrases", "TWPhrases")
#: the note of the entries made from the list
NOTE = "whole word against an OpenCC phrase across its edge"
#: characters beyond a crossing phrase converted with it to tell whether the entry would change anything
_REACH = 4


@functools.cache
def crossing_words() -> tuple[str, ...]:
    """The listed words (``schemas/zh/opencc_crossings.tsv``), in file order."""
    text = importlib.resources.files("schemas").joinpath("zh", _NAME).read_text(encoding="utf-8")
    return tuple(w for line in text.splitlines() if (w := line.strip()) and not w.startswith("#"))


def with_crossings(terms: tuple[Term, ...], convert, on: bool) -> tuple[tuple[Term, ...], frozenset[str], Any]:
    """``terms`` and the listed words as entries converted by ``convert`` (the profile), less those ``terms`` already
    has, the added keys, and :func:`phrase_across` with ``convert`` (when they fire); ``on`` False (no word
    boundaries to guard them): ``terms`` alone."""
    if not on:
        return terms, frozenset(), None
    have = {t.source for t in terms}
    words = [w for w in crossing_words() if w not in have]
    conv = convert("\n".join(words)).split("\n")
    if len(conv) != len(words):  # pragma: no cover - OpenCC keeps line breaks
        conv = [convert(w) for w in words]
    added = tuple(Term(w, c, "general", NOTE, "opencc") for w, c in zip(words, conv, strict=True))
    return terms + added, frozenset(words), functools.partial(phrase_across, convert=convert)


@functools.cache
def opencc_phrases() -> frozenset[str]:
    """The keys of OpenCC's phrase tables (two or more characters)."""
    from curate.zh.charsets import _opencc_paths, _read_dict

    tool, share = _opencc_paths()
    return frozenset(k for name in _PHRASE_DICTS for k in _read_dict(tool, share, name) if len(k) > 1)


@functools.cache
def _phrase_parts() -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """For each proper end of a phrase, the lengths of the starts it follows; for each proper start, the lengths of
    the ends that follow it (前台: 台 <- (1,), 前 -> (1,))."""
    heads: dict[str, set[int]] = defaultdict(set)
    tails: dict[str, set[int]] = defaultdict(set)
    for p in opencc_phrases():
        for k in range(1, len(p)):
            heads[p[k:]].add(k)
            tails[p[:k]].add(len(p) - k)
    return {k: tuple(v) for k, v in heads.items()}, {k: tuple(v) for k, v in tails.items()}


@functools.cache
def phrase_grams() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Of OpenCC's phrases: the last two characters, the first two, and every three in a row. A phrase that ends
    inside a word ``text[a:b]`` has ``text[a - 1:a + 1]`` as its last two characters or ``text[a - 1:a + 2]`` among
    its threes; one that starts inside it has ``text[b - 1:b + 1]`` as its first two or ``text[b - 2:b + 1]`` among
    its threes (前台 across 目前|台风: 前台 ends 前台)."""
    phrases = opencc_phrases()
    tri = frozenset(p[i : i + 3] for p in phrases for i in range(len(p) - 2))
    return frozenset(p[-2:] for p in phrases), frozenset(p[:2] for p in phrases), tri


@functools.cache
def gram_codes() -> tuple[Any, Any, Any]:
    """:func:`phrase_grams` as sorted code arrays (two characters ``c1 << 21 | c2``, three ``c1 << 42 | c2 << 21 |
    c3``): :func:`may_cross` over every occurrence of a batch at once (:mod:`curate.zh.scan`)."""
    import numpy as np

    def codes(grams: frozenset[str]) -> Any:
        n = len(next(iter(grams), ""))
        cps = np.frombuffer("".join(grams).encode("utf-32-le"), dtype="<u4").astype(np.uint64).reshape(-1, n)
        out = np.zeros(cps.shape[0], dtype=np.uint64)
        for j in range(n):
            out = out << np.uint64(21) | cps[:, j]
        return np.sort(out)

    return tuple(codes(g) for g in phrase_grams())  # type: ignore[return-value]


def may_cross(text: str, a: int, b: int, lo: int, hi: int) -> bool:
    """Whether one of OpenCC's phrases in ``text[lo:hi]`` can cross an edge of ``text[a:b]`` (two characters or more)
    by :func:`phrase_grams`: False rules one out (a quick test that most occurrences fail), True leaves it open."""
    last, first, tri = phrase_grams()
    three = b - a > 2
    return (a > lo and (text[a - 1 : a + 1] in last or (three and text[a - 1 : a + 2] in tri))) or (
        b < hi and (text[b - 1 : b + 1] in first or (three and text[b - 2 : b + 1] in tri))
    )


def phrase_across(text: str, a: int, b: int, lo: int, hi: int, convert=None) -> bool:
    """Whether one of OpenCC's phrases in ``text[lo:hi]`` starts before ``a`` and ends inside ``text[a:b]``, or starts
    inside it and ends after ``b``, against jieba's segmentation: it splits a word of the route (前台 across
    目前|台风). Where none does, OpenCC's reading stands (万只 inside the word 一万只 of 一万只鸡: 一萬隻雞).

    ``convert`` (the profile): a phrase counts only where converting the word alone changes the span the phrase and
    the word cover (不适 across 不|适用 changes nothing: 不適用 either way; the check runs before the segmentation).
    A phrase that is itself a jieba word counts only where jieba's route puts its other part in a word of two or
    more characters (前 in 目前, 下 in 楼下): a character left alone (防 of 防|制法 in 资恐防制法, where OpenCC's
    防制 is the Taiwan word) is no evidence against the phrase.
    """
    if not may_cross(text, a, b, lo, hi):
        return False  # most occurrences: a quick test first
    keys = opencc_phrases()
    heads, tails = _phrase_parts()
    words = dictionary_words()
    for m in range(a + 1, b):
        for k in heads.get(text[a:m], ()):  # a phrase ending in text[a:m], starting k before a
            s = a - k
            if (
                s >= lo
                and text[s:m] in keys
                and (convert is None or _alters(convert, text[(x := max(lo, s - _REACH)) : b], a - x, b - x))
                and splits_word(text, s, m, lo, hi, words, parts=False)
                and _contested(text, s, m, a - 1, lo, hi, words)
            ):
                return True
        for k in tails.get(text[m:b], ()):  # a phrase starting at m, ending k after b
            if (
                b + k <= hi
                and text[m : b + k] in keys
                and (convert is None or _alters(convert, text[a : min(hi, b + k + _REACH)], 0, b - a))
                and splits_word(text, m, b + k, lo, hi, words, parts=False)
                and _contested(text, m, b + k, b, lo, hi, words)
            ):
                return True
    return False


@functools.lru_cache(maxsize=1 << 16)
def _alters(convert, span: str, i: int, j: int) -> bool:
    """Whether converting ``span[i:j]`` (the word) apart from the rest changes the conversion of ``span``."""
    return convert(span) != convert(span[:i]) + convert(span[i:j]) + convert(span[j:])


def _contested(text: str, s: int, e: int, edge: int, lo: int, hi: int, words) -> bool:
    """Whether jieba's route reads the phrase ``text[s:e]`` otherwise knowing it: the phrase is no dictionary word, or
    the route word holding ``text[edge]`` (the phrase's character outside the word) has two or more characters and
    is no rarer than :data:`MIN_LOGP` (恐防 of 资|恐防|制法, in jieba's rarest class, is no evidence against 防制)."""
    if text[s:e] not in words:
        return True
    start = max(lo, s - WINDOW)
    return _held_in_word(text[start : min(hi, e + WINDOW)], edge - start, words)


@functools.lru_cache(maxsize=1 << 16)
def _held_in_word(window: str, at: int, words) -> bool:
    for i, j in _route(window, 0, len(window), words):
        if i <= at < j:
            return j - i > 1 and words.get(window[i:j], -99.0) >= MIN_LOGP
    return False


def generate(convert) -> list[str]:
    """The words whose conversion by ``convert`` (the s2twp profile with the MOE forms) changes when one of OpenCC's
    phrases overlaps one of their edges, sorted."""
    from curate.zh.charsets import script_sets

    phrases = opencc_phrases()
    ambiguous = script_sets().ambiguous
    lex = dictionary_words()
    words = [w for w, lp in lex.items() if 2 <= len(w) <= 4 and lp >= MIN_LOGP and any(c in ambiguous for c in w)]
    starts, ends = defaultdict(list), defaultdict(list)
    for w in words:
        for k in range(1, len(w)):
            starts[w[:k]].append(w)
            ends[w[k:]].append(w)
    cases: set[tuple[str, int, str]] = set()  # (text, where the word starts in it, word): a phrase across its edge
    for p in phrases:
        for k in range(1, len(p)):
            cases.update((p[:k] + w, k, w) for w in starts.get(p[k:], ()))  # the phrase ends inside the word
            cases.update((w + p[k:], 0, w) for w in ends.get(p[:k], ()))  # the phrase starts inside the word
    out: set[str] = set()
    for text, at, w in sorted(cases):
        if w in out:
            continue
        whole, alone = convert(text), convert(w)
        if len(whole) == len(text) and len(alone) == len(w) and whole[at : at + len(w)] != alone:
            out.add(w)
    return sorted(out)


def main() -> None:  # pragma: no cover - regenerates the shipped file
    from curate.zh.opencc_io import Converter
    from curate.zh.terms import charmap

    s2twp, moe = Converter("s2twp").convert, charmap()
    words = generate(lambda s: s2twp(s).translate(moe))  # the profile's conversion (_Engine._profile)
    header = (
        "# Generated by `python -m curate.zh.crossings` (curate/zh/crossings.py); do not edit by hand.\n"
        f"# jieba words (log probability >= {MIN_LOGP}) whose s2twp conversion changes when an OpenCC phrase\n"
        "# overlaps one of their edges; each is converted as a whole word where such a phrase crosses its edge.\n"
    )
    path = sys.argv[1] if len(sys.argv) > 1 else f"schemas/zh/{_NAME}"
    with open(path, "w", encoding="utf-8") as out:
        out.write(header + "".join(w + "\n" for w in words))


if __name__ == "__main__":  # pragma: no cover
    main()
