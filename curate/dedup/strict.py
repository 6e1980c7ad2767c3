"""Exact groups split by the strict key (:func:`curate.dedup.keys.strict_key`), read from the index where it holds it.

The normalised key drops punctuation, so ``年利率1.5%`` and ``年利率15%`` share it, yet they are different texts
(different statutes): the members of an exact group must agree on the strict key too. Keying a member needs its
text; before review 15 every member of every group was read again at every run, so a form letter pasted into every
batch cost each run its whole cluster's texts (quadratic over runs). The index stores each keyed record's strict key
(migration 0116), and a run reads the text of a member only where the index has no key for it (a new record, one
indexed alone so far, or one indexed before the migration); the keys it computes go into the index.

A stored key carries the version of :func:`curate.dedup.keys.strict_key` (``<version>:<digest>``,
:func:`curate.dedup.keys.strict_key_version`): a key stored under another version (other rules, another Unicode
database or fold table) is stale, so the record's text is read again and its key rewritten, as for a record
without one; a stale key never splits or joins an exact group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from curate.dedup.keys import strict_key, strict_key_version

#: members keyed per text fetch (bounds the texts held at once)
_BLOCK = 8192


def to_stored(key: str) -> str:
    """The index's form of a strict key: tagged with the version of the function that computed it."""
    return f"{strict_key_version()}:{key}"


def from_stored(value: str | None) -> str | None:
    """The strict key of an index value, or None where there is none or it is stale (another version)."""
    if not value:
        return None
    version, sep, key = value.partition(":")
    return key if sep and version == strict_key_version() else None


@dataclass
class StrictKeys:
    """The strict keys of the rows of exact groups: ``rows`` (ascending) and their ``keys`` (hex digests, same
    order); ``read``: how many texts were read to key them (the others came from the index)."""

    rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    keys: np.ndarray = field(default_factory=lambda: np.empty(0, dtype="S32"))
    read: int = 0

    def of(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows in ``[lo, hi)`` that were keyed, and their keys."""
        a, b = np.searchsorted(self.rows, [lo, hi])
        return self.rows[a:b], self.keys[a:b]


def split_exact_groups(rows, fetch: Callable[[list[int]], list[str]]) -> tuple[np.ndarray, StrictKeys]:
    """Exact-key codes of ``rows`` with each group of two or more rows split by the strict key: the first strict key
    of a group (in row order) keeps the group's code, members under another get a new one, so they are near
    duplicates at most. A row's key comes from ``rows.stored_strict(rows)`` (the index; None where it has none),
    else from its text, fetched for such rows only, in blocks."""
    codes = rows.exact
    idx = np.flatnonzero(rows.nsh > 0)
    if not len(idx):
        return codes, StrictKeys()
    _, inv, counts = np.unique(codes[idx], return_inverse=True, return_counts=True)
    grouped = idx[counts[inv.reshape(-1)] > 1]
    if not len(grouped):
        return codes, StrictKeys()
    stored = getattr(rows, "stored_strict", None)
    keys = np.array(stored(grouped) if stored else [None] * len(grouped), dtype=object)
    need = np.flatnonzero(keys == None)  # noqa: E711 (element-wise)
    read = 0
    for start in range(0, len(need), _BLOCK):
        pos = need[start : start + _BLOCK]
        memo: dict[str, str] = {}  # a text pasted thousands of times (a disclaimer) is keyed once; the block holds it
        for p, text in zip(pos.tolist(), fetch(grouped[pos].tolist()), strict=True):
            keys[p] = memo[text] if text in memo else memo.setdefault(text, strict_key(text))
        read += len(pos)
    out = codes.copy()
    next_code = int(codes.max()) + 1
    seen: dict[int, dict[str, int]] = {}
    for r, k in zip(grouped.tolist(), keys.tolist(), strict=True):
        code = int(codes[r])
        group = seen.setdefault(code, {})
        if k not in group:
            group[k] = code if not group else next_code
            next_code += bool(len(group) > 1)
        out[r] = group[k]
    return out, StrictKeys(grouped, keys.astype("S32"), read)
