"""Checksum and shape validators for Taiwanese identifiers (pure functions, no I/O).

The algorithms follow ``docs/domain-pii-zh.md`` section 2. All functions accept
half-width ASCII; callers normalise full-width input first (:func:`curate.pii.text.halfwidth`).
"""

from __future__ import annotations

import datetime as _dt
import re

#: area letter -> two-digit code (note I, O, W, X, Y, Z out of alphabetical order)
AREA: dict[str, int] = {
    "A": 10,
    "B": 11,
    "C": 12,
    "D": 13,
    "E": 14,
    "F": 15,
    "G": 16,
    "H": 17,
    "J": 18,
    "K": 19,
    "L": 20,
    "M": 21,
    "N": 22,
    "P": 23,
    "Q": 24,
    "R": 25,
    "S": 26,
    "T": 27,
    "U": 28,
    "V": 29,
    "X": 30,
    "Y": 31,
    "W": 32,
    "Z": 33,
    "I": 34,
    "O": 35,
}
_ID_WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
_ID_SHAPE = re.compile(r"^[A-Z][12389ABCD]\d{8}$")


def _id_checksum(s: str) -> bool:
    a = AREA[s[0]]
    d2 = int(s[1]) if s[1].isdigit() else AREA[s[1]] % 10
    digits = [a // 10, a % 10, d2, *(int(c) for c in s[2:])]
    return sum(d * w for d, w in zip(digits, _ID_WEIGHTS)) % 10 == 0


def id_kind(value: str) -> str | None:
    """Classify a checksum-valid ID: ``"national"``, ``"arc_new"``, ``"arc_old"`` or None.

    >>> id_kind("A123456789"), id_kind("A800000014"), id_kind("AA00000009"), id_kind("A123456788")
    ('national', 'arc_new', 'arc_old', None)
    """
    s = value.upper()
    if not _ID_SHAPE.match(s) or not _id_checksum(s):
        return None
    if s[1] in "12":
        return "national"
    return "arc_new" if s[1] in "89" else "arc_old"


def validate_tw_id(value: str) -> bool:
    """National ID (身分證字號) ``[A-Z][12]\\d{8}`` with checksum.

    >>> validate_tw_id("A123456789"), validate_tw_id("a123456789"), validate_tw_id("A123456788")
    (True, True, False)
    >>> validate_tw_id("A323456789")
    False
    """
    return id_kind(value) == "national"


def validate_arc(value: str) -> bool:
    """Resident certificate (ARC / 統一證號), new ``[A-Z][89]`` or old ``[A-Z][A-D]`` format.

    >>> validate_arc("A800000014"), validate_arc("AB12345677"), validate_arc("AE23456785")
    (True, True, False)
    """
    return id_kind(value) in ("arc_new", "arc_old")


_UBN_W = (1, 2, 1, 2, 1, 2, 4, 1)


def validate_ubn(value: str, divisor: int = 5) -> bool:
    """Unified business number (統一編號), 2023 rule ÷5 by default (÷10 for the old rule).

    >>> validate_ubn("22099131"), validate_ubn("12345675"), validate_ubn("10000004")
    (True, True, True)
    >>> validate_ubn("10000004", divisor=10), validate_ubn("12345678")
    (False, False)
    """
    if not re.fullmatch(r"\d{8}", value):
        return False
    total = 0
    for ch, w in zip(value, _UBN_W):
        p = int(ch) * w
        total += p // 10 + p % 10
    return total % divisor == 0 or (value[6] == "7" and (total + 1) % divisor == 0)


def luhn(value: str) -> bool:
    """Luhn checksum over the digits of ``value`` (separators ignored).

    >>> luhn("4111111111111111"), luhn("4111 1111 1111 1112"), luhn("378282246310005")
    (True, False, True)
    """
    digits = [int(c) for c in value if c.isdigit()]
    if len(digits) < 2:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_PREFIXES = ("0826", "0836", "037", "049", "082", "089", "09", "02", "03", "04", "05", "06", "07", "08")
_TOTAL = {"09": (10,), "02": (10,), "04": (9, 10), "049": (10,)}
_EXT_SPLIT = re.compile(r"(?:#|分機|转|轉|ext\.?|x)", re.IGNORECASE)


def classify_phone(value: str) -> str | None:
    """``"MOBILE"``, ``"LANDLINE"`` or None (not a valid personal Taiwanese number).

    Toll-free business numbers (0800/0809) return None.

    >>> classify_phone("0912-345-678"), classify_phone("+886 (0)2 2345 6789"), classify_phone("(037)123-456")
    ('MOBILE', 'LANDLINE', 'LANDLINE')
    >>> classify_phone("02-2345-6789 分機 123"), classify_phone("0800-123-456"), classify_phone("09123456789")
    ('LANDLINE', None, None)
    """
    main = _EXT_SPLIT.split(value, maxsplit=1)[0]
    d = "".join(c for c in main if c.isdigit())
    if d.startswith("886"):
        d = "0" + d[3:].lstrip("0")
    if d.startswith(("0800", "0809")):
        return None
    prefix = next((p for p in _PREFIXES if d.startswith(p)), None)
    if prefix is None:
        return None
    if len(d) not in _TOTAL.get(prefix, (9,)):
        return None
    return "MOBILE" if prefix == "09" else "LANDLINE"


_MRZ_VALUES = {**{str(i): i for i in range(10)}, **{chr(65 + i): 10 + i for i in range(26)}, "<": 0}


def mrz_check_digit(field: str) -> int:
    """ICAO 9303 check digit (weights 7, 3, 1).

    >>> mrz_check_digit("L898902C<"), mrz_check_digit("312345678")
    (3, 5)
    """
    return sum(_MRZ_VALUES[c] * (7, 3, 1)[i % 3] for i, c in enumerate(field.upper())) % 10


def roc_date(year: int, month: int, day: int) -> _dt.date | None:
    """ROC calendar date -> Gregorian date, or None if it does not exist.

    >>> roc_date(85, 3, 5), roc_date(89, 2, 29), roc_date(90, 2, 29)
    (datetime.date(1996, 3, 5), datetime.date(2000, 2, 29), None)
    """
    try:
        return _dt.date(year + 1911, month, day)
    except ValueError:
        return None
