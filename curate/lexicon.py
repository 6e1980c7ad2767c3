"""jieba's dictionary (MIT) and its most probable segmentation, shared by the zh normaliser's word boundaries
(:mod:`curate.zh.words`) and the PII name recognizer's unknown words (:mod:`curate.pii.segmented_names`).

The dictionary is jieba's ``dict.txt`` (349k words), read from the installed package once per process on first
use. jieba itself is not imported: its tokenizer's initialisation writes a cache file to the temporary directory,
and only the words are needed here.
"""

from __future__ import annotations

import functools
import importlib.util
import math
from pathlib import Path

from provenance.errors import ConfigError

#: the longest dictionary word considered (longer jieba entries are rare multi-word phrases)
MAX_WORD = 8


def dict_path() -> Path:
    spec = importlib.util.find_spec("jieba")  # locates the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "the zh normaliser and the PII name recognizer need jieba's word list: pip install jieba (MIT), a core dependency"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "dict.txt"
    if not path.is_file():
        raise ConfigError(f"jieba's word list {path} is missing; reinstall it: pip install --force-reinstall jieba")
    return path


class Lexicon(dict):
    """Word -> log probability (log of its frequency over the total), as jieba weighs a route."""

    #: the log probability of a character the dictionary lacks (jieba counts it as frequency 1)
    unknown: float = -20.0
    #: first character -> the length of the longest word starting with it (absent: 1); None: up to MAX_WORD.
    #: :func:`route` looks up no longer slice: 60 % fewer look-ups on bank text, the same route
    longest: dict[str, int] | None = None

    __hash__ = object.__hash__  # one per process: hashed by identity (a cache key of :func:`curate.zh.words._splits`)


@functools.cache
def dictionary_words() -> Lexicon:
    """jieba's words of 1 to :data:`MAX_WORD` characters with their log probabilities."""
    freq: dict[str, int] = {}
    with dict_path().open(encoding="utf-8") as src:
        for line in src:
            word, _, rest = line.partition(" ")
            if len(word) <= MAX_WORD:
                freq[word] = int(rest.split(" ", 1)[0])
    total = math.log(sum(freq.values()))
    out = Lexicon((w, math.log(n or 1) - total) for w, n in freq.items())
    out.unknown = -total
    longest: dict[str, int] = {}
    for w in out:
        if len(w) > longest.get(w[0], 1):
            longest[w[0]] = len(w)
    out.longest = longest
    return out


def route(text: str, start: int, end: int, words: Lexicon) -> list[tuple[int, int]]:
    """The words ``(i, j)`` of the most probable segmentation of ``text[start:end]`` (jieba's route).

    As jieba's ``calc``: from the right, each position takes the word (a single character always
    counts) whose log probability plus the best route after it is highest. A slice longer than the longest word
    that starts with its first character (``words.longest``) is not looked up: it is no word.
    """
    unknown = getattr(words, "unknown", Lexicon.unknown)
    longest = getattr(words, "longest", None)
    get = words.get
    seg = text[start:end]
    n = len(seg)
    score = [0.0] * (n + 1)  # the best route's log probability from each position on
    step = [0] * n  # the end of the first word of that route
    for i in range(n - 1, -1, -1):
        top, to = get(seg[i], unknown) + score[i + 1], i + 1
        reach = MAX_WORD if longest is None else longest.get(seg[i], 1)  # no longer word starts with seg[i]
        for j in range(i + 2, min(n, i + reach) + 1):
            p = get(seg[i:j])
            if p is not None and (s := p + score[j]) > top:
                top, to = s, j
        score[i], step[i] = top, to
    out = []
    i = 0
    while i < n:
        j = step[i]
        out.append((i + start, j + start))
        i = j
    return out


@functools.cache
def to_simplified():
    """OpenCC's t2s converter: the dictionary is Simplified, so Traditional text is read through it."""
    import opencc

    return opencc.OpenCC("t2s")


@functools.cache
def person_words() -> frozenset[str]:
    """jieba's dictionary entries tagged as a person's name (``nr``), of two to four characters (林涛, 秀英)."""
    out = set()
    with dict_path().open(encoding="utf-8") as src:
        for line in src:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "nr" and 2 <= len(parts[0]) <= 4:
                out.add(parts[0])
    return frozenset(out)


@functools.cache
def time_place_words() -> frozenset[str]:
    """jieba's dictionary entries of two to four characters tagged as a time (``t``: 国庆, 凌晨) or a place
    (``ns``: 宁波, 深圳)."""
    out = set()
    with dict_path().open(encoding="utf-8") as src:
        for line in src:
            if line.endswith((" t\n", " ns\n")) and 2 <= len(word := line.split(" ", 1)[0]) <= 4:
                out.add(word)
    return frozenset(out)


@functools.cache
def noun_words() -> frozenset[str]:
    """jieba's dictionary entries of two to four characters tagged as a common noun (``n``: 账户, 资产, 办公室)."""
    out = set()
    with dict_path().open(encoding="utf-8") as src:
        for line in src:
            if line.endswith(" n\n") and 2 <= len(word := line.split(" ", 1)[0]) <= 4:
                out.add(word)
    return frozenset(out)
