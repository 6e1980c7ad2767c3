"""Span offsets between Python code points and Label Studio's UTF-16 code units.

Label Studio (JavaScript) counts offsets in UTF-16 code units; Python counts code points. Every
character outside the Basic Multilingual Plane (CJK Extension B name characters such as 𠀋)
takes two UTF-16 units, so each span after one is shifted (Label Studio issue #1347).
"""

from __future__ import annotations

from bisect import bisect_right


def _astral_positions(text: str) -> list[int]:
    return [i for i, c in enumerate(text) if ord(c) > 0xFFFF]


def cp_to_utf16(text: str, cp: int) -> int:
    """UTF-16 offset of code-point offset ``cp`` in ``text``.

    >>> cp_to_utf16("𠀋王小明", 1)
    2
    >>> cp_to_utf16("王小明", 2)
    2
    """
    if not 0 <= cp <= len(text):
        raise ValueError(f"offset {cp} outside text of length {len(text)}")
    return cp + sum(1 for c in text[:cp] if ord(c) > 0xFFFF)


def utf16_to_cp(text: str, u16: int) -> int:
    """Code-point offset of UTF-16 offset ``u16`` in ``text``.

    Raises ValueError for an offset inside a surrogate pair or past the end.

    >>> utf16_to_cp("𠀋王小明", 2)
    1
    """
    return OffsetMap(text).to_cp(u16)


class OffsetMap:
    """Converts many offsets of one text in O(log n) each.

    >>> m = OffsetMap("a𠀋b𠀋c")
    >>> [m.to_utf16(i) for i in range(6)]
    [0, 1, 3, 4, 6, 7]
    >>> [m.to_cp(u) for u in (0, 1, 3, 4, 6, 7)]
    [0, 1, 2, 3, 4, 5]
    """

    __slots__ = ("_astral", "_len_cp", "_len_u16")

    def __init__(self, text: str) -> None:
        self._astral = _astral_positions(text)
        self._len_cp = len(text)
        self._len_u16 = len(text) + len(self._astral)

    @property
    def utf16_length(self) -> int:
        """Length of the text in UTF-16 code units."""
        return self._len_u16

    def to_utf16(self, cp: int) -> int:
        """Code point -> UTF-16 offset."""
        if not 0 <= cp <= self._len_cp:
            raise ValueError(f"offset {cp} outside text of length {self._len_cp}")
        return cp + bisect_right(self._astral, cp - 1)

    def to_cp(self, u16: int) -> int:
        """UTF-16 offset -> code point; refuses offsets that split a surrogate pair."""
        if not 0 <= u16 <= self._len_u16:
            raise ValueError(f"UTF-16 offset {u16} outside text of {self._len_u16} units")
        lo, hi = 0, len(self._astral)
        # number of astral characters k whose UTF-16 start (pos + index) is < u16
        while lo < hi:
            mid = (lo + hi) // 2
            if self._astral[mid] + mid < u16:
                lo = mid + 1
            else:
                hi = mid
        k = lo
        if k and self._astral[k - 1] + (k - 1) + 1 == u16:
            raise ValueError(f"UTF-16 offset {u16} falls inside a surrogate pair")
        return u16 - k


__all__ = ["OffsetMap", "cp_to_utf16", "utf16_to_cp"]
