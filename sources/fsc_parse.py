"""Values in FSC case texts: provisions cited, dates (ROC or Gregorian), fines in NT$.

Used by :mod:`sources.fsc` (which re-exports them).
"""

from __future__ import annotations

import re
from decimal import Decimal
from email.utils import parsedate_tz

from sources.dates import ImpossibleDate, calendar_day
from sources.numerals import HAN_DIGITS, HAN_UNITS

__all__ = ["ImpossibleDate", "cited_provisions", "parse_amount", "parse_date", "parse_fines", "read_date"]

_LAW_CITE = re.compile(
    r"(?P<name>[\u4e00-\u9fff]{1,24}?(?:法|條例|辦法|規則|準則|要點|標準))"
    r"(?P<art>第\s*[\d一二三四五六七八九十百零]+\s*條(?:之\s*[\d一二三四五六七八九十]+)?"
    r"(?:第\s*[\d一二三四五六七八九十]+\s*項)?(?:第\s*[\d一二三四五六七八九十]+\s*款)?)"
)
_CITE_LEAD = re.compile(r"^.*(?:違反|依據|依照|依|按照|按|核有|爰|並|暨|，|。)")


def cited_provisions(text: str) -> list[str]:
    """Provisions cited in ``text`` (``同法`` resolved to the previous law), in order, unique.

    >>> cited_provisions("核有違反銀行法第45條之1第1項規定，依同法第129條第7款核處")
    ['銀行法第45條之1第1項', '銀行法第129條第7款']
    """
    out: list[str] = []
    last_law: str | None = None
    for m in _LAW_CITE.finditer(text):
        name = _CITE_LEAD.sub("", m.group("name"))
        if name in ("同法", "本法") and last_law:
            name = last_law
        elif len(name) < 2:
            continue
        last_law = name
        cite = re.sub(r"\s", "", name + m.group("art"))
        if cite not in out:
            out.append(cite)
    return out


def parse_date(text: str | None) -> str | None:
    """ISO date from ROC (中華民國114年9月25日, 114/09/25), Gregorian or RFC 822 dates; None if there is none or it
    does not exist (:func:`read_date` tells the two apart).

    >>> parse_date("中華民國114年9月25日"), parse_date("114.9.5"), parse_date("Thu, 25 Sep 2025 10:00:00 +0800")
    ('2025-09-25', '2025-09-05', '2025-09-25')
    >>> parse_date("114/02/30") is None
    True
    """
    try:
        return read_date(text)
    except ImpossibleDate:
        return None


def read_date(text: str | None) -> str | None:
    """:func:`parse_date`, raising :class:`ImpossibleDate` for a date as written that does not exist."""
    if not text:
        return None
    t = text.strip()
    m = re.search(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", t)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = re.search(r"(\d{2,3})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})", t)
        if m:
            y, mo, d = int(m.group(1)) + 1911, int(m.group(2)), int(m.group(3))
        else:
            parts = parsedate_tz(t)  # RFC 822 (a feed's pubDate): the day as written, the zone aside
            if parts is None or parts[0] is None:
                return None
            y, mo, d = parts[:3]
    return calendar_day(y, mo, d, m.group(0) if m else t)


#: full-width digits and separators as ASCII (amounts are written either way)
_WIDE = str.maketrans("０１２３４５６７８９，．", "0123456789,.")
_NUM = r"(?:\d[\d,]*(?:\.\d+)?|[零〇一二兩三四五六七八九十百千]+)"
#: 新臺幣 then one or more number-and-unit groups (1億2,000萬, 一千二百萬, 3,000,000) then 元 (餘元: about)
_AMOUNT = re.compile(rf"新[臺台]幣\s*((?:{_NUM}\s*[億萬千百]?\s*)+?)\s*餘?\s*元")


def parse_amount(text: str) -> int | None:
    """NT$ of a written amount (without 新臺幣 and 元): 億, 萬, 千, 百 with ASCII, full-width or Chinese digits; None
    when it cannot be read whole (a wrong number would be worse than none).

    >>> parse_amount("1億2,000萬"), parse_amount("一億二千萬"), parse_amount("１，２００萬"), parse_amount("1.5億")
    (120000000, 120000000, 12000000, 150000000)
    >>> parse_amount("2萬1億") is None
    True
    """
    rest = re.sub(r"\s", "", text.translate(_WIDE))
    total = Decimal(0)
    try:
        for unit, factor in (("億", 10**8), ("萬", 10**4)):
            if unit in rest:
                head, rest = rest.split(unit, 1)
                total += _below_10000(head, required=True) * factor
        total += _below_10000(rest, required=False)
    except (ValueError, ArithmeticError):
        return None
    return int(total) if total == total.to_integral_value() and total > 0 else None


def _below_10000(text: str, *, required: bool) -> Decimal:
    """``1,200``, ``1.5``, ``2千5百``, ``一千二百``, ``十五``: the part of an amount before (or without) 億/萬."""
    if not text:
        if required:
            raise ValueError("a unit without a number")
        return Decimal(0)
    total = Decimal(0)
    for m in re.finditer(r"(\d[\d,]*(?:\.\d+)?|[零〇一二兩三四五六七八九]+)?([千百十]?)", text):
        number, unit = m.groups()
        if not number and not unit:
            continue
        if number and number[0].isdigit():
            value = Decimal(number.replace(",", ""))
        elif number:
            value = Decimal("".join(str(HAN_DIGITS[c]) for c in number))
        else:
            value = Decimal(1)  # 十五: one ten
        total += value * HAN_UNITS.get(unit, 1)
    if not re.fullmatch(r"(?:(?:\d[\d,]*(?:\.\d+)?|[零〇一二兩三四五六七八九]+)?[千百十]?)+", text):
        raise ValueError(f"not an amount: {text}")
    return total


def parse_fines(text: str | None) -> list[int]:
    """Amounts in NT$ of every ``新臺幣…元`` in ``text`` (one not read whole is left out).

    >>> parse_fines("核處新臺幣1億2,000萬元罰鍰，並處新臺幣60萬元")
    [120000000, 600000]
    """
    out = []
    for amount in _AMOUNT.findall((text or "").translate(_WIDE)):
        value = parse_amount(amount)
        if value is not None:
            out.append(value)
    return out
