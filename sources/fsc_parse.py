"""Values in FSC case texts: provisions cited, dates (ROC or Gregorian), fines in NT$.

Used by :mod:`sources.fsc` (which re-exports them).
"""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime

__all__ = ["cited_provisions", "parse_date", "parse_fines"]

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
    """ISO date from ROC (中華民國114年9月25日, 114/09/25), Gregorian or RFC 822 dates.

    >>> parse_date("中華民國114年9月25日"), parse_date("114.9.5"), parse_date("Thu, 25 Sep 2025 10:00:00 +0800")
    ('2025-09-25', '2025-09-05', '2025-09-25')
    """
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
            try:
                dt = parsedate_to_datetime(t)
            except (TypeError, ValueError, IndexError):
                return None
            return dt.date().isoformat()
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


_AMOUNT = re.compile(r"新[臺台]幣\s*([\d,，.]+)\s*(億|萬|千)?\s*(?:餘)?\s*元")


def parse_fines(text: str | None) -> list[int]:
    """Amounts in NT$ of every ``新臺幣…元`` in ``text``.

    >>> parse_fines("核處新臺幣1,200萬元罰鍰，另處新臺幣 60 萬元")
    [12000000, 600000]
    """
    out = []
    for num, unit in _AMOUNT.findall(text or ""):
        try:
            value = float(num.replace(",", "").replace("，", ""))
        except ValueError:
            continue
        out.append(int(round(value * {"億": 1e8, "萬": 1e4, "千": 1e3}.get(unit, 1))))
    return out
