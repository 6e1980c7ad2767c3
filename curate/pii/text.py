"""Length-preserving text helpers shared by the recognizers."""

from __future__ import annotations

#: full-width ASCII (U+FF01-FF5E) -> ASCII, ideographic space -> space; 1:1 so offsets stay aligned
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


def halfwidth(text: str) -> str:
    """Map full-width ASCII to half-width without changing the length.

    >>> halfwidth("Ａ１２３，０９１２")
    'A123,0912'
    """
    return text.translate(_FULLWIDTH)


#: sentence boundaries used to cut context windows (after :func:`halfwidth`)
SENTENCE_END = "。!?\n;"


def is_han(ch: str) -> bool:
    """True for CJK unified ideographs (basic block, extension A and the astral extensions).

    >>> is_han("王"), is_han("A"), is_han("𠀋")
    (True, False, True)
    """
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x323AF or 0xF900 <= o <= 0xFAFF
