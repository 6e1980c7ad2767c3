"""A value from outside shown on one line: the characters that break or reorder a line as it is shown.

One owner of the bidi controls: :func:`provenance.export_out.refuse_non_utf8` refuses a path holding one of
:func:`hidden`'s characters and names it through :func:`one_line`; :func:`curate.textchars.printable` escapes the same
bidi controls for terminals.
"""

from __future__ import annotations

import unicodedata

#: the bidi controls (embedding, override, isolate, marks) that reorder a line as it is shown
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def hidden(char: str) -> bool:
    """A line break, a control character or a bidi control: what a value printed on one line must not hold.

    >>> hidden("\\n"), hidden("\\u2028"), hidden("\\u202e"), hidden("匯")
    (True, True, True, False)
    """
    return char in BIDI or unicodedata.category(char) in ("Cc", "Zl", "Zp")


def one_line(text: str) -> str:
    r"""``text`` on one line as read: only what :func:`hidden` names escaped, CJK and the rest as written.

    >>> one_line("/tmp/匯出\n資料\u202e")
    '/tmp/匯出\\n資料\\u202e'
    """
    return "".join(c.encode("unicode_escape").decode("ascii") if hidden(c) else c for c in text)


__all__ = ["BIDI", "hidden", "one_line"]
