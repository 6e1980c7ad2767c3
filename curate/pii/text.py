"""Length-preserving text helpers shared by the recognizers."""

from __future__ import annotations

import re

#: full-width ASCII (U+FF01-FF5E) -> ASCII, ideographic space -> space; 1:1 so offsets stay aligned
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


_FULLWIDTH_CHARS = {chr(cp): chr(to) for cp, to in _FULLWIDTH.items()}
_FULLWIDTH_RE = re.compile("[\uff01-\uff5e\u3000]")


def halfwidth(text: str) -> str:
    """Map full-width ASCII to half-width without changing the length.

    >>> halfwidth("Ａ１２３，０９１２")
    'A123,0912'

    (``str.translate`` with the table does the same, looking every character up: the PII stage calls this on
    every field, and most fields are ASCII or hold a few full-width marks, so only those are replaced.)
    """
    if text.isascii() or not _FULLWIDTH_RE.search(text):
        return text
    return _FULLWIDTH_RE.sub(lambda m: _FULLWIDTH_CHARS[m.group()], text)


#: sentence boundaries used to cut context windows (after :func:`halfwidth`)
SENTENCE_END = "。!?\n;"


def is_han(ch: str) -> bool:
    """True for CJK unified ideographs (basic block, extension A and the astral extensions).

    >>> is_han("王"), is_han("A"), is_han("𠀋")
    (True, False, True)
    """
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x323AF or 0xF900 <= o <= 0xFAFF
