"""Digits written with a single separator between groups or digits: ``0 9 1 2 3 4 5 6 7 8``, ``0912.345.678``,
``0912/345/678``, ``4111.1111.1111.1111``, ``F 1 3 1 1 0 4 0 9 3``, ``123-45-678901-2``.

The other recognizers read digits joined or grouped with ``-`` or one space in the shapes each type is written
in; a value spelt out digit by digit, or grouped with dots or slashes, was read by none of them. Such a run is
read as its digits alone and reported only where the digits are validated: a national ID or resident certificate
by its checksum with an ID word near (身分證 ...), a mobile number by its ``09`` prefix and length with a phone word
near (手機 ...: ``金管銀法字第0912.345.678號`` is a document number), a landline likewise (電話：02.2771.8888; an
institution's line, 本行電話, stays), a card by
its issuer prefix and Luhn with a card word near, an account right after an account label. Dates (2023.01.05),
versions (1.2.3.4), amounts (1.234.567) and article numbers pass none of these.
"""

from __future__ import annotations

import re

from curate.pii import validators as v
from curate.pii.recognizers import (
    CARD_CONTEXT,
    ID_CONTEXT,
    INSTITUTION_PHONE_WORDS,
    PERSONAL_PHONE_WORDS,
    PHONE_CONTEXT,
    Hit,
    RegexRecognizer,
    _iin_ok,
    _labelled_account,
    _near,
)

#: an optional ID letter, then two or more digit groups joined by one separator character, the same throughout
#: (``‧``, U+2027, is the dot of Big5 text: ``02‧2771‧8888``)
PATTERN = (
    r"(?<![0-9A-Za-z])(?<!\d[./\u2027-])(?P<letter>[A-Za-z][ ./\u2027-]?)?"
    r"\d+(?P<sep>[ ./\u2027-])\d+(?:(?P=sep)\d+)*(?![0-9A-Za-z]|[ ./\u2027-]\d)"
)
#: score of a validated value (above the detector's threshold: each type is checked with its own evidence)
SCORE = 0.8


def _validate(m: re.Match[str], text: str) -> Hit | None:
    letter = (m.group("letter") or "")[:1]
    if m.group("letter") and len(m.group("letter")) == 2 and m.group("letter")[1] != m.group("sep"):
        return None  # ...: one separator throughout
    digits = re.sub(r"\D", "", m.group()[len(m.group("letter") or "") :])
    start, end = m.start(), m.end()
    if letter:
        kind = v.id_kind(letter.upper() + digits) if len(digits) == 9 else None
        if kind is None or not _near(text, start, end, tuple(w.lower() for w in ID_CONTEXT), before=14):
            return None
        return Hit("TW_NATIONAL_ID" if kind == "national" else "TW_RESIDENT_ID", start, end, SCORE)
    if len(digits) == 10 and digits.startswith("09"):
        # with a phone word near: a document number (金管銀法字第0912.345.678號) or a rate can take this shape too
        if _near(text, start, end, tuple(w.lower() for w in PHONE_CONTEXT), before=14):
            return Hit("TW_PHONE", start, end, SCORE)
        return None
    if digits.startswith("0") and v.classify_phone(digits) == "LANDLINE":
        # a landline grouped with dots (電話：02.2771.8888, 02‧2771‧8888), with a phone word near as for a mobile;
        # an institution's line (本行電話, 客服) stays, as the phone recognizer leaves it
        if _near(text, start, end, INSTITUTION_PHONE_WORDS, before=12) and not _near(
            text, start, end, PERSONAL_PHONE_WORDS, before=8
        ):
            return None
        if _near(text, start, end, tuple(w.lower() for w in PHONE_CONTEXT), before=14):
            return Hit("TW_PHONE", start, end, SCORE)
        return None
    if 13 <= len(digits) <= 19 and _iin_ok(digits) and v.luhn(digits):
        if _near(text, start, end, tuple(w.lower() for w in CARD_CONTEXT), before=14):
            return Hit("CREDIT_CARD", start, end, SCORE)
        return None
    if 10 <= len(digits) <= 16 and _labelled_account(text, start):
        return Hit("TW_BANK_ACCOUNT", start, end, SCORE)
    return None


def separated_digits_recognizer(language: str = "zh") -> RegexRecognizer:
    """The recognizer (context is checked per type in its validator, so it carries no context words).

    >>> r = separated_digits_recognizer()
    >>> [(x.entity_type, x.start, x.end) for x in r.analyze("手機0912.345.678，於2023.01.05來電")]
    [('TW_PHONE', 2, 14)]
    >>> [(x.entity_type, x.start, x.end) for x in r.analyze("電話：02\u20272771\u20278888，版本0.2.3")]
    [('TW_PHONE', 3, 15)]
    """
    return RegexRecognizer(
        "SeparatedDigitsRecognizer",
        ["TW_NATIONAL_ID", "TW_RESIDENT_ID", "TW_PHONE", "CREDIT_CARD", "TW_BANK_ACCOUNT"],
        PATTERN,
        _validate,
        None,
        language,
    )
