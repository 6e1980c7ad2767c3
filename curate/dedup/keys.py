"""Dedup keys: the normalised, script-folded form of a text and its exact-match digest.

The key is never written back as record text: NFKC, Simplified/Traditional folding (the table of
:func:`curate.zh.fold.fold`) and lower case, then only letters and digits are kept (Unicode categories ``L*`` and
``N*``), so whitespace, line breaks, punctuation and symbols do not matter. After NFKC (C code)
the folding and filtering are array lookups over code points, not a Python loop per character.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import unicodedata
from pathlib import Path

import numpy as np

from curate.zh.fold import fold_table

__all__ = [
    "exact_key",
    "exact_key_version",
    "normalise",
    "normalise_codepoints",
    "strict_key",
    "strict_key_version",
]


def _opencc_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("opencc")
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _cache_file() -> Path | None:
    """Where the derived lookup tables are cached (``$CURATE_CACHE`` or ~/.cache/curate), or None."""
    root = Path(os.environ.get("CURATE_CACHE", Path.home() / ".cache" / "curate"))
    tag = f"{unicodedata.unidata_version}-{_opencc_version()}-{_TABLES_VERSION}"
    return root / f"dedup-keys-{tag}.npz"


#: 2 (review 18): the case map (lower case) of the normalised key; 3 (its review): the case map folds as casefold
#: does where that gives one letter (final sigma), and a number mask (category N*) for the strict key
_TABLES_VERSION = 3


@functools.cache
def _all_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(keep, fold map, NFKC map, case map, sign mask, number mask), from the cache file when present (derived once,
    ~1 s)."""
    path = _cache_file()
    if path is not None and path.exists():
        try:
            with np.load(path) as z:
                return z["keep"], z["fmap"], z["nfkc"].astype(np.int64), z["lmap"], z["sign"], z["num"]
        except (OSError, KeyError, ValueError):
            pass  # corrupt cache: rebuild below
    keep, fmap, sign, num = _build_tables()
    nfkc = _build_nfkc_map()
    lmap = _build_case_map(fmap, keep)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + f".{os.getpid()}.tmp.npz")
            np.savez(tmp, keep=keep, fmap=fmap, nfkc=nfkc.astype(np.int32), lmap=lmap, sign=sign, num=num)
            os.replace(tmp, path)
        except OSError:
            pass  # read-only home: tables are rebuilt per process
    return keep, fmap, nfkc, lmap, sign, num


def _tables() -> tuple[np.ndarray, np.ndarray]:
    """(keep mask over all code points: category L*/N*, fold map code point -> code point)."""
    keep, fmap = _all_tables()[:2]
    return keep, fmap


def _build_case_map(fmap: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The fold map, then case folded where the fold (``str.casefold``, else ``str.lower``) is one letter once what
    the key drops is dropped (``A`` -> ``a``, ``Σ`` and final ``ς`` -> ``σ``, ``İ`` -> ``i``, ``ẞ`` -> ``ß``; ``ß``,
    whose fold is ``ss``, stays): the normalised key's map, never the strict key's (texts differing only in case are
    near duplicates, not exact ones: a capitalised defined term of an English law can be a difference). One code
    point for one, so a key's length is its text's."""
    lmap = fmap.copy()
    for cp in range(0x20000):  # planes 2-16 hold no cased letters
        ch = chr(lmap[cp])
        for low in (ch.casefold(), ch.lower()):
            low = "".join(c for c in low if keep[ord(c)])
            if len(low) == 1:
                if low != ch:
                    lmap[cp] = fmap[ord(low)]
                break
    return lmap


def _nfkc_map() -> np.ndarray:
    return _all_tables()[2]


def _case_map() -> np.ndarray:
    return _all_tables()[3]


def _build_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(keep: category L*/N*, fold map, sign: category P*/S*, number: category N*)."""
    n = sys.maxunicode + 1
    keep = np.zeros(n, dtype=bool)
    sign = np.zeros(n, dtype=bool)
    num = np.zeros(n, dtype=bool)
    # planes 4-16 hold no letters, digits, punctuation or symbols (unassigned, tags, variation selectors, private use)
    for cp in range(0x40000):
        cat = unicodedata.category(chr(cp))[0]
        if cat in "LN":
            keep[cp] = True
            num[cp] = cat == "N"
        elif cat in "PS":
            sign[cp] = True
    fmap = np.arange(n, dtype=np.uint32)
    for src, dst in fold_table().items():
        fmap[src] = ord(dst)
    return keep, fmap, sign, num


#: ranges where NFKC of a string equals NFKC of each character alone (no composition partners),
#: as long as every character maps to one code point and has combining class 0
_SIMPLE_RANGES = (
    (0x0000, 0x024F),
    (0x2000, 0x206F),
    (0x3000, 0x303F),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFF60),
    (0x20000, 0x2FFFF),
)


def _build_nfkc_map() -> np.ndarray:
    """Code point -> NFKC code point for "simple" characters, -1 otherwise (those take the slow path)."""
    m = np.full(sys.maxunicode + 1, -1, dtype=np.int64)
    for lo, hi in _SIMPLE_RANGES:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            if unicodedata.combining(ch):
                continue
            out = unicodedata.normalize("NFKC", ch)
            if len(out) == 1 and not unicodedata.combining(out):
                m[cp] = ord(out)
    return m


def normalise_codepoints(text: str) -> np.ndarray:
    """Code points (uint32) of the normalised key of ``text``.

    NFKC is applied per character through a table when every character is "simple" (the common
    case for Chinese text, where CPython's full NFKC of a string costs more than everything else),
    else with :func:`unicodedata.normalize`; both give the same result.

    >>> normalise_codepoints("第 5 條，") .tolist() == [ord("第"), ord("5"), ord("条")]
    True
    """
    keep, lmap = _tables()[0], _case_map()
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    mapped = _nfkc_map()[cp]
    if (mapped < 0).any():
        cp = np.frombuffer(unicodedata.normalize("NFKC", text).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    else:
        cp = mapped.astype(np.uint32)
    return lmap[cp[keep[cp]]]


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


#: bump when :func:`normalise`'s rules change (what is kept, how it is folded): the exact keys the dedup index stores
#: become stale and are computed again from the text. 2 (review 17): the index row's MinHash signature and buckets are
#: computed again with its key; review 16's pass rewrote keys under version 1 and left their signatures stale. 3
#: (review 18): lower case, so texts differing only in the case of Latin (Greek, Cyrillic) letters share a key and
#: a signature: near duplicates (the strict key keeps case), before it neither exact nor near ones
_EXACT_RULES = 3


@functools.cache
def exact_key_version() -> str:
    """Version of :func:`exact_key` over :func:`normalise_codepoints`: its rules, the Unicode database (NFKC,
    categories) and the fold table (OpenCC). The dedup index stores exact keys under it (:mod:`curate.dedup.exact`):
    one stored under another version (a Python or OpenCC upgrade) may differ for the same text, so it is computed
    again from the text, never compared as it stands."""
    blob = f"exact|{_EXACT_RULES}|{unicodedata.unidata_version}|{_opencc_version()}|{_TABLES_VERSION}"
    return hashlib.sha256(blob.encode()).hexdigest()[:8]


#: bump when :func:`strict_key`'s rules change: the keys the dedup index stores become stale and are computed again
_STRICT_RULES = 3
#: 2 (review 18): what a reader does not see (format characters such as a zero-width space, combining marks,
#: controls) no longer stands between a digit and its sign; under 1, 3% and 3‰ with a zero-width space before the
#: sign had one key. 3 (its review): a number is any digit NFKC leaves (category N*: Arabic-Indic ``٣``, ``〇``), not
#: only 0-9; under 2, ``٣%`` and ``٣‰`` had one key


@functools.cache
def strict_key_version() -> str:
    """Version of :func:`strict_key`: its rules, the Unicode database (NFKC, categories, whitespace) and the fold
    table (OpenCC) it folds through. The dedup index stores keys under it (:mod:`curate.dedup.strict`); a key stored
    under another version is stale (a Python or OpenCC upgrade, a change of the rules) and is computed again."""
    blob = f"{_STRICT_RULES}|{unicodedata.unidata_version}|{_opencc_version()}|{_TABLES_VERSION}"
    return hashlib.sha256(blob.encode()).hexdigest()[:8]


def strict_key(text: str) -> str:
    """Hex digest of a stricter key: :func:`normalise`, but punctuation and symbols next to a digit stay.

    The normalised key drops punctuation, so ``1.5%`` and ``15%``, ``3%`` and ``3‰`` or ``1-3`` and ``13`` are
    equal under it; an exact duplicate must be equal under this key too (texts that differ only in a number are
    different statutes). Whitespace does not count (``15 %`` is ``15%``), nor does any other character neither a
    letter, a digit, punctuation nor a symbol (a zero-width space, a combining mark: ``3``, a zero-width space and
    ``%`` is ``3%``, not ``3``). Array lookups over the code points, as :func:`normalise_codepoints`: a 16 MiB
    line costs a few arrays of it, not a Python object per character.

    >>> strict_key("年利率1.5%。") == strict_key("年利率15%。"), strict_key("年利率 15 %") == strict_key("年利率15%")
    (False, True)
    """
    # only what the key can keep (letters, digits, punctuation, symbols) is a neighbour: whitespace, format characters
    # (zero-width space, joiners, bidi marks, soft hyphen), combining marks and controls are skipped, so a character
    # a reader does not see between a number and its sign neither hides the sign nor makes a difference
    keep, fmap, _, _, sign, num = _all_tables()
    cp = np.frombuffer(unicodedata.normalize("NFKC", text).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    cp = cp[keep[cp] | sign[cp]]
    digit = num[cp]
    beside = np.zeros(len(cp), dtype=bool)
    beside[1:] |= digit[:-1]
    beside[:-1] |= digit[1:]
    return exact_key(fmap[cp[keep[cp] | beside]])
