"""Numbers whose shape alone says too little but whose label says what they are.

* A foreign resident's passport (``護照號碼：E12345678``, ``越南籍客戶護照號碼C1234567``, ``Passport No. K1234567``,
  ``PASSPORT NO.: E12345678``, ``護照號碼 (Passport No.)：C1234567``, ``護照號碼為E12345678``): one or two letters and
  6-8 digits, written right after a passport label. The passport recognizer reads the
  ROC form (9 digits) only.
* A landline written without its area code (``住家電話：2708-1234``, ``電話 2345-6789``, a form's ``電話(宅)：2708-1234``,
  ``連絡電話（H）：2708-1234``): 7 or 8 digits, the
  first 2-8, right after a phone label. The phone recognizer needs the area code to tell a number from a serial;
  the label tells it here. An institution's line (``服務電話：2345-6789``, ``本行電話``) stays, as for the others.

* A national ID or resident certificate that fails its checksum (``身分證字號：A123456788``, a form's typo or a
  value read wrong from a scan), right after a label naming one (身分證字號, 統一證號, 居留證號, ID No.): the label
  says it is a person's number, and a one-character typo still points at that person. Without such a label a
  value of that shape failing its checksum is a product, batch or event code and stays.
* A date of birth written as digits alone after its label (``出生年月日：0720819``, ``生日：19880412``,
  ``出生日期 720819``): ROC ``YYYMMDD`` or ``YYMMDD``, or ``YYYYMMDD``, a real calendar date. The date-of-birth
  recognizer reads dates with separators or 年月日 only.

The label must end right before the value (a colon or spaces between allowed), so a number merely near such a word
(``電話費2,345元``, ``護照效期2031年``) is no such value. An English label is a word of its own: the ``tel`` of
``GRAND HOTEL 2886 8888`` (a card statement's merchant) or ``Intel`` is none.
"""

from __future__ import annotations

import datetime
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
#: a label naming a person's ID or resident certificate number (not 統一編號 alone: a company's UBN)
ID_LABEL = (
    r"(?:(?:身分證|身份證|身分证|身份证)(?:統一編號|统一编号|字號|字号|號碼|号码|號|号)?|統一證號|统一证号"
    r"|居留證(?:統一證號|號碼|號)?|居留证(?:号码|号)?|(?<![A-Za-z])(?:ID|I\.D\.)[ ]?(?i:no\.?|number|#))"
)
#: a label naming a date of birth; not the 生日 of a verb's day (事故發生日, 契約產生日: recognizers.NOT_BIRTHDAY)
DOB_LABEL = r"(?:出生年月日|出生日期|(?<![發发產产衍慶庆往])生日|(?<![A-Za-z])(?i:date of birth|birth ?date|DOB))"
#: a form's qualifier after a phone label: home or office, day or night (電話(宅), 連絡電話（H）, 電話(日))
_PHONE_KIND = r"(?:[ ]*\((?:[HhOo]|宅|家|住家|公|公司|日|夜|白天|晚上)\))?"
PHONE_LABEL = (
    r"(?:(?:住家電話|住宅電話|家用電話|公司電話|聯絡電話|連絡電話|电话|電話|市話|市话|宅電|宅电"
    r"|(?<![A-Za-z])(?:TEL|Tel|tel))(?:號碼|号码)?"
    rf"{_PHONE_KIND})"
)
PATTERN = (
    rf"(?:{PASSPORT_LABEL}{_SEP}(?P<passport>[A-Za-z]{{1,2}}\d{{6,8}})"
    rf"|{PHONE_LABEL}{_SEP}(?P<local>[2-8]\d{{2,3}}[- ]?\d{{4}})"
    rf"|{ID_LABEL}{_SEP}(?P<id>[A-Za-z][12ABCD89abcd]\d{{8}})"
    rf"|{DOB_LABEL}{_SEP}(?P<dob>\d{{6,8}}))"
    r"(?![0-9A-Za-z]|[- ]\d)"
)


def _birth_date(digits: str) -> bool:
    """Whether ``digits`` is a past calendar date: ``YYYYMMDD`` (1900-2099), else ROC ``YYYMMDD`` or ``YYMMDD``."""
    if len(digits) == 8 and digits[:2] in ("19", "20"):
        year = int(digits[:4])
    elif len(digits) in (6, 7):
        year = int(digits[:-4]) + 1911
    else:
        return False
    try:
        return datetime.date(year, int(digits[-4:-2]), int(digits[-2:])) <= datetime.date.today()
    except ValueError:
        return False


def _validate(m: re.Match[str], text: str) -> Hit | None:
    if m.group("id"):
        value = m.group("id").upper()
        entity = "TW_NATIONAL_ID" if value[1] in "12" else "TW_RESIDENT_ID"
        return Hit(entity, m.start("id"), m.end("id"), 0.8)
    if m.group("dob"):
        if not _birth_date(m.group("dob")):
            return None
        return Hit("DATE_OF_BIRTH", m.start("dob"), m.end("dob"), 0.7)
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
    >>> t = "身分證字號：A123456788，出生年月日：0720819，生日：1130231，產品代碼A123456788"
    >>> [(x.entity_type, t[x.start : x.end]) for x in r.analyze(t)]
    [('TW_NATIONAL_ID', 'A123456788'), ('DATE_OF_BIRTH', '0720819')]
    """
    entities = ["TW_PASSPORT", "TW_PHONE", "TW_NATIONAL_ID", "TW_RESIDENT_ID", "DATE_OF_BIRTH"]
    return RegexRecognizer("LabelledNumberRecognizer", entities, PATTERN, _validate, None, language)
