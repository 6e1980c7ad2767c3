"""Partial masking (個資遮蔽) of detected personal data, in the Taiwanese convention, for reviewers.

A reviewer must see enough to judge a detection and never the full value:

* names 王○明 (first and last character kept; two characters 王○);
* national and resident IDs A12****789;
* phones 0912-***-678 (separators kept);
* bank accounts and cards: only the last 4 digits;
* e-mail: the initial plus the domain (w***@bank.com.tw);
* addresses: the city and district, the rest ○; dates of birth: the year.

:func:`mask` guarantees that at least one character and a quarter of the ASCII letters and digits are hidden
(otherwise every letter and digit is masked).
"""

from __future__ import annotations

import re

from curate.pii.text import halfwidth

HAN_MASK = "○"
CHAR_MASK = "*"
_ALNUM = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]")


def _fill(ch: str) -> str:
    return CHAR_MASK if ch.isascii() or _ALNUM.match(ch) else HAN_MASK


def _keep_positions(value: str, keep: set[int]) -> str:
    return "".join(c if i in keep or not (c.isalnum()) else _fill(c) for i, c in enumerate(value))


def _alnum_index(value: str) -> list[int]:
    return [i for i, c in enumerate(value) if c.isalnum()]


def _keep_ends(value: str, head: int, tail: int) -> str:
    """Keep the first ``head`` and last ``tail`` letters/digits, mask the others (separators kept)."""
    idx = _alnum_index(value)
    keep = set(idx[:head]) | (set(idx[len(idx) - tail :]) if tail else set())
    return _keep_positions(value, keep)


def mask_name(value: str) -> str:
    """Example:

    >>> mask_name("王小明"), mask_name("王明"), mask_name("歐陽小明")
    ('王○明', '王○', '歐○○明')
    """
    if len(value) <= 1:
        return HAN_MASK
    if len(value) == 2:
        return value[0] + HAN_MASK
    return value[0] + HAN_MASK * (len(value) - 2) + value[-1]


def mask_id(value: str) -> str:
    """Example:

    >>> mask_id("A123456789")
    'A12****789'
    """
    return _keep_ends(value, 3, 3)


def mask_phone(value: str) -> str:
    """Example:

    >>> mask_phone("0912-345-678"), mask_phone("0912345678"), mask_phone("(02)2345-6789")
    ('0912-***-678', '0912***678', '(02)23**-*789')
    """
    return _keep_ends(value, 4, 3)


def mask_last4(value: str) -> str:
    """Example:

    >>> mask_last4("012-3456-7890123"), mask_last4("4111 1111 1111 1111")
    ('***-****-***0123', '**** **** **** 1111')
    """
    return _keep_ends(value, 0, 4)


def mask_email(value: str) -> str:
    """Example:

    >>> mask_email("wang.xiaoming@bank.com.tw")
    'w***@bank.com.tw'
    """
    local, at, domain = value.partition("@")
    if not at:
        return _keep_ends(value, 1, 0)
    return (local[:1] + "***" if local else "***") + "@" + domain


_DISTRICT = re.compile(r"^.{1,4}?[縣市].{1,4}?[區鄉鎮市]")


def mask_address(value: str) -> str:
    """Example:

    >>> mask_address("臺北市信義區松仁路100號5樓")
    '臺北市信義區○○○***○*○'
    """
    m = _DISTRICT.match(value)
    head = m.end() if m else min(3, len(value) // 2)
    return value[:head] + "".join(_fill(c) if not c.isspace() else c for c in value[head:])


#: a date's digits, with the letters a scan's OCR reads for them (O for 0, I and l for 1), read on the half-width
#: view (:func:`curate.pii.text.halfwidth`, 1:1) as the recognizers read them: ``１９８１/04/16`` is one date
_DATE_DIGITS = re.compile(r"[\dOIl]+")


def mask_birth_date(value: str) -> str:
    """Example:

    >>> mask_birth_date("民國85年3月5日"), mask_birth_date("1996-03-05")
    ('民國85年*月*日', '1996-**-**')

    A scan's OCR letters read as digits (``O`` for 0, ``I`` and ``l`` for 1: :mod:`curate.pii.ocr_digits`) are
    digits here too: ``1981/O4/l6`` showed ``1981/O*/l*``, the month's and the day's first digit.

    >>> mask_birth_date("1981/O4/l6"), mask_birth_date("l98l.l2.O5")
    ('1981/**/**', 'l98l.**.**')

    Full-width digits and OCR letters are a date's too (the recognizers read the half-width view): ``１９８１/04/16``
    showed its month and ``１９８１年０４月１６日`` hid its year.

    >>> mask_birth_date("１９８１/04/16"), mask_birth_date("１９８１年０４月１６日"), mask_birth_date("１９８１/Ｏ４/ｌ６")
    ('１９８１/**/**', '１９８１年**月**日', '１９８１/**/**')
    """
    runs = list(_DATE_DIGITS.finditer(halfwidth(value)))
    if not runs:
        return _keep_ends(value, 1, 0)
    hidden = {i for m in runs[1:] for i in range(m.start(), m.end())}
    return "".join(CHAR_MASK if i in hidden else c for i, c in enumerate(value))


def mask_generic(value: str) -> str:
    """Example:

    >>> mask_generic("ABC1234"), mask_generic("X")
    ('A*****4', '*')
    """
    if len(value) <= 2:
        return _fill(value[0]) * len(value) if value else ""
    return value[0] + "".join(_fill(c) if c.isalnum() else c for c in value[1:-1]) + value[-1]


_BY_TYPE = {
    "PERSON": mask_name,
    "TW_NATIONAL_ID": mask_id,
    "TW_RESIDENT_ID": mask_id,
    "TW_PHONE": mask_phone,
    "TW_BANK_ACCOUNT": mask_last4,
    "CREDIT_CARD": mask_last4,
    "TW_NHI_CARD": mask_last4,
    "TW_PASSPORT": lambda v: _keep_ends(v, 0, 3),
    "EMAIL_ADDRESS": mask_email,
    "TW_ADDRESS": mask_address,
    "DATE_OF_BIRTH": mask_birth_date,
}


def _hidden_enough(value: str, masked: str) -> bool:
    """At least one character and a quarter of the ASCII letters and digits are hidden."""
    hidden = sum(1 for a, b in zip(value, masked, strict=False) if a != b)
    ascii_total = sum(1 for c in value if c.isascii() and c.isalnum())
    return len(masked) == len(value) and hidden >= 1 and hidden * 4 >= ascii_total


def mask(entity_type: str, value: str) -> str:
    """The partially masked form of a detected value shown to reviewers (never the full value).

    >>> mask("PERSON", "王小明"), mask("TW_NATIONAL_ID", "A123456789"), mask("TW_PHONE", "0912-345-678")
    ('王○明', 'A12****789', '0912-***-678')
    >>> mask("TW_BANK_ACCOUNT", "12345678901234"), mask("EMAIL_ADDRESS", "ab@x.com.tw")
    ('**********1234', 'a***@x.com.tw')
    """
    if not value:
        return HAN_MASK
    out = _BY_TYPE.get(entity_type, mask_generic)(value)
    if entity_type == "EMAIL_ADDRESS" and out != value:
        return out  # the domain is shown on purpose
    if not _hidden_enough(value, out):
        out = "".join(_fill(c) if c.isalnum() else c for c in value)
    return out


__all__ = ["mask"]
