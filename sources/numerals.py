"""Han numerals (一, 十二, 一一三, 一千二百) as the one table the readers of numbers share.

Read by :mod:`sources.fsc_parse` (fines: 一千二百萬) and :mod:`curate.dedup.survivor` (editions and ROC years:
第十二版, 民國一一三年); two copies of the table drifted apart once a character was added to one of them.
"""

from __future__ import annotations

__all__ = ["HAN_DIGITS", "HAN_UNITS", "han_to_digits", "han_to_int"]

#: a Han digit's value (〇 and 零 are zero, 兩 is two)
HAN_DIGITS: dict[str, int] = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
#: the units below 萬 (萬 and 億 are read by the amount parser, which splits on them)
HAN_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}


def han_to_digits(s: str) -> str:
    """A run of Han digits and units as decimal digits: 十二 and 一百零五 by their units, 一一三 (an ROC year) digit by
    digit, kept as text (a run of a hostile version's 5,000 一 is no :class:`int`: Python refuses to convert one of
    more than 4,300 digits, and ``curate dedup`` stopped with a traceback).

    >>> han_to_digits("一一三"), han_to_digits("〇九"), len(han_to_digits("一" * 5000))
    ('113', '09', 5000)
    """
    if not any(c in HAN_UNITS for c in s):
        return "".join(str(HAN_DIGITS[c]) for c in s)
    total = digit = 0
    for c in s:
        if c in HAN_UNITS:
            total += (digit or 1) * HAN_UNITS[c]
            digit = 0
        else:
            digit = HAN_DIGITS[c]
    return str(total + digit)


def han_to_int(s: str) -> int:
    """A run of Han digits and units as a number (:func:`han_to_digits`).

    >>> han_to_int("十二"), han_to_int("一百零五"), han_to_int("一一三"), han_to_int("兩千"), han_to_int("十")
    (12, 105, 113, 2000, 10)
    """
    return int(han_to_digits(s))
