"""Dedup keys: the normalised, script-folded form of a text and its exact-match digest.

The key is never written back as record text: NFKC, Simplified/Traditional folding (the table of
:func:`curate.zh.fold.fold`), then only letters and digits are kept (Unicode categories ``L*`` and
``N*``), so whitespace, line breaks, punctuation and symbols do not matter. After NFKC (C code)
the folding and filtering are array lookups over code points, not a Python loop per character.
"""

from __future__ import annotations

import functools
import hashlib
import sys
import unicodedata

import numpy as np

from curate.zh.fold import fold_table

__all__ = ["exact_key", "normalise", "normalise_codepoints"]


@functools.cache
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """(keep mask over all code points: category L*/N*, fold map code point -> code point)."""
    n = sys.maxunicode + 1
    keep = np.zeros(n, dtype=bool)
    for cp in range(n):
        if unicodedata.category(chr(cp))[0] in "LN":
            keep[cp] = True
    fmap = np.arange(n, dtype=np.uint32)
    for src, dst in fold_table().items():
        fmap[src] = ord(dst)
    return keep, fmap


def normalise_codepoints(text: str) -> np.ndarray:
    """Code points (uint32) of the normalised key of ``text``.

    >>> normalise_codepoints("第 5 條，") .tolist() == [ord("第"), ord("5"), ord("条")]
    True
    """
    keep, fmap = _tables()
    cp = np.frombuffer(unicodedata.normalize("NFKC", text).encode("utf-32-le"), dtype="<u4")
    return fmap[cp[keep[cp]]]


def normalise(text: str) -> str:
    """Script-folded text with everything but letters and digits removed.

    >>> normalise("第 5 條，銀行。") == normalise("第5条,银行")
    True
    """
    return normalise_codepoints(text).astype("<u4").tobytes().decode("utf-32-le")


def exact_key(codepoints: np.ndarray) -> str:
    """Hex digest of a normalised key (exact-duplicate key).

    >>> exact_key(normalise_codepoints("銀行。")) == exact_key(normalise_codepoints("银行"))
    True
    """
    return hashlib.blake2b(np.ascontiguousarray(codepoints, dtype="<u4").tobytes(), digest_size=16).hexdigest()
