"""Han names a line break cuts in two (review 16): a scanned form's ``姓名：郭`` on one line and ``怡伶`` on the next,
a contract's ``立約人 曾`` / ``淑芬 簽章`` wrapped by an OCR engine's or a PDF's line length.

No recognizer reads across a line break (a new line ends a name and every context window), so the surname was left
alone on its line and the given name on the next: neither half is a name, and the person's name went through in
clear, although a reader joins the two at sight. As :mod:`curate.pii.line_breaks` does for digits: where a Han
character ends a line, a surname stands among its last three characters, and a Han character opens the next line,
the two lines are read joined and a PERSON found there that runs across the break is kept, its span covering the
break. The name rules judge the joined lines as any text (a name slot, a label, a role word), so a line that merely
ends with a surname's character (``依規定辦理林`` / ``口分行``) gives nothing a reader would not see as a name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from curate.pii.line_breaks import spans_by_piece, two_lines
from curate.pii.span import Span
from curate.pii.text import JOIN

#: a line break between Han characters (spaces around it read past): LF, CR LF or a lone CR (an old Mac or OCR
#: export's; hygiene makes it a LF, but `curate pii scrub` and `pii scan` read text as it is), as line_breaks.py reads
BREAK = re.compile(r"(?<=[\u4e00-\u9fff])[ \u3000]*(?:\r\n?|\n)[ \u3000]*(?=[\u4e00-\u9fff])")
#: how far along each line from the break the two lines are read (a label and its context words fit)
REACH = 40


@lru_cache(maxsize=1)
def _surname_chars() -> frozenset[str]:
    from curate.pii.names import surname_first_chars

    return frozenset(surname_first_chars())


def _han_name_length(name: str) -> bool:
    """Whether a Han name read across a break has a Han name's length: a surname and one or two given characters
    (a compound surname, 歐陽 or 張簡, or a married name's two surnames, 陳林, one more). A value that runs on past
    that is a whole name on the first line joined to the next line's first word (``戶名：林子豪`` / ``通報單位：``
    read ``林子豪通報``), and the name on its own line is found there without the join.

    >>> _han_name_length("郭怡伶"), _han_name_length("歐陽志明"), _han_name_length("林子豪通報"), _han_name_length("林子豪通")
    (True, True, False, False)
    """
    from curate.pii.names import _tables

    if not all("\u4e00" <= c <= "\u9fff" for c in name):
        return True  # a Latin or spaced name: its own rules judged it
    singles, compounds = _tables()[0], _tables()[1]
    two_surnames = name.startswith(compounds) or (name[:1] in singles and name[1:2] in singles)
    return len(name) <= (4 if two_surnames else 3)


def rejoined_names(text: str, analyze: Callable[[str], list[Span]]) -> list[Span]:
    """PERSON spans of names cut by a line break in ``text``, each found by ``analyze`` in its two lines joined, in
    ``text``'s offsets (a span covers the break); the joined pieces are read in one call.

    >>> def names(s):
    ...     return [Span(m.start(), m.end(), "PERSON", 1.0, "") for m in re.finditer("郭怡伶", s)]
    >>> t = "姓名：郭\\n怡伶 性別：女\\n郭怡伶"
    >>> [t[s.start : s.end] for s in rejoined_names(t, names)]
    ['郭\\n怡伶']
    """
    surnames = _surname_chars()
    pieces: list[tuple[int, int, int, int, int]] = []  # (offset in the joined text, its end, lo, cut, shift)
    parts: list[str] = []
    size = 0
    for m in BREAK.finditer(text):
        if not any(c in surnames for c in text[max(0, m.start() - 3) : m.start()]):
            continue
        lo, hi = two_lines(text, m.start(), m.end(), REACH)
        piece = text[lo : m.start()] + text[m.end() : hi]
        pieces.append((size, size + len(piece), lo, m.start() - lo, len(m.group())))
        parts.append(piece)
        size += len(piece) + len(JOIN)
    if not pieces:
        return []
    out: list[Span] = []
    for s, (off, end, lo, cut, shift) in spans_by_piece(analyze(JOIN.join(parts)), pieces):
        start, stop = s.start - off, s.end - off
        if s.entity_type != "PERSON" or s.end > end or not start < cut < stop:
            continue  # not a name, or not across the break
        if not _han_name_length(JOIN.join(parts)[s.start : s.end]):
            continue  # a whole name ending its line and the next line's label (戶名：林子豪 / 通報單位：)
        out.append(Span(lo + start, lo + stop + shift, s.entity_type, s.score, s.source))
    return out
