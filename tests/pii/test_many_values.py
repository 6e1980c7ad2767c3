"""Review 7, finding 3: one record with thousands of values. The overlap checks (``_resolve``, ``merge``) and the
search for repeated values (``find_values``) took time in values x values or text x values; they must find exactly
what the old algorithms found. Each old algorithm is kept here as the reference; the speed is in
``bench/bench_pii_large.py``."""

import random
import re

from curate.pii.engine import PiiDetector, _resolve
from curate.pii.propagate import ASCII_AFTER, ASCII_BEFORE, ValueSet, find_values, merge
from curate.pii.span import Span, Taken

TYPES = ("PERSON", "TW_PHONE", "EMAIL_ADDRESS")


def old_resolve(spans):
    chosen = []
    for s in sorted(spans, key=lambda s: (-s.score, -(s.end - s.start), s.start)):
        if all(s.end <= c.start or s.start >= c.end for c in chosen):
            chosen.append(s)
    return sorted(chosen)


def old_merge(spans, extra):
    kept = sorted(spans)
    for s in sorted(extra):
        if all(s.end <= k.start or s.start >= k.end for k in kept):
            kept.append(s)
            kept.sort()
    return kept


def old_pattern(alts):
    parts = [rf"(?<!{ASCII_BEFORE}){re.escape(a)}(?!{ASCII_AFTER})" if a[0].isascii() else re.escape(a) for a in alts]
    return re.compile("|".join(parts))


def whole(spans):
    """Spans with the fields their equality leaves out (score, source): ties must be kept in the same order."""
    return [(s.start, s.end, s.entity_type, s.score, s.source) for s in spans]


def random_spans(rng, n, width):
    """Spans that overlap a lot: equal starts, equal keys with other scores, empty spans, nested ones."""
    out = []
    for i in range(n):
        start = rng.randrange(width)
        out.append(
            Span(
                start, start + rng.choice((0, 1, 2, 3, 5, 9)), rng.choice(TYPES), rng.choice((0.4, 0.85, 1.0)), f"r{i}"
            )
        )
    return out


SEEDS = range(500)


def test_resolve_keeps_what_the_pairwise_check_kept():
    for seed in SEEDS:
        rng = random.Random(seed)
        spans = random_spans(rng, rng.randrange(60), rng.choice((5, 20, 80)))
        assert whole(_resolve(spans)) == whole(old_resolve(spans)), seed


def test_merge_keeps_what_the_pairwise_check_kept():
    for seed in SEEDS:
        rng = random.Random(seed)
        width = rng.choice((5, 20, 80))
        spans = random_spans(rng, rng.randrange(30), width)
        if seed % 2:  # as the engine calls it: its own spans resolved first
            spans = _resolve(spans)
        extra = random_spans(rng, rng.randrange(40), width)
        assert whole(merge(spans, extra)) == whole(old_merge(spans, extra)), seed


def test_taken_answers_for_empty_spans_as_the_pairwise_check():
    taken = Taken([Span(2, 6, "A", 1.0), Span(4, 4, "B", 1.0), Span(6, 6, "C", 1.0), Span(2, 2, "D", 1.0)])
    taken.take(Span(2, 6, "A", 1.0))
    assert [taken.overlaps(Span(p, p, "B", 1.0)) for p in range(1, 8)] == [False, False, True, True, True, False, False]
    assert not taken.overlaps(Span(6, 9, "B", 1.0)) and taken.overlaps(Span(5, 9, "B", 1.0))


ALPHABET = "09123王志明林a.b@-x"


def random_value(rng):
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(2, 7)))


def test_find_values_finds_what_the_flat_alternation_found():
    """Values that share prefixes, that are prefixes of each other, ASCII and not, in text made of the same
    characters: the trie finds the same value at the same place as the alternation of the values, longest first."""
    for seed in SEEDS:
        rng = random.Random(seed)
        values = ValueSet({random_value(rng): (rng.choice(TYPES), 0.9) for _ in range(rng.randrange(1, 25))})
        pieces = [*values, *ALPHABET, "。", " "]
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(80)))
        alts = tuple(sorted(values, key=len, reverse=True))
        expected = [(m.start(), m.end(), values[m.group(0)][0]) for m in old_pattern(alts).finditer(text)]
        assert [(s.start, s.end, s.entity_type) for s in find_values(text, values)] == expected, seed
        assert [(s.start, s.end, s.entity_type) for s in find_values(text, dict(values))] == expected, seed


def test_a_record_with_thousands_of_values_is_scrubbed_whole():
    """3,000 phones and one name repeated 3,000 times in one record (95k characters; the old code took ~10 s):
    every one is found, with the spans the same sentence gets alone."""
    sentence = "客戶王志明的手機{}，銀行應確保資金安全。"
    rng = random.Random(5)
    phones = [f"09{rng.randrange(10**8):08d}" for _ in range(3000)]
    text = "".join(sentence.format(p) for p in phones)
    alone = PiiDetector().analyze(sentence.format(phones[0]))
    assert [(s.entity_type, s.start, s.end) for s in alone] == [("PERSON", 2, 5), ("TW_PHONE", 8, 18)]
    spans = PiiDetector().analyze(text)
    step = len(sentence.format(phones[0]))
    expected = [
        (t, s + i * step, e + i * step)
        for i in range(len(phones))
        for t, s, e in (("PERSON", 2, 5), ("TW_PHONE", 8, 18))
    ]
    assert [(s.entity_type, s.start, s.end) for s in spans] == expected
