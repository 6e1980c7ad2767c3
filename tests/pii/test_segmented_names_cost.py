"""The segmented-name rule's cost (review 11): a window of text around a candidate is segmented once per process
(a name and the text around it recur: the same officer, the same template), not once per candidate, and the
``not_names`` test is a set look-up, not a scan of the list. What it finds is what the rule as first written
(route as a list of words, ``not_names`` as a tuple: :func:`_reference` below) finds, at every candidate."""

import random
import re
from pathlib import Path

import curate.pii.segmented_names as sn
from curate.lexicon import dictionary_words, route, to_simplified
from curate.pii.names import STOP_AFTER, given_char_scores, married_name_end
from curate.pii.text import is_han
from curate.pii.view import detection_view
from tests.helpers.marked_set import items

SETS = sorted(Path(__file__).parent.glob("heldout_like*.txt"))


def _reference(text: str, start: int, sur_end: int) -> int | None:
    """:func:`curate.pii.segmented_names.segmented_name` as round 11 wrote it."""
    _, _, _, _, not_names, non_given = sn._setup()
    scores = given_char_scores()
    for length, floor in ((2, sn.MIN_GIVEN_TWO), (1, sn.MIN_GIVEN_ONE)):
        end = sur_end + length
        if not (
            end <= len(text)
            and all(is_han(c) and c not in non_given and c not in STOP_AFTER for c in text[sur_end:end])
        ):
            continue
        if sum(scores.get(c, 0.0) for c in text[sur_end:end]) < floor:
            continue
        if text[start:end].startswith(not_names) or text[start : start + 2] in not_names:
            return None
        lo, hi = max(0, start - sn.WINDOW), min(len(text), end + sn.WINDOW)
        simp = to_simplified().convert(text[lo:hi])
        if len(simp) != hi - lo:
            return None
        words = [(i + lo, j + lo) for i, j in route(simp, 0, len(simp), dictionary_words())]
        edges = {i for i, _ in words} | {j for _, j in words}
        if start not in edges or end not in edges:
            continue
        if (start, end) not in words and any(i < sur_end < j and j - i > 1 for i, j in words):
            return None
        if (start, end) in words and to_simplified().convert(text[start:end]) not in sn.person_words():
            return None
        return married_name_end(text, start, sur_end, end)
    return None


def _texts() -> list[str]:
    out = [detection_view(t) for path in SETS for t, _ in items(path)]
    rng = random.Random(11)
    for t in out[::3]:
        chars = list(t)
        rng.shuffle(chars)  # windows no set holds
        out.append("".join(chars))
    return out


def test_every_candidate_reads_as_the_rule_first_written():
    regex = re.compile(sn.candidate_pattern())
    tried = found = 0
    for text in _texts():
        for pos in range(len(text)):
            m = regex.match(text, pos)
            if m is None:
                continue
            for sur_end in {m.end(), pos + 1}:
                want = _reference(text, pos, sur_end)
                assert sn.segmented_name(text, pos, sur_end) == want, (text, pos, sur_end)
                tried, found = tried + 1, found + (want is not None)
    assert tried > 400 and found > 100, (tried, found)


def test_a_window_is_segmented_once_per_process():
    rec = sn.SegmentedNameRecognizer()
    rec.load()
    text = "感謝宋凱翔協助。" * 40  # the windows near either end differ, the others are the same
    sn._edges.cache_clear()
    spans = rec.analyze(text)
    assert [text[s.start : s.end] for s in spans] == ["宋凱翔"] * 40
    assert sn._edges.cache_info().misses <= 6  # of 80 look-ups
    assert [(s.start, s.end) for s in rec.analyze(text)] == [(s.start, s.end) for s in spans]
    assert sn._edges.cache_info().misses <= 6


def test_not_names_read_as_the_list():
    not_names = sn._setup()[4]
    for w in not_names:
        for text in (w, w + "明", "王" + w, w[:2] + "明"):
            for end in range(1, len(text) + 1):
                want = text[:end].startswith(not_names) or text[:2] in not_names
                assert sn._not_name(text, 0, end) == want, (text, end)


def test_the_candidate_search_tests_the_first_character_once():
    """The candidate pattern opens with one class test of the characters a surname starts with (the alternation
    implies it: the matches are the same as without it), not with a try of each compound surname in turn."""
    pattern = sn.candidate_pattern()
    _, _, ordinary, compounds, _, _ = sn._setup()
    first = "".join(sorted(set(ordinary) | {c[0] for c in compounds}))
    assert pattern.startswith(f"(?=[{first}])")
    bare = re.compile(pattern.removeprefix(f"(?=[{first}])"))
    regex = re.compile(pattern)
    for text in _texts():
        assert [m.span() for m in regex.finditer(text)] == [m.span() for m in bare.finditer(text)]
