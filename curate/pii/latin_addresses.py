"""Taiwan addresses written in English, as Chunghwa Post romanises them (``7F., No. 221, Sec. 2, Wenxin Rd., Xitun
Dist., Taichung City 407``, ``3F-2, No. 15, Aly. 4, Ln. 78, Xinyi Rd., Banqiao Dist., New Taipei City 220``): the
address rule reads Han addresses only, so a remittance's or a foreign customer's address went through (review 13).

One is a house number (``No. 5``), optional alley, lane and section, a road (capitalised words, ``1st``, ``S.``, then
Rd./St./Blvd./Ave.), then a district, township or village and a city or county (a postal code after it is kept).
An institution's address (本行, 總行, 分行, Head Office, Branch before it) stays, as the Han rule's does, and so does a
company's: its name or a firm's word just before it (``Cathay United Bank, No. 7, …``, ``Company address:``,
``our warehouse at``) or its name in a bracket right after it (``… Taipei City (Taiwan Life Insurance Co., Ltd.)``)."""

from __future__ import annotations

import re

from curate.pii.recognizers import Hit, RegexRecognizer

_W = r"[A-Z][A-Za-z'’-]*"
_PART = rf"(?:{_W}\.?|\d+(?:st|nd|rd|th))"
#: the address, from its floor (7F., 3F-2, B1) or house number to its city or county and postal code
PATTERN = (
    r"(?<![A-Za-z0-9])(?:(?:B?\d+F|\d+(?:st|nd|rd|th) ?Fl)\.?(?:-\d+)?, ?)?"
    r"No\. ?\d+(?:-\d+)?, ?(?:Aly\. ?\d+, ?)?(?:Ln\. ?\d+, ?)?(?:Sec\. ?\d+, ?)?"
    rf"{_W}(?: {_PART})* (?:Rd|St|Blvd|Ave|Expy)\.?"
    rf"(?:, ?{_W}(?: {_W})? (?:Dist|Township|Twp|Vil|Village|Li)\.?)*"
    rf", ?{_W}(?: {_W})? (?:City|County)(?: \d{{3}}(?:\d{{2,3}})?)?(?![A-Za-z0-9])"
)
#: the recognizer's cheap test: a house number (most texts have none)
GATE = r"No\. ?\d"
#: words before an address that make it an institution's
INSTITUTION_WORDS = (
    "本行",
    "總行",
    "总行",
    "分行",
    "營業部",
    "总公司",
    "總公司",
    "head office",
    "headquarters",
    "branch",
)


#: a firm's words before its address (a company's name, its premises), read as words
_FIRM_BEFORE = re.compile(
    r"\b(?:bank|company|co\.|ltd|corp|corporation|inc|limited|insurance|securities|warehouse|factory)\b", re.IGNORECASE
)
#: a firm's name in a bracket right after the address
_FIRM_AFTER = re.compile(r"[ \u3000]*[(（][^)）\n]{0,40}?\b(?:co\.|ltd|corp|inc|bank|company|branch)\b", re.IGNORECASE)


def validate(m: re.Match[str], text: str) -> Hit | None:
    """A hit for an address, None for an institution's or a company's."""
    before = text[max(0, m.start() - 24) : m.start()].lower()
    after = text[m.end() : m.end() + 6]
    if any(w in before for w in INSTITUTION_WORDS) or "本行" in after:
        return None
    if _FIRM_BEFORE.search(before) or _FIRM_AFTER.match(text, m.end()):
        return None
    return Hit("TW_ADDRESS", m.start(), m.end(), 0.8)


def latin_address_recognizer(language: str = "zh") -> RegexRecognizer:
    """The recognizer of English-written Taiwan addresses."""
    return RegexRecognizer("LatinAddressRecognizer", ["TW_ADDRESS"], PATTERN, validate, None, language, gate=GATE)
