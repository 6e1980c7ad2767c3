"""Values a line break cuts in two: ``手機0912-345`` on one line and ``-678`` on the next, an ID wrapped as
``A12345`` / ``6789`` by a PDF's or an e-mail client's line length.

Hygiene keeps line breaks, and no recognizer reads across one (a new line ends every context window), so such a
value was let through although a reader joins it at sight. Where a digit ends a line and a digit (or a ``-`` and a
digit) opens the next, the two lines are read joined, and a value found there that runs across the break is kept;
the recognizers judge it as in any text (a checksum, a prefix and a context word), so two numbers of a table's
rows, each on its own line, stay two: joined they are no valid value. A value on one line is found as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from curate.pii.span import Span

#: a line break (spaces around it read past) with a digit, or a digit and `-`, before it and a digit after
BREAK = re.compile(r"(?<=\d)-?[ ]*\n[ ]*(?=-?\d)")


def rejoined_spans(text: str, analyze: Callable[[str], list[Span]]) -> list[Span]:
    """Spans of values cut by a line break in ``text``, each found by ``analyze`` in its two lines joined, in
    ``text``'s offsets (a span covers the break).

    >>> def phones(s):
    ...     return [Span(m.start(), m.end(), "TW_PHONE", 1.0, "") for m in re.finditer(r"09\\d\\d-\\d{3}-\\d{3}", s)]
    >>> t = "手機0912-345\\n-678\\n0922-111-222"
    >>> [(t[s.start : s.end], s.entity_type) for s in rejoined_spans(t, phones)]
    [('0912-345\\n-678', 'TW_PHONE')]
    """
    out: list[Span] = []
    for m in BREAK.finditer(text):
        lo = text.rfind("\n", 0, m.start()) + 1
        hi = text.find("\n", m.end())
        hi = len(text) if hi < 0 else hi
        gap = m.group()
        keep = "-" if "-" in gap else ""
        joined = text[lo : m.start()] + keep + text[m.end() : hi]
        cut = m.start() - lo  # the joined text's offset of the first character after the break (or of the `-`)
        shift = len(gap) - len(keep)
        for s in analyze(joined):
            if s.start < cut + len(keep) and s.end > cut:
                start = lo + s.start if s.start <= cut else lo + s.start + shift
                end = lo + s.end + shift if s.end > cut + len(keep) else lo + s.end
                out.append(Span(start, end, s.entity_type, s.score, s.source))
    return out
