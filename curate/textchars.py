"""Character classes that hygiene and PII detection share (regex class bodies, one owner), and
:func:`printable`, how every command (and the CLI's error line) shows a value on a terminal.

Hygiene deletes some characters and joins what stood around them; PII detection must read text the same
way, or a value it let through is joined into one by a later hygiene run (``A1\\u200b23456789``). So the
classes hygiene deletes by live here, and :func:`curate.pii.text.compact_view` reads past all of them.
"""

from __future__ import annotations

import unicodedata
from typing import Any

#: C0/C1 controls except TAB, LF and CR (CR becomes LF)
CONTROL = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f"
#: zero-width characters, BOM, bidi marks and the soft hyphen: hygiene deletes them
ZERO_WIDTH = "\\u200b-\\u200d\\u2060\\ufeff\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\u00ad"
#: horizontal whitespace besides U+0020: hygiene collapses a run of it (with spaces) to one space
HSPACE = "\\t\\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000"
#: CJK scripts and full-width forms: a space between two of them is a layout artefact that hygiene removes
CJK = (
    "\\u2e80-\\u2fdf\\u3000-\\u303f\\u3040-\\u30ff\\u3100-\\u312f\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff"
    "\\uff00-\\uffef"
)
#: full-width Latin letters (Ｃｈｅｎ): a space between two of them parts words, as in ASCII, not CJK layout: hygiene
#: joined `Ｃｈｅｎ Ｙｕ－Ｔｉｎｇ` into one word before the PII stage, whose romanised-name rule then read no name
FULLWIDTH_LETTERS = "\\uff21-\\uff3a\\uff41-\\uff5a"
#: what follows a gap after a lone full-width letter that is joined all the same: a letter and then a digit, the
#: second letter of an ID split in two (`Ａ Ｂ１２３４５６７８`, a resident certificate's old form, a passport's):
#: read apart, it went through in clear (review 15, post-review)
ID_LETTER_GAP = f"[{FULLWIDTH_LETTERS}][ {HSPACE}]?[0-9\\uff10-\\uff19]"
#: what PII detection reads past: Unicode's Default_Ignorable_Code_Point set (DerivedCoreProperties.txt:
#: zero-width characters, joiners, bidi marks, soft hyphen, variation selectors, fillers, tags; a superset of
#: :data:`ZERO_WIDTH`) and :data:`CONTROL`
IGNORABLE = (
    CONTROL + "\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u200b-\\u200f\\u202a-\\u202e"
    "\\u2060-\\u206f\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff0-\\ufff8"
    "\\U0001bca0-\\U0001bca3\\U0001d173-\\U0001d17a\\U000e0000-\\U000e0fff"
)


#: bidi embeddings, overrides and isolates: they reorder what a terminal shows after them
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\u200e\u200f")


def printable(value: Any, *, keep_breaks: bool = True) -> str:
    r"""``value`` as text that cannot drive a terminal: C0/C1 control characters (ESC sequences that recolour,
    retitle or write the clipboard) and bidi controls shown as escapes. Line breaks and tabs are kept for a
    composed multi-line text; ``keep_breaks=False`` escapes them too, for one value shown on one line (a file name
    must not start a line of its own that reads like a header). Catalogue values (file names, ids, titles) come
    from third parties.

    >>> printable("f\x1b]0;pwned\x07\u202e.jsonl\n")
    'f\\x1b]0;pwned\\x07\\u202e.jsonl\n'
    >>> printable("a\nlicence  CC0-1.0\t", keep_breaks=False)
    'a\\nlicence  CC0-1.0\\t'

    A file name's bytes that are not UTF-8 (a Big5 name from a Windows share) come as lone surrogates
    (``os.fsdecode``): shown as escapes too, they cannot be written to a UTF-8 terminal as they are.

    >>> printable("\udcb0\udcd3.jsonl")  # os.fsdecode(b"\xb0\xd3.jsonl")
    '\\udcb0\\udcd3.jsonl'
    """
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    kept = "\n\t" if keep_breaks else ""
    return "".join(
        ch
        if ch in kept or not (unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI)
        else _ESCAPES.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        for ch in text
    )


_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
