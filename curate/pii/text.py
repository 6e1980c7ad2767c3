"""Text helpers shared by the recognizers: length-preserving folds, and the compact view detection reads."""

from __future__ import annotations

import re

from curate import textchars

#: full-width ASCII (U+FF01-FF5E) -> ASCII, ideographic space -> space; 1:1 so offsets stay aligned
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
#: the dashes a phone number or an ID is written with besides `-`: U+2010 hyphen (PDF text), U+2011 non-breaking
#: hyphen (web pages keep a number on one line with it), figure dash, en and em dash, horizontal bar, minus sign,
#: small hyphen-minus; read as `-` (``0912‑345‑678`` went through unscrubbed, review 9)
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"
_FULLWIDTH.update({ord(c): 0x2D for c in DASHES})


_FULLWIDTH_CHARS = {chr(cp): chr(to) for cp, to in _FULLWIDTH.items()}
_FULLWIDTH_RE = re.compile(f"[\uff01-\uff5e\u3000{DASHES}]")


def halfwidth(text: str) -> str:
    """Map full-width ASCII to half-width, and the other dashes (:data:`DASHES`) to `-`, without changing the length.

    >>> halfwidth("Ａ１２３，０９１２"), halfwidth("0912\u2011345\u2013678")
    ('A123,0912', '0912-345-678')

    (``str.translate`` with the table does the same, looking every character up: the PII stage calls this on
    every field, and most fields are ASCII or hold a few full-width marks, so only those are replaced.)
    """
    if text.isascii() or not _FULLWIDTH_RE.search(text):
        return text
    return _FULLWIDTH_RE.sub(lambda m: _FULLWIDTH_CHARS[m.group()], text)


_IGNORABLE_RE = re.compile(f"[{textchars.IGNORABLE}]+")
#: a horizontal whitespace run between two CJK characters, not both full-width Latin letters (hygiene removes it; the
#: text around has no ignorables)
_FWL = textchars.FULLWIDTH_LETTERS
_CJK_GAP_RE = re.compile(
    f"(?<=[{textchars.CJK}])(?<![{_FWL}])[ {textchars.HSPACE}]+(?=[{textchars.CJK}])"
    f"|(?<=[{textchars.CJK}])[ {textchars.HSPACE}]+(?=[{textchars.CJK}])(?![{_FWL}])"
    f"|(?<=[{_FWL}])(?<![{_FWL}]{{2}})[ {textchars.HSPACE}]+(?={textchars.ID_LETTER_GAP})"  # Ａ Ｂ１２３４５６７８
)
#: any character :func:`compact_view` could remove
_MAYBE_CUT = re.compile(f"[{textchars.IGNORABLE} {textchars.HSPACE}]")
#: what hygiene turns into one space outside a CJK gap: a run of two or more horizontal spaces, or one that is no
#: U+0020 (a tab, U+00A0, U+3000 between digits: ``4111\t1111``, ``0912\u00a0345\u00a0678``)
_SPACE_RUN_RE = re.compile(f"[ {textchars.HSPACE}]{{2,}}|[{textchars.HSPACE}]")


def compact_view(text: str) -> tuple[str, list[int] | None]:
    """``text`` as hygiene would join it, for detection: without invisible characters
    (:data:`curate.textchars.IGNORABLE`), without horizontal whitespace between two CJK characters, any other run
    of horizontal whitespace (a tab, two spaces, U+00A0) read as one space, and the position in ``text`` of each
    character kept (``None`` when nothing was removed: the common case costs one or two searches). A value
    written with such characters inside (``A1\u200b23456789``, ``Ａ１２３ ４５６７８９``, a card's groups in table
    cells ``4111\\t1111\\t1111\\t1111``, which hygiene makes ``4111 1111 1111 1111``) is read as the one a reader
    sees, and a later hygiene run cannot join the pieces of a value the PII stage let through.

    >>> compact_view("0912\\t345  678")
    ('0912 345 678', [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12])
    >>> compact_view("A1\u200b23")
    ('A123', [0, 1, 3, 4])
    >>> compact_view("０９ １２")
    ('０９１２', [0, 1, 3, 4])
    """
    if text.isascii():  # no CJK gap in ASCII: only its controls and space runs can go
        if text.isprintable() and "  " not in text:
            return text, None
    elif _MAYBE_CUT.search(text) is None:  # one pass over most texts
        return text, None
    positions: list[int] | None = None
    if _IGNORABLE_RE.search(text) is not None:
        text, positions = _cut(text, _IGNORABLE_RE, None)
    if not text.isascii() and _CJK_GAP_RE.search(text) is not None:
        text, positions = _cut(text, _CJK_GAP_RE, positions)
    if _SPACE_RUN_RE.search(text) is not None:
        text, positions = _cut(text, _SPACE_RUN_RE, positions, keep=" ")
    return text, positions


def _cut(text: str, pattern: re.Pattern[str], positions: list[int] | None, keep: str = "") -> tuple[str, list[int]]:
    """``text`` without ``pattern``'s matches (each replaced by ``keep``, one character standing at the match's
    first position, when given), and each kept character's position (through ``positions``)."""
    kept: list[int] = []
    parts: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        parts.append(text[pos : m.start()] + keep)
        kept.extend(range(pos, m.start() + len(keep)))
        pos = m.end()
    parts.append(text[pos:])
    kept.extend(range(pos, len(text)))
    return "".join(parts), kept if positions is None else [positions[i] for i in kept]


#: sentence boundaries used to cut context windows (after :func:`halfwidth`)
SENTENCE_END = "。!?\n;"
#: what joins independent texts analysed in one call (a batch of records, a table's cells, a value's pieces): two
#: blank lines, so neither a recognizer nor a context window reads one text with its neighbour (review 14: the line
#: before a newline is read as the question of a value that starts the next line, across one blank line too, as a
#: transcript lays out its turns: curate/pii/context.py)
JOIN = "\n\n\n"


def is_han(ch: str) -> bool:
    """True for CJK unified ideographs (basic block, extension A and the astral extensions).

    >>> is_han("王"), is_han("A"), is_han("𠀋")
    (True, False, True)
    """
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x323AF or 0xF900 <= o <= 0xFAFF
