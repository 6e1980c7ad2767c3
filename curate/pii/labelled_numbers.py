"""Numbers whose shape alone says too little but whose label says what they are.

* A foreign resident's passport (``護照號碼：E12345678``, ``越南籍客戶護照號碼C1234567``, ``Passport No. K1234567``,
  ``PASSPORT NO.: E12345678``, ``護照號碼 (Passport No.)：C1234567``, ``護照號碼為E12345678``): one or two letters and
  6-8 digits, written right after a passport label. The passport recognizer reads the
  ROC form (9 digits) only.
* A landline written without its area code (``住家電話：2708-1234``, ``電話 2345-6789``, a form's ``電話(宅)：2708-1234``,
  ``連絡電話（H）：2708-1234``): 7 or 8 digits, the
  first 2-8, right after a phone label. The phone recognizer needs the area code to tell a number from a serial;
  the label tells it here. An institution's line (``服務電話：2345-6789``, ``本行電話``) stays, as for the others.

The label must end right before the value (a colon or spaces between allowed), so a number merely near such a word
(``電話費2,345元``, ``護照效期2031年``) is no such value. An English label is a word of its own: the ``tel`` of
``GRAND HOTEL 2886 8888`` (a card statement's merchant) or ``Intel`` is none.
"""

from __future__ import annotations

import re

from curate.pii.recognizers import INSTITUTION_PHONE_WORDS, PERSONAL_PHONE_WORDS, Hit, RegexRecognizer, _near

#: between a label and its value: spaces, a colon, or a copula (護照號碼為E12345678, 電話是2708-1234)
_SEP = r"[ ]*(?:[:：][ ]*|[為为是][ ]*)?"
#: the English label, any case (Passport No., PASSPORT NO.:), a word of its own
_EN_PASSPORT = r"(?<![A-Za-z])(?i:passport(?:[ ]?(?:no\.?|number|#))?)"
#: a Chinese label, also with its English gloss (護照號碼 (Passport No.)：C1234567), or the English one alone
PASSPORT_LABEL = (
    rf"(?:(?:護照號碼|護照號|護照|护照号码|护照号|护照)(?:[ ]*\(?[ ]*{_EN_PASSPORT}[ ]*\)?)?|{_EN_PASSPORT})"
)
#: a form's qualifier after a phone label: home or office, day or night (電話(宅), 連絡電話（H）, 電話(日))
_PHONE_KIND = r"(?:[ ]*\((?:[HhOo]|宅|家|住家|公|公司|日|夜|白天|晚上)\))?"
PHONE_LABEL = (
    r"(?:(?:住家電話|住宅電話|家用電話|公司電話|聯絡電話|連絡電話|电话|電話|市話|市话|宅電|宅电"
    r"|(?<![A-Za-z])(?:TEL|Tel|tel))(?:號碼|号码)?"
    rf"{_PHONE_KIND})"
)
PATTERN = (
    rf"(?:{PASSPORT_LABEL}{_SEP}(?P<passport>[A-Za-z]{{1,2}}\d{{6,8}})"
    rf"|{PHONE_LABEL}{_SEP}(?P<local>[2-8]\d{{2,3}}[- ]?\d{{4}}))"
    r"(?![0-9A-Za-z]|[- ]\d)"
)


def _validate(m: re.Match[str], text: str) -> Hit | None:
    if m.group("passport"):
        return Hit("TW_PASSPORT", m.start("passport"), m.end("passport"), 0.8)
    start, end = m.start("local"), m.end("local")
    if _near(text, start, end, INSTITUTION_PHONE_WORDS, before=12) and not _near(
        text, start, end, PERSONAL_PHONE_WORDS, before=8
    ):
        return None
    return Hit("TW_PHONE", start, end, 0.6)


def labelled_numbers_recognizer(language: str = "zh") -> RegexRecognizer:
    """The recognizer.

    >>> r = labelled_numbers_recognizer()
    >>> t = "護照號碼：E12345678，住家電話：2708-1234，服務電話：2345-6789，電話費2,345元"
    >>> [(x.entity_type, t[x.start : x.end]) for x in r.analyze(t)]
    [('TW_PASSPORT', 'E12345678'), ('TW_PHONE', '2708-1234')]
    """
    return RegexRecognizer("LabelledNumberRecognizer", ["TW_PASSPORT", "TW_PHONE"], PATTERN, _validate, None, language)
