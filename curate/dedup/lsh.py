"""LSH banding: band keys from signatures and candidate pairs from shared buckets.

With ``b`` bands of ``r`` rows, two documents of Jaccard ``s`` share at least one bucket with
probability ``1 - (1 - s**r)**b`` (the S-curve). Candidates are verified afterwards, so the curve
is placed for recall at the threshold rather than for precision.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def s_curve(s: float, bands: int, rows: int) -> float:
    """Probability that a pair of Jaccard ``s`` becomes a candidate.

    >>> round(s_curve(0.7, 25, 5), 3)
    0.99
    """
    return 1.0 - (1.0 - s**rows) ** bands


def band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """``(n, bands)`` int64 bucket keys (FNV-1a style over the band's values, band index mixed in).

    Deterministic and platform independent (uint64 arithmetic wraps by definition in numpy).
    """
    n = sig.shape[0]
    v = sig[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    h = np.broadcast_to(_FNV_OFFSET ^ (np.arange(bands, dtype=np.uint64) * _MIX), (n, bands)).copy()
    with np.errstate(over="ignore"):
        for j in range(rows):
            h ^= v[:, :, j]
            h *= _FNV_PRIME
    return h.view(np.int64)


def has_shingles(nsh: np.ndarray) -> np.ndarray:
    """Mask of documents with at least one shingle (the others never enter buckets)."""
    return np.asarray(nsh) > 0


def candidate_pairs(
    keys: np.ndarray, active: np.ndarray, *, max_bucket: int = 64, involve: np.ndarray | None = None
) -> np.ndarray:
    """Unique candidate pairs ``(m, 2)`` (row indices, i < j) of documents sharing a bucket.

    Args:
        keys: ``(n, bands)`` band keys.
        active: mask of rows that take part.
        max_bucket: a bucket with more members pairs every member only with three anchor members and with its
            two neighbours, in an order of the members' content (:func:`_sparse_pairs`): linear, independent of
            the rows' order, and members that share further bands sit side by side; a member that is similar
            to neither (only to others far from it in that order) can still be missed, so recall on large
            families of near variants is below that of all pairs.
        involve: optional mask; only pairs with at least one row in it are returned
            (incremental runs: old-old pairs were settled before).
    """
    return candidate_pairs_banded(lambda b: keys[:, b], keys.shape[1], active, max_bucket=max_bucket, involve=involve)


def _sparse_pairs(sz: int, anchors: int = 3, window: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(a, c)``, ``a < c``, of a bucket too large for all its pairs: every member with the first
    ``anchors`` members and with the ``window`` members after it, in the caller's content order (members that
    also share the next bands sit side by side there). Linear in ``sz``; which members pair depends on their
    texts only, so the same documents in another row order give the same pairs.

    >>> a, c = _sparse_pairs(6); sorted(zip(a.tolist(), c.tolist()))[:6]
    [(0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (1, 2)]
    """
    a = np.concatenate([np.repeat(np.arange(anchors), sz)] + [np.arange(sz - k) for k in range(1, window + 1)])
    c = np.concatenate([np.tile(np.arange(sz), anchors)] + [np.arange(k, sz) for k in range(1, window + 1)])
    keep = a < c
    pairs = np.unique(np.stack([a[keep], c[keep]], axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]


def candidate_pairs_banded(
    band: Callable[[int], np.ndarray],
    bands: int,
    active: np.ndarray,
    *,
    max_bucket: int = 64,
    involve: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`candidate_pairs` with the keys given one band at a time (``band(b)``: ``(n,)`` keys of
    band ``b``), so only one band's keys are in memory; pairs are made unique band by band."""
    rows_idx = np.flatnonzero(active)
    n = np.int64(len(active))
    found = np.empty(0, dtype=np.int64)  # pair (i, j) as i * n + j: unique and sorted as a 1-d array
    for b in range(bands):
        k = np.asarray(band(b))[rows_idx]
        order = np.argsort(k, kind="stable")
        ks, ids = k[order], rows_idx[order]
        del k, order
        if len(ks) < 2:
            continue
        starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
        sizes = np.diff(np.r_[starts, len(ks)])
        out = []
        two = starts[sizes == 2]
        if len(two):
            out.append(np.stack([ids[two], ids[two + 1]], axis=1))
        big = sizes > max_bucket
        # a large bucket's members in an order of their content (the next four bands' keys), not of their rows
        after = [np.asarray(band((b + k) % bands)) for k in (4, 3, 2, 1)] if big.any() else []
        for st, sz in zip(starts[sizes > 2], sizes[sizes > 2]):
            members = ids[st : st + sz]
            if sz <= max_bucket:
                a, c = np.triu_indices(sz, 1)
            else:
                members = members[np.lexsort([keys[members] for keys in after])]  # last key sorts first
                a, c = _sparse_pairs(sz)
            out.append(np.stack([members[a], members[c]], axis=1))
        if not out:
            continue
        pairs = np.concatenate(out).astype(np.int64)
        pairs.sort(axis=1)
        if involve is not None:
            pairs = pairs[involve[pairs[:, 0]] | involve[pairs[:, 1]]]
        found = np.unique(np.concatenate([found, pairs[:, 0] * n + pairs[:, 1]]))
    return np.stack([found // n, found % n], axis=1) if len(found) else np.empty((0, 2), dtype=np.int64)
