"""Character classes that hygiene and PII detection share (regex class bodies, one owner), and
:func:`printable`, how every command (and the CLI's error line) shows a value on a terminal.

Hygiene deletes some characters and joins what stood around them; PII detection must read text the same
way, or a value it let through is joined into one by a later hygiene run (``A1\\u200b23456789``). So the
classes hygiene deletes by live here, and :func:`curate.pii.text.compact_view` reads past all of them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from provenance.textshow import BIDI

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


#: emoji (pictographs, dingbats, symbols, skin tones) and the emoji presentation selector: a ZWJ between two of them
#: makes one emoji of a sequence (👩\u200d💻 is a technologist, 👩💻 two pictures)
_EMOJI = re.compile("[\u2190-\u2bff\ufe0f\U0001f000-\U0001faff]")


def _joining(ch: str) -> bool:
    """A letter or mark of a script that writes ZWJ/ZWNJ into words (Arabic, Persian, Indic, Sinhala ...): from
    Greek on, below the CJK blocks (Latin, ASCII and Chinese have no use for them: there they hide a split value)."""
    return "\u0370" <= ch < "\u2000" and unicodedata.category(ch)[0] in "LM"


def kept_joiner(text: str, i: int) -> bool:
    """Whether the ZWJ or ZWNJ at ``text[i]`` is part of the text, which hygiene keeps (every other zero-width
    character it deletes): between two emoji (a sequence such as 👨\u200d👩\u200d👧, ZWJ only) or between two
    letters of a script that spells words with it (a Persian or Sinhala name). The dedup ``longer`` rule counts the
    same joiners (:func:`curate.dedup.survivor.seen_length`).

    >>> kept_joiner("\U0001f468\u200d\U0001f469", 1), kept_joiner("\u0645\u06cc\u200c\u062e", 2), kept_joiner("銀\u200d行", 1)
    (True, True, False)
    """
    ch = text[i]
    if ch not in "\u200c\u200d" or i == 0 or i + 1 >= len(text):
        return False
    before, after = text[i - 1], text[i + 1]
    if ch == "\u200d" and _EMOJI.match(before) and _EMOJI.match(after):
        return True
    return _joining(before) and _joining(after)


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
        if ch in kept or not (unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI)
        else _ESCAPES.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        for ch in text
    )


_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
