"""The batch path's term scan: :meth:`TermMatcher.find`'s spans over many records at once, in numpy.

A matcher's keys are held as a code-point matrix grouped by their first two characters. A scan looks
up every position's two-character code in the sorted group codes (one ``searchsorted``), pairs each
hit with the keys of its group, compares the rest of each key with the text in one gather, and keeps
the leftmost, then longest, non-overlapping matches: the spans of :meth:`TermMatcher.find` (and of its
trie-shaped regular expression). One-character keys (a per-record protected word can be one) are
looked up per code point. Keys holding the record separator are left out: in a batch they could only
match across two records. A selected occurrence of a guarded key (a terminology entry) that would split a
dictionary word is left out and the selection made again, as in ``find`` (a Python check per selected
occurrence; no dictionary word holds the record separator, so the check stays inside the record).
``tests/zh/test_fast_path.py`` checks the spans against ``find``.

pyahocorasick's automaton scan cost ~80 ns per character here (its root node's children are searched
one by one, and each hit is a Python tuple); this scan costs ~15-25 ns per character on the
dictionary's Simplified text.
"""

from __future__ import annotations

import numpy as np

from curate.zh.crossings import gram_codes, phrase_across
from curate.zh.terms import TermMatcher

_SEP_CP = 0xFDD0


def codepoints(s: str) -> np.ndarray:
    """The code points of ``s`` as a uint32 array (a view of one UTF-32 encoding)."""
    return np.frombuffer(s.encode("utf-32-le", "surrogatepass"), dtype="<u4")


class TermIndex:
    """A matcher's table as arrays: replacements, flags per key, and the grouped code-point matrix."""

    __slots__ = (
        "changed",
        "cross_grams",
        "crossing",
        "group_code",
        "group_keys",
        "group_start",
        "guarded",
        "in_context",
        "key_cps",
        "key_len",
        "key_pad",
        "keys",
        "matcher",
        "max_len",
        "one_char",
        "one_key",
        "pair_lut",
        "reps",
    )

    def __init__(self, matcher: TermMatcher, context: dict) -> None:
        self.matcher = matcher
        self.keys = list(matcher.table)
        self.reps = [matcher.table[k][0] for k in self.keys]
        self.changed = np.array([r != k for r, k in zip(self.reps, self.keys, strict=True)], dtype=bool)
        self.in_context = np.array([k in context for k in self.keys], dtype=bool)
        #: entries of curate/zh/crossings.py (they decide no ambiguous character)
        self.crossing = np.array([k in matcher.crossings for k in self.keys], dtype=bool)
        #: :func:`curate.zh.crossings.gram_codes` where the crossing entries are tested by that module's own
        #: :func:`~curate.zh.crossings.phrase_across` (its quick test is then run on all occurrences at once)
        self.cross_grams = None
        if self.crossing.any() and getattr(matcher.across, "func", matcher.across) is phrase_across:
            self.cross_grams = gram_codes()
        #: keys checked against the matcher's word list (none when it has no words)
        self.guarded = np.array([matcher.words is not None and k in matcher.guarded for k in self.keys], dtype=bool)
        usable = [i for i, k in enumerate(self.keys) if k and "\ufdd0" not in k]
        self.max_len = max((len(self.keys[i]) for i in usable), default=2)
        n = len(self.keys)
        self.key_len = np.array([len(k) for k in self.keys], dtype=np.int64)
        self.key_cps = np.full((n, max(self.max_len, 2)), _SEP_CP, dtype="<u4")
        for i in usable:
            k = self.keys[i]
            self.key_cps[i, : len(k)] = codepoints(k)
        #: True past each key's end: those columns always count as equal
        self.key_pad = np.arange(self.key_cps.shape[1])[None, :] >= self.key_len[:, None]
        one = [i for i in usable if len(self.keys[i]) == 1]
        self.one_char = np.array([ord(self.keys[i]) for i in one], dtype="<u4")
        order = np.argsort(self.one_char, kind="stable")
        self.one_char, self.one_key = self.one_char[order], np.array(one, dtype=np.int64)[order]
        multi = np.array([i for i in usable if len(self.keys[i]) > 1], dtype=np.int64)
        code = _pair_code(self.key_cps[multi, 0], self.key_cps[multi, 1]) if multi.size else np.zeros(0, np.uint64)
        order = np.argsort(code, kind="stable")
        self.group_keys = multi[order]
        self.group_code, first = np.unique(code[order], return_index=True)
        self.group_start = np.append(first, multi.size).astype(np.int64)
        #: per code point: 1 if some key (2+ characters) starts with it, 2 if one has it second
        self.pair_lut = np.zeros(0x110000, dtype=np.uint8)
        if multi.size:
            self.pair_lut[self.key_cps[multi, 0]] |= 1
            self.pair_lut[self.key_cps[multi, 1]] |= 2


def _pair_code(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a.astype(np.uint64) << np.uint64(21)) | b.astype(np.uint64)


def find_terms(index: TermIndex, text: str | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Starts, ends and key indexes of :meth:`TermMatcher.find`'s spans (leftmost-longest, non-overlapping).

    ``text`` is a string or its code points (:func:`codepoints`).
    """
    X = codepoints(text) if isinstance(text, str) else text
    n = X.size
    empty = np.zeros(0, dtype=np.int64)
    if not n or (not index.group_code.size and not index.one_char.size):
        return empty, empty, empty
    Xp = np.concatenate((X, np.full(index.max_len, _SEP_CP, dtype="<u4")))
    starts: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    if index.group_code.size:
        lut = index.pair_lut[Xp[: n + 1]]
        maybe = np.flatnonzero((lut[:n] & 1) & (lut[1:] >> 1))  # a cheap filter before the lookup
        code = _pair_code(Xp[maybe], Xp[maybe + 1])
        gc = index.group_code
        at = np.searchsorted(gc, code)
        np.minimum(at, gc.size - 1, out=at)
        found = gc[at] == code
        cand = maybe[found]
        if cand.size:
            g = at[found]
            lo = index.group_start[g]
            size = index.group_start[g + 1] - lo
            total = int(size.sum())
            pc = np.repeat(cand, size)
            pk = index.group_keys[np.repeat(lo - (np.cumsum(size) - size), size) + np.arange(total)]
            # the first two characters are equal by the group; the rest column by column, on the pairs left
            length = index.key_len[pk]
            alive = np.flatnonzero(length > 2)
            if alive.size:
                ok = np.ones(pc.size, dtype=bool)
                j = 2
                while alive.size:
                    bad = Xp[pc[alive] + j] != index.key_cps[pk[alive], j]
                    ok[alive[bad]] = False
                    j += 1
                    alive = alive[~bad & (length[alive] > j)]
                pc, pk = pc[ok], pk[ok]
            starts.append(pc)
            keys.append(pk)
    if index.one_char.size:
        oc = index.one_char
        at = np.searchsorted(oc, X)
        np.minimum(at, oc.size - 1, out=at)
        hit = np.flatnonzero(oc[at] == X)
        starts.append(hit)
        keys.append(index.one_key[at[hit]])
    if not starts:
        return empty, empty, empty
    start = np.concatenate(starts) if len(starts) > 1 else starts[0]
    key = np.concatenate(keys) if len(keys) > 1 else keys[0]
    if not start.size:
        return empty, empty, empty
    if not index.guarded.any():
        return _select(index, start, key)
    if index.cross_grams is not None:
        start, key = _may_cross(index, Xp, start, key)
    # the selection, less each selected occurrence that must not fire there, until none is left: the same
    # spans as leaving every such occurrence out first (one that is never selected does not change the walk)
    s = text if isinstance(text, str) else X.tobytes().decode("utf-32-le", "surrogatepass")
    m, n, nkeys = index.matcher, len(s), len(index.keys)
    guarded = index.guarded
    checked: set[int] = set()
    while True:
        a, b, k = _select(index, start, key)
        drop = []
        for x, y, i in zip(a.tolist(), b.tolist(), k.tolist(), strict=True):
            code = x * nkeys + i
            if guarded[i] and code not in checked:
                checked.add(code)
                if m.splits(s, x, y, 0, n):
                    drop.append(code)
        if not drop:
            return a, b, k
        keep = ~np.isin(start * nkeys + key, drop)
        start, key = start[keep], key[keep]


def _may_cross(index: TermIndex, Xp: np.ndarray, start: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The occurrences less those of a crossing entry that no OpenCC phrase can cross (the test of
    :func:`curate.zh.crossings.may_cross`, on all at once): ``m.splits`` is True of each, so the selection is the
    same as leaving them to the loop of :func:`find_terms`, and most never reach it."""
    cand = np.flatnonzero(index.crossing[key])
    if not cand.size:
        return start, key
    last, first, tri = index.cross_grams
    a = start[cand]
    b = a + index.key_len[key[cand]]
    three = b - a > 2
    s21, s42 = np.uint64(21), np.uint64(42)

    def x(i: np.ndarray) -> np.ndarray:
        return Xp[i].astype(np.uint64)

    before = np.where(a > 0, x(np.maximum(a - 1, 0)), np.uint64(_SEP_CP))  # the record separator: in no phrase
    ok = _member(last, before << s21 | x(a)) | (three & _member(tri, before << s42 | x(a) << s21 | x(a + 1)))
    ok |= _member(first, x(b - 1) << s21 | x(b)) | (three & _member(tri, x(b - 2) << s42 | x(b - 1) << s21 | x(b)))
    if ok.all():
        return start, key
    keep = np.ones(start.size, dtype=bool)
    keep[cand[~ok]] = False
    return start[keep], key[keep]


def _member(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Whether each of ``codes`` is in the sorted ``table``."""
    if not table.size:
        return np.zeros(codes.size, dtype=bool)
    at = np.minimum(np.searchsorted(table, codes), table.size - 1)
    return table[at] == codes


def _select(index: TermIndex, start: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The leftmost, then longest, non-overlapping occurrences of ``start``, ``key`` (every occurrence)."""
    length = index.key_len[key]
    order = np.lexsort((-length, start))  # by start, the longest first
    start, length, key = start[order], length[order], key[order]
    first = np.ones(start.size, dtype=bool)
    first[1:] = start[1:] != start[:-1]
    start, key = start[first], key[first]
    end = start + length[first]
    return _leftmost(start, end, key)


def _leftmost(start: np.ndarray, end: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of spans sorted by start (one per start), the leftmost first, then each next one that fits.

    A span that starts at or after every earlier span's end is always kept (no kept span reaches
    it); only runs of overlapping spans are walked one by one.
    """
    if start.size < 2:
        return start, end, key
    reach = np.maximum.accumulate(end)
    free = np.ones(start.size, dtype=bool)
    free[1:] = start[1:] >= reach[:-1]
    if free.all():
        return start, end, key
    keep = free.copy()
    busy = np.flatnonzero(~free)  # each follows a free span (a run's first) or another busy one
    s_l, e_l = start.tolist(), end.tolist()
    pos = 0
    prev = -2
    for i in busy.tolist():
        if i != prev + 1:  # a new run: its first span (i - 1) is free and kept
            pos = e_l[i - 1]
        if s_l[i] >= pos:
            keep[i] = True
            pos = e_l[i]
        prev = i
    return start[keep], end[keep], key[keep]
