"""Dates as written in Taiwanese data (ROC or western years, with or without zero padding) as ISO dates.

A version's ``as_of`` is compared as text by the ingest driver (an older snapshot never replaces a newer one), so
it must be an ISO date: ``113/10/1`` sorted before ``113/2/1`` as written (review 6, 3b).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

__all__ = ["FIRST_YEAR", "ImpossibleDate", "calendar_day", "iso_date", "leading_date"]

#: the first year a date of this corpus can name: the ROC calendar's first (1912). Laws, FSC cases, datasets and
#: courses are all later; an earlier year is a misread (a feed's year ``-5`` read by ``email.utils`` as 800)
FIRST_YEAR = 1912


class ImpossibleDate(ValueError):
    """A date as written that does not exist (114/02/30, 2025-13-01) or lies before :data:`FIRST_YEAR`: the input
    needs fixing."""


def calendar_day(year: int, month: int, day: int, written: str) -> str:
    """``YYYY-MM-DD`` of a day of the calendar no earlier than :data:`FIRST_YEAR`; :class:`ImpossibleDate` naming
    ``written`` (the date as written) otherwise. The one day check of every date parser of the sources."""
    try:
        iso = dt.date(year, month, day).isoformat()
    except (ValueError, OverflowError) as exc:  # 2 月 30 日, month 13, a year past the machine's integers
        raise ImpossibleDate(f"`{written}` is not a date ({exc})") from None
    if year < FIRST_YEAR:
        raise ImpossibleDate(f"`{written}` is not a date of this corpus (year {year}, before {FIRST_YEAR})")
    return iso


_SEP = r"\s*[-/.年]\s*"
_WESTERN = re.compile(rf"^(?P<y>\d{{4}}){_SEP}(?P<m>\d{{1,2}})\s*[-/.月]\s*(?P<d>\d{{1,2}})(?!\d)")
_ROC = re.compile(rf"^(?:中華)?(?:民國)?\s*(?P<y>\d{{2,3}}){_SEP}(?P<m>\d{{1,2}})\s*[-/.月]\s*(?P<d>\d{{1,2}})(?!\d)")
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
#: ROC ``YYYMMDD`` (``1130201``), the usual form in government open data; six digits (``990201``) are not read:
#: ROC ``YYMMDD`` and western ``YYMMDD`` look alike
_ROC_COMPACT = re.compile(r"^(?P<y>\d{3})(?P<m>\d{2})(?P<d>\d{2})$")


def iso_date(value: Any) -> str | None:
    """``YYYY-MM-DD`` of a date as written (a ``datetime``/``date``, ISO with a time, ``2024/2/1``, ``2024年2月1日``,
    ``20240201``, ROC ``113/2/1``, ``1130201``, ``民國113年2月1日``), or None when it is none of these or no real day.

    >>> [iso_date(v) for v in ("113/10/1", "113/2/1", "2024/2/1", "2024-02-01T10:00:00+08:00", "中華民國99年1月5日")]
    ['2024-10-01', '2024-02-01', '2024-02-01', '2024-02-01', '2010-01-05']
    >>> iso_date("20240201"), iso_date("113/02/30"), iso_date("下週"), iso_date(None), iso_date(20240201)
    ('2024-02-01', None, None, None, None)
    >>> iso_date("1130201"), iso_date("1131001"), iso_date("0990105"), iso_date("1130230"), iso_date("990201")
    ('2024-02-01', '2024-10-01', '2010-01-05', None, None)
    >>> iso_date("0800-09-25"), iso_date("1911/12/31"), iso_date("01/1/1")
    (None, None, '1912-01-01')
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        return None  # a number is no date (20240201 and 1706745600 read alike)
    lead = leading_date(value)
    return None if lead is None else lead[0]


def leading_date(text: str) -> tuple[str, str] | None:
    """The ISO day a text starts with (as :func:`iso_date` reads it) and the text after it (a 日 that closes the
    date, ``2024年5月1日``, is part of it), or None. A version's ``113.05.01 第3版`` is the day and ``第3版``: read whole
    by :func:`iso_date`, it was the day alone and tied with ``113.05.01 第2版``.

    >>> leading_date("113.05.01 第3版"), leading_date("民國113年5月1日修正"), leading_date("1130501"), leading_date("第3版")
    (('2024-05-01', ' 第3版'), ('2024-05-01', '修正'), ('2024-05-01', ''), None)
    """
    text = text.strip()
    offset = 0
    m = _WESTERN.match(text) or _COMPACT.match(text)
    if m is None:
        m, offset = _ROC.match(text) or _ROC_COMPACT.match(text), 1911
    if m is None:
        return None
    try:
        day = calendar_day(int(m["y"]) + offset, int(m["m"]), int(m["d"]), m.group(0))
    except ImpossibleDate:
        return None
    return day, re.sub(r"^\s*日", "", text[m.end() :])
