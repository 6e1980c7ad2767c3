"""Values a line break cuts in two: ``手機0912-345`` on one line and ``-678`` on the next, an ID wrapped as
``A12345`` / ``6789`` by a PDF's or an e-mail client's line length.

Hygiene keeps line breaks, and no recognizer reads across one (a new line ends every context window), so such a
value was let through although a reader joins it at sight. Where a digit ends a line and a digit (or a ``-`` and a
digit) opens the next, the two lines are read joined, and a value found there that runs across the break is kept;
the recognizers judge it as in any text (a checksum, a prefix and a context word), so two numbers of a table's
rows, each on its own line, stay two: joined they are no valid value. The value must also hold the whole number that
ends the line before the break (its digits and their separators): the tail of a cell read with the next row's first
cell is none (a date ``106/02/07`` over ``1189113`` is no landline ``07 1189113``, a rate ``4.04`` over ``5361894``
none ``04 5361894``). A value on one line is found as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from curate.pii.span import Span
from curate.pii.text import JOIN

#: a piece: (offset in the joined text, its end, …)
P = TypeVar("P", bound=tuple)

#: a line break (spaces around it read past) with a digit, or a digit and `-`, before it and a digit after; also a
#: Windows one (CR LF) or a lone CR, which hygiene makes a LF: a file exported on Windows wraps values so as often
BREAK = re.compile(r"(?<=\d)-?[ ]*(?:\r\n?|\n)[ ]*(?=-?\d)")
_EOL = re.compile(r"[\r\n]")
#: how far along each line from the break the two lines are read: a value, its label and its context words fit, and
#: a text of long lines (a table dumped one row a line) is not read twice whole
REACH = 120
#: the digits (grouped by a space, a dot, a slash or `-`) that end the line before the break and open the next: a
#: value cut in two has 7 to 19 of them (an ID's 9, a phone's 9 or 10, an account's up to 16, a card's up to 19)
_RUN_CHARS = frozenset("0123456789 ./\u2027-")
_RUN_AFTER = re.compile(r"[0-9 ./\u2027-]*")


def two_lines(text: str, start: int, end: int, reach: int) -> tuple[int, int]:
    """The bounds of the two lines a break at ``text[start:end]`` parts, each read at most ``reach`` characters from
    the break (a line ends at LF, CR LF or a lone CR): what this module and :mod:`curate.pii.name_breaks` read joined.

    >>> t = "a\\r\\nbc 12\\n34 de\\rf"
    >>> lo, hi = two_lines(t, 8, 9, 40)
    >>> t[lo:8], t[9:hi]
    ('bc 12', '34 de')
    """
    back = max(0, start - reach)
    lo = max(back, text.rfind("\n", back, start) + 1, text.rfind("\r", back, start) + 1)
    eol = _EOL.search(text, end, end + reach)
    return lo, eol.start() if eol else min(len(text), end + reach)


def spans_by_piece(spans: list[Span], pieces: Sequence[P]) -> Iterator[tuple[Span, P]]:
    """Each of ``spans`` (found in the joined pieces) with the piece it starts in, in order: ``pieces`` are tuples
    whose first two items are a piece's offset and end in the joined text, in order; a span past the last is left.

    >>> found = [Span(7, 9, "X", 1.0, ""), Span(1, 2, "X", 1.0, ""), Span(12, 13, "X", 1.0, "")]
    >>> [(s.start, p) for s, p in spans_by_piece(found, [(0, 3), (5, 10)])]
    [(1, (0, 3)), (7, (5, 10))]
    """
    k = 0
    for s in sorted(spans, key=lambda s: s.start):
        while k < len(pieces) and s.start >= pieces[k][1]:
            k += 1
        if k == len(pieces):
            return
        yield s, pieces[k]


def rejoined_spans(text: str, analyze: Callable[[str], list[Span]]) -> list[Span]:
    """Spans of values cut by a line break in ``text``, each found by ``analyze`` in its two lines joined, in
    ``text``'s offsets (a span covers the break). The joined pieces are read in one call, one piece a line (no
    recognizer reads across a new line), so a table of many rows costs one call, not one a row.

    >>> def phones(s):
    ...     return [Span(m.start(), m.end(), "TW_PHONE", 1.0, "") for m in re.finditer(r"09\\d\\d-\\d{3}-\\d{3}", s)]
    >>> t = "手機0912-345\\n-678\\n0922-111-222"
    >>> [(t[s.start : s.end], s.entity_type) for s in rejoined_spans(t, phones)]
    [('0912-345\\n-678', 'TW_PHONE')]
    """
    # (offset in the joined text, its end, lo, cut, shift, the piece's offset of the first digit of the number
    # that ends the line before the break)
    pieces: list[tuple[int, int, int, int, int, int]] = []
    parts: list[str] = []
    size = 0
    for m in BREAK.finditer(text):
        back = m.start()
        while back > max(0, m.start() - REACH) and text[back - 1] in _RUN_CHARS:
            back -= 1  # (a regex ending in $ would be tried from every position before the break)
        run = text[back : m.start()] + _RUN_AFTER.match(text, m.end(), m.end() + REACH).group()
        if not 7 <= len(run) - sum(run.count(c) for c in " ./\u2027-") <= 19:
            continue  # no value's length across the break: a table's rows of numbers, a year and a day
        lo, hi = two_lines(text, m.start(), m.end(), REACH)
        keep = "-" if "-" in m.group() else ""
        piece = text[lo : m.start()] + keep + text[m.end() : hi]
        # the piece's offset of the first character after the break (of the kept `-`), and how far the text
        # after the break moved
        cut = m.start() - lo + len(keep)
        while not text[back].isdigit():
            back += 1  # (the run's separators before its first digit: `手機 0912`)
        pieces.append((size, size + len(piece), lo, cut, len(m.group()) - len(keep), back - lo))
        parts.append(piece)
        size += len(piece) + len(JOIN)
    if not pieces:
        return []
    out: list[Span] = []
    for s, (off, end, lo, cut, shift, first) in spans_by_piece(analyze(JOIN.join(parts)), pieces):
        start, stop = s.start - off, s.end - off
        if s.end > end or not start < cut < stop or start > first:
            continue  # not across the break, or a value that starts inside the number before it
        out.append(
            Span(
                lo + start + (shift if start >= cut else 0),
                lo + stop + (shift if stop > cut else 0),
                s.entity_type,
                s.score,
                s.source,
            )
        )
    return out
