"""A table exported from a spreadsheet (tab- or comma-separated, one row a line): a value stands under its column's
header, not after its label (``姓名\\t身分證字號\\t手機`` over ``劉冠宇\\tU117412465\\t0930112874``,
``Name,Passport No,Nationality`` over ``NGUYEN VAN HUNG,C4529381,Vietnam``). The rules read a value after its label
or with a context word near, so a name, an account or a passport number in such a table went through (review 13).

Lines with the same separator and the same number of cells (two or more) make a table; its first line is the header
when each cell of it is short and holds no digit. Each cell under a header that names personal data (:data:`_HEADER`: a field label,
a name head, a context word of a recognizer) is read as ``header：cell``, all such pieces in one call, one a line (no
rule reads across a new line); a value found in the cell is reported in the text's offsets. The recognizers judge it
as anywhere (checksums, lengths, a name's shape after its label), so a header only lends the cell its label.

A row's first cell names what the row is about: when that is an institution (``信義分行``, ``Cathay United Bank``:
:func:`_institution`) it is read before the label, ``信義分行地址：…``, as the rules read a branch's address or
landline in prose (an institution's stays; a mobile number is still a person's). A bare ``Name`` header is a
person's name only in a table about people, one with another column naming a person's data or a person's
particulars (``Name,Ticker,Price`` lists companies; ``Name\\tMobile`` and ``Name\\tDepartment`` list people).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from curate.pii.span import Span
from curate.pii.text import JOIN

#: header words naming a person's data (Chinese and English; compared in lower case)
_HEADER = re.compile(
    r"姓名|戶名|户名|名字|英文名|持卡人|借款人|保證人|申請人|客戶名稱|聯絡人|受款人|匯款人|"
    r"身分證|身份證|證號|統一證號|居留證|護照|帳號|账号|帳戶|卡號|手機|電話|传真|傳真|行動|聯絡|住址|地址|通訊處|"
    r"出生|生日|信箱|e-?mail|郵件|健保|"
    r"\bname\b|holder|passport|\bid\b|\bid no|account|a/c|acct|card|mobile|phone|\btel\b|address|birth|\bdob\b",
    re.IGNORECASE,
)
#: headers of a table about people, beside a bare ``Name`` header (:data:`_HEADER` too)
_PEOPLE = re.compile(
    r"職稱|部門|分機|性別|國籍|年齡|\btitle\b|position|department|\bdept\b|\bext\b|extension|gender|\bsex\b|"
    r"nationality|\bage\b",
    re.IGNORECASE,
)
#: a header naming a thing's name, a person's only in a table about people
_BARE_NAME = frozenset({"name", "names"})
#: Latin words of an institution's name (a row about a bank, a branch, a company)
_LATIN_INSTITUTION = frozenset(
    "bank branch co co. corp corp. corporation company inc inc. ltd ltd. limited insurance securities office".split()
)
#: past Latin and its punctuation: a Han institution runs into its label (信義分行地址), a Latin one takes a space
_LATIN_END = "\u2e7f"
#: at most this many characters in each header cell (a header names its column; a longer cell is text)
_MAX_HEADER = 24


def _cells(line: str, sep: str, start: int) -> list[tuple[int, int]]:
    """(start, end) of each cell's value in the text: spaces, a CSV field's quotes and a spreadsheet's text mark
    (``'0341…``) left out."""
    out, pos = [], 0
    for part in line.split(sep):
        a, b = pos, pos + len(part)
        while a < b and line[a] in " \u3000":
            a += 1
        while b > a and line[b - 1] in " \u3000\r":
            b -= 1
        if b - a >= 2 and line[a] == '"' and line[b - 1] == '"':
            a, b = a + 1, b - 1
        if a < b and line[a] == "'":
            a += 1
        out.append((start + a, start + b))
        pos += len(part) + 1
    return out


def _tables(text: str) -> list[list[list[tuple[int, int]]]]:
    """The tables of ``text``: lists of rows (two or more), each row its cells' (start, end)."""
    tables: list[list[list[tuple[int, int]]]] = []
    run: list[list[tuple[int, int]]] = []
    key: tuple[str, int] | None = None
    pos = 0
    for line in text.split("\n"):
        sep = "\t" if "\t" in line else "," if "," in line else ""
        cells = _cells(line, sep, pos) if sep else []
        k = (sep, len(cells)) if sep else None
        if k is not None and k == key:
            run.append(cells)
        else:
            if len(run) >= 2:
                tables.append(run)
            run, key = ([cells], k) if k is not None else ([], None)
        pos += len(line) + 1
    if len(run) >= 2:
        tables.append(run)
    return tables


def _institution(cell: str) -> bool:
    """Whether a row's first cell names an institution (its address and landline are no person's).

    >>> [_institution(c) for c in ("信義分行", "Cathay United Bank", "Taiwan Life Insurance Co., Ltd.", "王小明", "Mary Wang")]
    [True, True, True, False, False]
    """
    from curate.pii.orgs import ORG_ENDINGS

    words = cell.lower().replace(",", " ").split()
    return cell.endswith(ORG_ENDINGS) or any(w in _LATIN_INSTITUTION for w in words)


def _about_people(header: list[str], i: int) -> bool:
    """Whether column ``i``'s header names a person's data; a bare ``Name`` does so beside another such column."""
    if not _HEADER.search(header[i]):
        return False
    if header[i].strip().lower() not in _BARE_NAME:
        return True
    return any(_HEADER.search(h) or _PEOPLE.search(h) for j, h in enumerate(header) if j != i)


def column_spans(text: str, view: str, analyze: Callable[[str], list[Span]]) -> list[Span]:
    """Spans of the values of ``text``'s tables found under their headers, read in ``view`` (its detection view:
    same offsets), in ``text``'s offsets. A table's cells are split at ASCII commas and tabs of ``text`` itself: the
    view reads a full-width comma as one, and lines of prose with as many ``，`` are no table.

    >>> def ids(s):
    ...     return [Span(m.start(1), m.end(1), "X", 1.0, "") for m in re.finditer(r"身分證：([A-Z]\\d{9})", s)]
    >>> t = "姓名\\t身分證\\n王大明\\tA123456789"
    >>> [t[s.start : s.end] for s in column_spans(t, t, ids)]
    ['A123456789']
    """
    pieces = _pieces(text, view)
    if not pieces:
        return []
    joined, bounds, size = [], [], 0
    for piece, cell, at, _ in pieces:
        bounds.append((size + cell, size + len(piece), at))
        joined.append(piece)
        size += len(piece) + len(JOIN)
    out = []
    k = 0
    for sp in sorted(analyze(JOIN.join(joined))):
        while k < len(bounds) and sp.start >= bounds[k][1]:
            k += 1
        if k == len(bounds):
            break
        lo, hi, at = bounds[k]
        if lo <= sp.start and sp.end <= hi:
            out.append(Span(sp.start - lo + at, sp.end - lo + at, sp.entity_type, sp.score, sp.source))
    return out


def institution_cells(text: str, view: str) -> list[tuple[int, int]]:
    """(start, end) of the cells under a personal header in a row about an institution (``信義分行\\t…\\t(02)2345-6789``):
    there the reading under the header, after the institution's name, judges an address or a landline, not the
    reading of the whole text, which has no label before the cell.

    >>> t = "分行\\t電話\\n信義分行\\t(02)2345-6789"
    >>> [t[a:b] for a, b in institution_cells(t, t)]
    ['(02)2345-6789']
    """
    return [(at, at + len(piece) - cell) for piece, cell, at, inst in _pieces(text, view) if inst]


def _form_row(view: str, cells: list[tuple[int, int]]) -> bool:
    """Whether the first line of a table is a form's field, a label and its value (``姓名\\t鍾宜蓁``), not a header: the
    label rules find a value in a cell after the first (review 16: a form written one field a line, ``姓名\\t鍾宜蓁`` over
    ``職業\\t護理師``, was read as a table, and the label 職業 under the header 姓名 was scrubbed as a name).

    A name read after 姓名 counts only where it has a name's shape, a surname and a given name more typical of names
    than of text: the label rule reads any two characters after 姓名, and a real table's next column title (姓名 |
    科別, 姓名 | 專長, 姓名 | 班別) is no value; taken for one, the table's whole column of names went unread (review 16r).

    >>> t = "姓名\\t鍾宜蓁\\n職業\\t護理師"
    >>> _form_row(t, [(0, 2), (3, 6)]), _form_row("姓名\\t身分證字號\\t手機", [(0, 2), (3, 8), (9, 11)])
    (True, False)
    >>> _form_row("姓名\\t科別\\t分機", [(0, 2), (3, 5), (6, 8)]), _form_row("姓名\\t班別", [(0, 2), (3, 5)])
    (False, False)
    """
    from curate.pii.labels import labelled_spans

    line = view[cells[0][0] : cells[-1][1]]
    first_end = cells[0][1] - cells[0][0]
    return any(
        s >= first_end and (kind != "PERSON" or _name_shaped(line[s:e])) for s, e, kind, _ in labelled_spans(line)
    )


def _name_shaped(value: str) -> bool:
    """Whether a Han ``value`` reads as a name by itself (a surname, then a given name scoring above 0); a Latin one
    is taken as read."""
    from curate.pii.names import given_name_score, surname_first_chars

    if not ("\u4e00" <= value[:1] <= "\u9fff"):
        return True
    return value[0] in surname_first_chars() and given_name_score(value[1:]) > 0


def _pieces(text: str, view: str) -> list[tuple[str, int, int, bool]]:
    """(piece, where its cell starts in the piece, where in the text, whether read after an institution's name)."""
    pieces: list[tuple[str, int, int, bool]] = []
    for rows in _tables(text):
        header = [view[a:b] for a, b in rows[0]]
        if any(not h or len(h) > _MAX_HEADER or any(c.isdigit() for c in h) for h in header):
            continue  # a header names each column, briefly and without a number (prose with commas is none)
        if _form_row(view, rows[0]):
            continue  # a form of one field a line (姓名\t鍾宜蓁 over 職業\t護理師): labels and values, no header
        for i, h in enumerate(header):
            if not _about_people(header, i):
                continue
            for row in rows[1:]:
                a, b = row[i]
                first = view[row[0][0] : row[0][1]]
                inst = bool(i) and _institution(first)
                label = f"{first}{'' if first[-1:] > _LATIN_END else ' '}{h}" if inst else h
                if a < b:
                    pieces.append((f"{label}：{view[a:b]}", len(label) + 1, a, inst))
    return pieces
