"""Repeated mentions: a value found once is scrubbed everywhere it occurs.

Once a name, ID, phone, account, card, passport or e-mail is detected in one field of a record
(text, title, a metadata string), every other occurrence of the same string in any field of that
record gets a span of the same type, so the scrubber gives it the same placeholder or pseudonym.
Names shorter than 2 characters are never propagated. Values are compared on the half-width view
(:func:`curate.pii.text.halfwidth`), so ``０９１２…`` and ``0912…`` are the same value.

The same search, fed with the labelled-field names of a whole source, is what the PII stage uses
to scrub a source's other records (:func:`find_values`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from curate.pii.span import Span, Taken
from curate.pii.text import halfwidth

#: entity types whose values propagate (addresses and dates are too context-dependent)
PROPAGATED_TYPES = frozenset(
    {
        "PERSON",
        "TW_NATIONAL_ID",
        "TW_RESIDENT_ID",
        "TW_PHONE",
        "EMAIL_ADDRESS",
        "CREDIT_CARD",
        "TW_BANK_ACCOUNT",
        "TW_PASSPORT",
        "TW_NHI_CARD",
    }
)
#: a value shorter than this is never propagated
MIN_CHARS = 2
#: recognizer name of propagated spans
PROPAGATED = "Propagated"


def values_of(text: str, spans: Iterable[Span]) -> dict[str, tuple[str, float]]:
    """``{half-width value: (entity_type, score)}`` of the spans that propagate."""
    norm = None  # the half-width text, made only when a span propagates (most fields have none)
    out: dict[str, tuple[str, float]] = {}
    for s in spans:
        if s.entity_type not in PROPAGATED_TYPES or s.end - s.start < MIN_CHARS:
            continue
        if norm is None:
            norm = halfwidth(text)
        value = norm[s.start : s.end].strip()
        if len(value) >= MIN_CHARS and (value not in out or out[value][1] < s.score):
            out[value] = (s.entity_type, s.score)
    return out


class ValueSet(dict):
    """Values to find (``{half-width value: (entity_type, score)}``) with their search pattern built once.

    :func:`find_values` and :func:`any_value` take a plain mapping too, and then sort it and look its pattern up
    for every call: for one record's few values that is nothing, for a source's names searched in each field of
    each of its records (:mod:`curate.pii.source_names`) it grew with names x fields x records (2,000 names:
    ~39 us per call, 14 calls per record). The pattern is the values' at construction: make a new set to change them."""

    def __init__(self, values: Mapping[str, tuple[str, float]]) -> None:
        super().__init__(values)
        self.pattern = _build(tuple(sorted(self, key=len, reverse=True))) if self else None


def _pattern(values: Mapping[str, tuple[str, float]]) -> re.Pattern[str]:
    if isinstance(values, ValueSet) and values.pattern is not None:
        return values.pattern
    return _alternation(tuple(sorted(values, key=len, reverse=True)))


def find_values(text: str, values: Mapping[str, tuple[str, float]], *, source: str = PROPAGATED) -> list[Span]:
    """Spans of every occurrence of ``values`` in ``text`` (longest value first at a position)."""
    if not text or not values:
        return []
    norm = halfwidth(text)
    regex = _pattern(values)
    out = []
    for m in regex.finditer(norm):
        etype, score = values[m.group(0)]
        out.append(Span(m.start(), m.end(), etype, score, source))
    return out


def any_value(texts: Iterable[str], values: Mapping[str, tuple[str, float]]) -> bool:
    """Whether :func:`find_values` would find a value in one of ``texts``: one search over all of them.

    Never False where ``find_values`` finds a span (the texts are joined by NUL, which the ASCII
    boundary checks treat as they treat the start or end of a text); may be True where it finds none.

    >>> any_value(["甲", "經查林志明"], {"林志明": ("PERSON", 0.9)}), any_value(["甲"], {"林志明": ("PERSON", 0.9)})
    (True, False)
    """
    if not values:
        return False
    return _pattern(values).search(halfwidth("\0".join(texts))) is not None


_CACHE: dict[tuple[str, ...], re.Pattern[str]] = {}


def _alternation(alts: tuple[str, ...]) -> re.Pattern[str]:
    pat = _CACHE.get(alts)
    if pat is None:
        pat = _build(alts)
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[alts] = pat
    return pat


#: characters that may not stand right before / right after a value that starts with an ASCII character (it would be
#: part of a longer ASCII token); :mod:`curate.pii.source_names` counts names with the same classes
ASCII_BEFORE = "[A-Za-z0-9@._-]"
ASCII_AFTER = "[A-Za-z0-9]"


def _build(alts: tuple[str, ...]) -> re.Pattern[str]:
    """The longest of ``alts`` at the first position where one matches; an ASCII value (one that starts with an
    ASCII character) must not be part of a longer ASCII token (0912345678 inside 09123456789).

    The values are written as a trie (``09(?:12345678|87654321)``) with the longer ways out of each node first, which
    matches what the flat alternation ``0912345678|0987654321`` of the values, longest first, matches: that one
    tried every value at every position, so a record with thousands of values took time in text x values
    (review 7: 3 s of a 100k-character record's 4)."""
    ascii_values = [a for a in alts if a[0].isascii()]
    parts = [rf"(?<!{ASCII_BEFORE}){_trie_pattern(_trie(ascii_values), rf'(?!{ASCII_AFTER})')}"] if ascii_values else []
    others = [a for a in alts if not a[0].isascii()]
    if others:
        parts.append(_trie_pattern(_trie(others), ""))
    return re.compile("|".join(parts))


#: the key that marks a value's end in a trie node (no character is empty)
_END = ""


def _trie(values: list[str]) -> dict:
    """``values`` as nested ``{character: node}``; a node where a value ends holds :data:`_END`."""
    root: dict = {}
    for value in values:
        node = root
        for ch in value:
            node = node.setdefault(ch, {})
        node[_END] = {}
    return root


def _trie_pattern(node: dict, tail: str) -> str:
    """The pattern of the values below ``node``, longest first (a value's end is the last way out of its node);
    ``tail`` follows each value. A run of nodes with one way on is written as one literal."""
    run = ""
    while len(node) == 1 and _END not in node:
        ch, node = next(iter(node.items()))
        run += ch
    ways = [re.escape(ch) + _trie_pattern(child, tail) for ch, child in sorted(node.items()) if ch != _END]
    if _END in node:
        ways.append(tail)
    if len(ways) == 1:
        return re.escape(run) + ways[0]
    return f"{re.escape(run)}(?:{'|'.join(ways)})"


def merge(spans: Iterable[Span], extra: Iterable[Span]) -> list[Span]:
    """``spans`` plus those of ``extra`` that overlap none of them nor an earlier one of ``extra`` (sorted)."""
    kept, extra = sorted(spans), sorted(extra)
    if not extra:
        return kept
    taken = Taken(kept + extra)
    for k in kept:
        taken.take(k)
    added = []
    for s in extra:
        if not taken.overlaps(s):
            taken.take(s)
            added.append(s)
    return sorted(kept + added)


def propagate(fields: Mapping[str, str], spans: Mapping[str, list[Span]]) -> dict[str, list[Span]]:
    """Spans per field after propagating every field's values to all fields.

    >>> from curate.pii.span import Span, Taken
    >>> t = "受處分人：林志明。經查林志明於任職期間。核處林志明罰鍰"
    >>> out = propagate({"text": t}, {"text": [Span(5, 8, "PERSON", 0.9)]})
    >>> [t[s.start:s.end] for s in out["text"]]
    ['林志明', '林志明', '林志明']
    """
    values: dict[str, tuple[str, float]] = {}
    for name, text in fields.items():
        for v, (etype, score) in values_of(text, spans.get(name, ())).items():
            if v not in values or values[v][1] < score:
                values[v] = (etype, score)
    if not values:  # nothing to propagate (most records): each field's own spans, sorted as merge() leaves them
        return {name: sorted(spans.get(name, ())) for name in fields}
    return {name: merge(spans.get(name, ()), find_values(text, values)) for name, text in fields.items()}
