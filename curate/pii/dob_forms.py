"""Forms of a date of birth the Han and ISO patterns of :data:`curate.pii.recognizers.DOB_PATTERN` miss (review 15).

English and bilingual forms write the day before the year (``DOB: 07/11/1968``, ``14-03-1982``) or the month in
words (``March 14, 1982``, ``12 June 1990``, ``3rd Aug. 1975``), and a Taiwanese customer asked for a birth date
often answers with the seven digits of the ROC date as forms print it (``0720315``: 民國72年3月15日). Each went
through in clear after ``What is your date of birth?`` or ``DOB:``. They are dates of birth only where the
recognizer's context says so (a birth word before them, or the question before an answer's line), as every other
form: ``客服：請問交易日期？⏎客戶：1130305`` stays a date.
"""

from __future__ import annotations

import datetime as _dt
import re

from curate.pii.validators import roc_date

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}(?![0-9])"
#: the extra alternatives, appended to the recognizer's pattern
DOB_EXTRA = (
    # day and month before a four-digit year: 07/11/1968, 14-03-1982, 5.6.1977
    r"|(?<![0-9./-])\d{1,2}[-/.]\d{1,2}[-/.]"
    + _YEAR
    # the month in words: March 14, 1982; Mar. 14 1982; 12 June 1990; 3rd Aug. 1975
    + rf"|(?<![A-Za-z]){_MONTH} {_DAY},? {_YEAR}"
    + rf"|(?<![0-9]){_DAY} {_MONTH},? {_YEAR}"
    # seven digits of an ROC date, YYYMMDD (year 001-119): 0720315
    + r"|(?<![0-9])(?:0\d{2}|1[01]\d)(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?![0-9])"
)


_DAY_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")

#: a form's birth label right before the date, longer than the recognizer's 10-character window holds: ``Birth
#: date:``, ``D.O.B.:``, or a label with the date's format between it and the value (``(dd/mm/yyyy)``, ``(YYYMMDD)``,
#: in square brackets too, ``[dd/mm/yyyy]``, or a note ``(as shown on ID card)``), a required field's ``*`` after either
_BIRTH_LABEL = re.compile(
    r"(?:(?<![A-Za-z])(?:birth[ -]?date|date of birth|d\.o\.b\.?|dob|birthday)|出生(?:年月)?日期?|(?<![發发產产衍慶庆往])生日)\s*\*?"
    r"\s*(?:[(（\[［][^()（）\[\]［］\n]{1,24}[)）\]］]\s*\*?\s*)?[:：]?\s*$",
    re.IGNORECASE,
)


def birth_date_label(text: str, start: int) -> bool:
    """Whether a birth label (a format hint after it or not) is written right before ``text[start:]``: the
    recognizer looks for a birth word in the 10 characters before a date, and ``Birth date: `` is 12, ``Date of Birth
    (dd/mm/yyyy): `` 28, so such values went through in clear (last review of review 15).

    >>> birth_date_label("Birth date: 14-03-1982", 12), birth_date_label("D.O.B.: 14/03/1982", 8)
    (True, True)
    >>> birth_date_label("Date of Birth (dd/mm/yyyy): 14/03/1982", 28), birth_date_label("出生日期（YYYMMDD）：0720315", 14)
    (True, True)
    >>> birth_date_label("Date of Birth (DD/MM/YYYY)*: 14/03/1982", 29), birth_date_label("DOB [dd/mm/yyyy]: 1", 18)
    (True, True)
    >>> birth_date_label("生日\\n民國80年1月5日", 3), birth_date_label("員工慶生日\\n2023/05/01", 6)
    (True, False)
    >>> birth_date_label("Birth date of the fund: 2020-01-01", 24), birth_date_label("Adob (x): 1", 10)
    (False, False)
    """
    return _BIRTH_LABEL.search(text, max(0, start - 48), start) is not None


def impossible(value: str) -> bool:
    """Whether a matched date of one of these forms names no day of the calendar (出生日期：1130231, 31/31/1980):
    seven ROC digits are read as YYYMMDD, a day-and-month form either way round.

    >>> [impossible(v) for v in ("0720315", "1130231", "07/11/1968", "31/31/1980", "March 14, 1982")]
    [False, True, False, True, False]
    """
    if len(value) == 7 and value.isdigit():
        return roc_date(int(value[:3]), int(value[3:5]), int(value[5:])) is None
    m = _DAY_FIRST.fullmatch(value)
    if m is None:
        return False
    a, b, y = (int(g) for g in m.groups())
    return not any(_exists(y, mo, d) for mo, d in ((a, b), (b, a)))


def _exists(year: int, month: int, day: int) -> bool:
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True
