"""CJK-safe presidio recognizers for Taiwanese identifiers, contact data and addresses.

Every pattern uses ASCII look-arounds instead of ``\\b`` (Han characters are ``\\w``), runs on
text folded to half-width (:func:`curate.pii.text.halfwidth`, length-preserving), and hands a
match to a validator that returns a score or None (drop). Context-gated types start with a low
score that :class:`curate.pii.context.RawTextContextEnhancer` lifts when a context word is near.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from curate.pii import validators as v
from curate.pii.address_owner import institution_address
from curate.pii.base import EntityRecognizer, RecognizerResult
from curate.pii.birth_dates import born_after
from curate.pii.context import context_window
from curate.pii.dob_forms import DOB_EXTRA, birth_date_label, impossible
from curate.pii.docnumbers import document_number, serial_label_before

#: score of a checksum-valid identifier without context
CHECKSUM_SCORE = 0.85


@dataclass(frozen=True, slots=True)
class Hit:
    """A validated match: entity type, offsets into the text, base score."""

    entity_type: str
    start: int
    end: int
    score: float


Validator = Callable[[re.Match[str], str], "Hit | None"]


class RegexRecognizer(EntityRecognizer):
    """One compiled regex plus a validator; context words feed the raw-text enhancer."""

    def __init__(
        self,
        name: str,
        entities: list[str],
        pattern: str,
        validate: Validator,
        context: list[str] | None = None,
        supported_language: str = "zh",
        flags: int = 0,
        gate: str | None = None,
    ) -> None:
        self.pattern = pattern
        #: optional cheap regex; when it does not occur in the text the recognizer is skipped
        self.gate = gate
        self.validate = validate
        self.flags = flags
        super().__init__(supported_entities=entities, name=name, supported_language=supported_language, context=context)

    def load(self) -> None:
        self._regex = re.compile(self.pattern, self.flags)
        self._gate = re.compile(self.gate, re.IGNORECASE) if self.gate else None

    def analyze(self, text: str, entities: list[str] | None = None, nlp_artifacts=None) -> list[RecognizerResult]:
        if not hasattr(self, "_regex"):
            self.load()
        if self._gate is not None and not self._gate.search(text):
            return []
        out = []
        for m in self._regex.finditer(text):
            hit = self.validate(m, text)
            if hit is None or (entities and hit.entity_type not in entities):
                continue
            out.append(
                RecognizerResult(
                    hit.entity_type,
                    hit.start,
                    hit.end,
                    hit.score,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
            )
        return out


def _near(text: str, start: int, end: int, words: tuple[str, ...], before: int = 14, after: int = 0) -> bool:
    window = context_window(text, start, end, before, after).lower()
    return any(w in window for w in words)


# --- national ID / resident certificate -------------------------------------------------------
#: plain (A123456789) or written in groups with single spaces or hyphens (A 123 456 789, A123-456-789)
ID_PATTERN = r"(?<![A-Za-z0-9])[A-Za-z][ -]?[0-9A-Da-d](?:[ -]?\d){8}(?![A-Za-z0-9])"
#: score of a checksum-valid ID written in groups: needs a context word (身分證 ...) to be reported
SPACED_ID_SCORE = 0.3


def _validate_id(m: re.Match[str], text: str) -> Hit | None:
    value = m.group()
    compact = value.replace(" ", "").replace("-", "")
    kind = v.id_kind(compact)
    if kind is None or serial_label_before(text, m.start(), personal=True, end=m.end()):
        return None  # 公告編號：A170561484: a document's number that passes the checksum
    entity = "TW_NATIONAL_ID" if kind == "national" else "TW_RESIDENT_ID"
    return Hit(entity, m.start(), m.end(), CHECKSUM_SCORE if compact == value else SPACED_ID_SCORE)


ID_CONTEXT = ["身分證", "身份證", "身分证", "身份证", "統一證號", "统一证号", "居留證", "居留证", "證號", "证号", "ID"]

# --- phones -----------------------------------------------------------------------------------
PHONE_PATTERN = (
    r"(?<![0-9A-Za-z+])"
    r"(?:\(?\+?886\)?[- ]?(?:\(0\)[- ]?)?\(?\d{1,4}\)?"
    r"|\(0\d{1,3}\)"
    r"|0\d{1,3})"
    r"[- ]?\d{2,4}[- ]?\d{3,4}"
    r"(?:[ ]?(?:#|分機|分机|轉|转|ext\.?|EXT\.?)[ ]?[:]?[ ]?\d{1,6})?"
    r"(?![0-9])"
)
#: an institution's public line (客服專線, 總機, 請洽 ...): not personal data
INSTITUTION_PHONE_WORDS = (
    "客服",
    "專線",
    "专线",
    "總機",
    "总机",
    "請洽",
    "请洽",
    "請撥",
    "请拨",
    "撥打",
    "拨打",
    "海外",
    "國外",
    "国外",
    "服務電話",
    "服务电话",
    "代表號",
    "代表号",
    "免付費",
    "免付费",
    "洽詢",
    "洽询",
    "諮詢",
    "咨询",
    "服務中心",
    "服务中心",
    "分行電話",
    "分行电话",
    "本行電話",
    "本行傳真",
    "分行傳真",
    "hotline",
)
#: an institution's line in English, read over a longer window (English words are longer): review 13
INSTITUTION_PHONE_EN = ("hotline", "service line", "customer service", "service cent", "toll-free", "call cent")
PERSONAL_PHONE_WORDS = ("手機", "手机", "行動", "行动", "住家", "本人", "其電話", "其电话", "您的")


#: labels that name the number written right after them an account (存摺帳號0433886496)
ACCOUNT_LABELS = ("帳號", "帳戶", "账号", "账户", "存摺", "存折", "戶頭", "户头", "acct", "a/c", "account")


#: what may follow an English account label before its number (`A/C No.`, `Acct Number:`, `Account #`)
_ACCOUNT_NO = re.compile(r"(?:\s*(?:no\.?|number|num\.?|#))?[\s:\uff1a]*$")


def _labelled_account(text: str, start: int) -> bool:
    """An account label ends right before ``start`` (a colon, space or `No.` between allowed) and no phone word is
    near: a landline-shaped number there (04 + 8 digits is both) is the account, not a phone number."""
    head = text[max(0, start - 14) : start].lower()
    head = head[: _ACCOUNT_NO.search(head).start()]
    return head.endswith(ACCOUNT_LABELS) and not _near(text, start, start, tuple(PHONE_CONTEXT), before=10)


def _validate_phone(m: re.Match[str], text: str) -> Hit | None:
    kind = v.classify_phone(m.group())
    if kind is None or document_number(text, m.start(), m.end()):  # 字第0928011234號: a document's serial
        return None
    if serial_label_before(text, m.start(), personal=True, end=m.end()):
        return None  # 保單號碼0912345678, 交易序號0932118765: a policy's or a transaction's number
    if kind != "MOBILE" and _labelled_account(text, m.start()):
        return None  # the account recognizer reports it
    # institutions publish landlines and toll-free numbers; a mobile number is a person's, also after
    # a verb such as 撥打 / 請洽
    if (
        kind != "MOBILE"
        and (
            _near(text, m.start(), m.end(), INSTITUTION_PHONE_WORDS, before=12)
            or _near(text, m.start(), m.end(), INSTITUTION_PHONE_EN, before=24)
        )
        and not _near(text, m.start(), m.end(), PERSONAL_PHONE_WORDS, before=8)
    ):
        return None
    return Hit("TW_PHONE", m.start(), m.end(), 0.7 if kind == "MOBILE" else 0.6)


PHONE_CONTEXT = [
    "電話",
    "电话",
    "手機",
    "手机",
    "聯絡",
    "联络",
    "聯繫",
    "联系",
    "行動",
    "致電",
    "回電",
    "回电",
    "tel",
    "phone",
    "市話",
    "傳真",
    "传真",
    "fax",
]

# --- e-mail -----------------------------------------------------------------------------------
EMAIL_PATTERN = (
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}"
    r"(?![A-Za-z0-9-])"
)
#: generic institutional mailboxes (service@bank...): not personal data
ROLE_MAILBOXES = frozenset(
    {
        "service",
        "services",
        "cs",
        "customer",
        "customerservice",
        "info",
        "support",
        "contact",
        "help",
        "noreply",
        "no-reply",
        "admin",
        "webmaster",
        "hr",
        "pr",
        "ir",
        "news",
        "marketing",
        "sales",
        "complaint",
        "complaints",
        "consumer",
        "public",
        "office",
        "postmaster",
        "feedback",
        "mail",
        "ebank",
        "card",
        "cards",
        "loan",
    }
)


#: labels naming the mailbox written right after them an institution's (服務信箱：cardservice@bank.com.tw)
INSTITUTION_MAILBOX_LABELS = ("服務信箱", "服务信箱", "客服信箱", "客服邮箱", "服务邮箱", "申訴信箱", "申诉信箱")


def institution_mailbox(text: str, start: int) -> bool:
    """An institution's mailbox label ends right before ``start`` (a colon or spaces between allowed)."""
    head = text[max(0, start - 8) : start].rstrip(" :\uff1a")
    return head.endswith(INSTITUTION_MAILBOX_LABELS)


def _validate_email(m: re.Match[str], text: str) -> Hit | None:
    local = m.group().split("@", 1)[0].lower()
    if local in ROLE_MAILBOXES or institution_mailbox(text, m.start()):
        return None
    return Hit("EMAIL_ADDRESS", m.start(), m.end(), 0.9)


# --- credit cards -----------------------------------------------------------------------------
CARD_PATTERN = r"(?<![0-9-])(?:\d[ -]?){12,18}\d(?![0-9])"
CARD_CONTEXT = ["卡號", "卡号", "信用卡", "簽帳卡", "签账卡", "金融卡", "card", "持卡", "刷卡", "卡片"]
#: the card a number belongs to (副卡4147..., 附卡, 補發新卡): a plain number right after them is that card's number
CARD_CONTEXT += ["正卡", "副卡", "附卡", "主卡", "新卡", "舊卡", "旧卡", "補卡", "补卡", "停卡"]
CARD_CONTEXT += ["白金卡", "御璽卡", "御玺卡", "鈦金卡", "钛金卡", "晶片卡", "芯片卡", "現金卡", "现金卡", "提款卡"]
#: card brands and kinds (美國運通卡344787810224839): a plain number after them is a card number too
CARD_CONTEXT += ["運通卡", "运通卡", "美國運通", "美国运通", "萬事達", "万事达", "銀聯", "银联", "聯名卡", "联名卡"]
CARD_CONTEXT += ["visa", "mastercard", "amex", "american express", "jcb", "unionpay"]


def _iin_ok(d: str) -> bool:
    n = len(d)
    if d[0] == "4" and n in (13, 16, 19):
        return True
    if n == 16 and (51 <= int(d[:2]) <= 55 or 2221 <= int(d[:4]) <= 2720 or 3528 <= int(d[:4]) <= 3589):
        return True
    if n == 15 and d[:2] in ("34", "37"):
        return True
    return d[:2] == "62" and 16 <= n <= 19


def _validate_card(m: re.Match[str], text: str) -> Hit | None:
    raw = m.group()
    end = m.end()
    while raw and raw[-1] in " -":
        raw, end = raw[:-1], end - 1
    d = "".join(c for c in raw if c.isdigit())
    if not (_iin_ok(d) and v.luhn(d)) or serial_label_before(text, m.start()):
        return None
    grouped = bool(re.fullmatch(r"\d{4}([ -])\d{4}\1\d{4}\1\d{4}|\d{4}([ -])\d{6}\2\d{5}", raw))
    # a run of digits with an issuer's prefix and a valid check digit is also an order, policy or transaction
    # number or an EAN-13 barcode (471...) one time in ten: it needs a card word near (:data:`CARD_CONTEXT`)
    return Hit("CREDIT_CARD", m.start(), end, 0.6 if grouped else 0.3)


# --- bank accounts ----------------------------------------------------------------------------
#: plain, or in hyphenated groups whose last one may be a single check digit (0052-1234-5678-9)
ACCOUNT_PATTERN = r"(?<![0-9A-Za-z第-])(?:\d{10,16}|\d{2,8}(?:-\d{2,16}){0,2}-\d{1,16})(?![0-9A-Za-z-])"
ACCOUNT_CONTEXT = [
    "帳號",
    "帳戶",
    "账号",
    "账户",
    "存摺",
    "存折",
    "撥入",
    "拨入",
    "轉入",
    "转入",
    "匯入",
    "汇入",
    "入帳",
    "入账",
    "戶名",
    "户名",
    "匯款",
    "汇款",
    "轉帳",
    "转账",
    "扣款",
    "account",
    "帳號為",
    "戶頭",
    "户头",
    "存款",
    "收款",
    "受款",
    "撥款",
    "拨款",
    "扣繳",
    "扣缴",
    "約定",
    "约定",
    "acct",
    "a/c",
]
#: the kinds of deposit account a number is named by (備償專戶, 活儲, 綜存, 支存): an account without the word 帳戶
ACCOUNT_CONTEXT += ["專戶", "专户", "活儲", "活储", "活存", "綜存", "综存", "支存", "甲存", "外存", "匯至", "汇至"]


def _validate_account(m: re.Match[str], text: str) -> Hit | None:
    s = m.group()
    start = m.start()
    if serial_label_before(text, start, personal=True):
        return None  # 匯款編號202403180001234, 交易序號: a serial (帳戶編號, 客戶編號 stay an account)
    parts = s.split("-")
    # a leading bank code (3) + branch code (4) is not part of the account
    if len(parts) >= 3 and len(parts[0]) == 3 and len(parts[1]) == 4 and len("".join(parts[2:])) >= 10:
        start += len(parts[0]) + len(parts[1]) + 2
        s = "-".join(parts[2:])
    digits = s.replace("-", "")
    if not 10 <= len(digits) <= 16:
        return None
    kind = v.classify_phone(s)
    if kind and (kind == "MOBILE" or not _labelled_account(text, start)):
        return None  # a phone number (the phone recognizer decides about it)
    if digits.startswith(("0800", "0809")) and len(digits) <= 10:
        return None  # a toll-free number
    return Hit("TW_BANK_ACCOUNT", start, m.end(), 0.1)


# --- passport / NHI card ----------------------------------------------------------------------
PASSPORT_PATTERN = r"(?<![0-9A-Za-z])\d{9}(?![0-9A-Za-z])"
PASSPORT_CONTEXT = ["護照", "护照", "passport"]
NHI_PATTERN = r"(?<![0-9A-Za-z])\d{4}[ -]?\d{4}[ -]?\d{4}(?![0-9A-Za-z])"
NHI_CONTEXT = ["健保卡", "健保", "健康保險卡", "健康保险卡"]


def _validate_passport(m: re.Match[str], text: str) -> Hit | None:
    return Hit("TW_PASSPORT", m.start(), m.end(), 0.05)


def _validate_nhi(m: re.Match[str], text: str) -> Hit | None:
    if not _near(text, m.start(), m.end(), tuple(NHI_CONTEXT), before=12):
        return None
    return Hit("TW_NHI_CARD", m.start(), m.end(), 0.6)


# --- dates of birth ---------------------------------------------------------------------------
DOB_PATTERN = (
    (
        r"(?:民國|民国)?(?<![0-9])\d{2,3}年\d{1,2}月\d{1,2}日"
        r"|(?<![0-9])(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?![0-9])"
        r"|(?<![0-9./])\d{2,3}[/.]\d{1,2}[/.]\d{1,2}(?![0-9./])"
        r"|(?:民國|民国)?[一二三四五六七八九十百〇零]{2,5}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日"  # 七十三年八月二十日
    )
    + DOB_EXTRA
)  # DOB: 07/11/1968, March 14, 1982, 0720315 (curate/pii/dob_forms.py)
DOB_CONTEXT = ("出生", "生日", "生於", "生于", "出生日期", "出生年月日", "birth", "DOB")
#: the cheap test of the recognizer: a context word, or a date's last character before 生 (日生, 1958.11.23生)
DOB_GATE = r"|".join(re.escape(w) for w in DOB_CONTEXT) + r"|[日\d][ ]?生|D\.O\.B"  # D.O.B.: dob_forms


#: a verb ending in 生 before 日, the day something happens (事故發生日, 契約產生日, 員工慶生日): no 生日
NOT_BIRTHDAY = re.compile(r"[發发產产衍慶庆往]生日")


def _validate_dob(m: re.Match[str], text: str) -> Hit | None:
    window = NOT_BIRTHDAY.sub("", context_window(text, m.start(), m.end(), 10, 0).lower())
    before = any(w.lower() in window for w in DOB_CONTEXT) or birth_date_label(text, m.start())  # Birth date:
    # a date followed by the verb of being born is one too, unless a rule's cut-off (curate/pii/birth_dates.py);
    # a day no calendar has is none (出生日期：1130231: curate/pii/dob_forms.py)
    if not (before or born_after(text, m.start(), m.end())) or impossible(m.group()):
        return None
    return Hit("DATE_OF_BIRTH", m.start(), m.end(), 0.7)


# --- addresses --------------------------------------------------------------------------------
_COUNTIES = (
    "臺北市 台北市 新北市 桃園市 臺中市 台中市 臺南市 台南市 高雄市 基隆市 新竹市 嘉義市 新竹縣 苗栗縣 "
    "彰化縣 南投縣 雲林縣 嘉義縣 屏東縣 宜蘭縣 花蓮縣 臺東縣 台東縣 澎湖縣 金門縣 連江縣 臺北縣 台北縣 "
    "桃園縣 臺中縣 台中縣 臺南縣 台南縣 高雄縣"
).split()
_NUM = r"[0-9一二三四五六七八九十百〇零]+"
_HAN = r"[\u4e00-\u9fff]"


def county_names() -> list[str]:
    """The county/city names (both scripts, 臺 and 台, pre-2010 counties), longest first."""
    import opencc

    conv = opencc.OpenCC("t2s")
    return sorted(set(_COUNTIES) | {conv.convert(c) for c in _COUNTIES}, key=len, reverse=True)


def county_pattern() -> str:
    """Alternation of the county/city names (:func:`county_names`)."""
    return "(?:" + "|".join(county_names()) + ")"


def address_pattern() -> str:
    """The address grammar: (postcode) 縣市 (區鄉鎮市) (村里) (鄰) 路街 (段) (巷) (弄) 號 (之N) (樓 (之N)).

    In the country the village stands where the road would: 鄉 + 村 is the rural counterpart of 區 + 里, and a house
    there is often numbered without a road (澎湖縣湖西鄉隘門村21之5號), or on a named lane (信義鄉東埔村一鄰開高巷68號).
    Without a road the district and the village are both required.

    A segment may carry the direction of its part of the road (新竹縣竹北市光明六路東一段), and the units may be
    written apart with single spaces, as forms and PDFs print them (台北市大安區 復興南路一段 390號 5樓); a house
    number's 之 is often written as a hyphen (松山路130-2號).
    """
    sp = "[ ]?"
    district = rf"{_HAN}{{1,3}}?[區鄉鎮市区乡镇]{sp}"
    village = rf"{_HAN}{{1,3}}?[村里]{sp}"
    ward = rf"{_NUM}[鄰邻]{sp}"
    road = rf"{_HAN}{{1,6}}?(?:大道|路|街|道)(?:[東西南北东]?{_NUM}段)?{sp}(?:{_NUM}巷{sp})?"
    roadless = rf"{district}{village}(?:{ward})?(?:(?:{_NUM}|{_HAN}{{1,4}}?)巷{sp})?"
    return (
        county_pattern() + rf"{sp}(?:(?:{district})?(?:{village})?(?:{ward})?{road}|{roadless})"
        rf"(?:{_NUM}弄{sp})?"
        rf"{_NUM}(?:[之-]{_NUM})?[號号](?:之{_NUM})?"
        rf"(?:{sp}{_NUM}[樓楼F](?:之{_NUM})?)?"
    )


INSTITUTION_ADDRESS_WORDS = (
    "分行",
    "總行",
    "总行",
    "營業部",
    "营业部",
    "總公司",
    "总公司",
    "本行",
    "營業時間",
    "营业时间",
    "營業",
    "营业",
    "上午",
    "下午",
    "服務時間",
    "服务时间",
)


def _postcode_start(text: str, start: int) -> int:
    """Start of a 3- or 5-digit postal code directly before ``start`` (or ``start``)."""
    i = start
    while i > 0 and text[i - 1].isdigit() and start - i < 6:
        i -= 1
    n = start - i
    return i if n in (3, 5) else start


def _validate_address(m: re.Match[str], text: str) -> Hit | None:
    if institution_address(text, m.start(), m.end(), INSTITUTION_ADDRESS_WORDS):  # not 分行訪客…住址… (review 15)
        return None
    return Hit("TW_ADDRESS", _postcode_start(text, m.start()), m.end(), 0.8)


def _folded_lists() -> None:
    """Add the detection-view form (:mod:`curate.pii.view`) of every context word: text written in
    Simplified is read in Taiwan characters (账号 -> 賬號), so its context words must match there too."""
    from curate.pii.view import with_folded

    g = globals()
    for name in (
        "ID_CONTEXT",
        "PHONE_CONTEXT",
        "CARD_CONTEXT",
        "ACCOUNT_CONTEXT",
        "PASSPORT_CONTEXT",
        "NHI_CONTEXT",
        "DOB_CONTEXT",
        "INSTITUTION_PHONE_WORDS",
        "PERSONAL_PHONE_WORDS",
        "INSTITUTION_ADDRESS_WORDS",
        "INSTITUTION_MAILBOX_LABELS",
        "ACCOUNT_LABELS",
    ):
        g[name] = type(g[name])(with_folded(g[name]))


_folded_lists()


def _gate(words) -> str:
    return "|".join(re.escape(w) for w in words)


def build_recognizers(language: str = "zh", *, running_text: bool = True) -> list[EntityRecognizer]:
    """All rule-based recognizers (the name recognizers included; ``running_text=False``: those of file names)."""
    from curate.pii.latin_names import LatinNameRecognizer
    from curate.pii.mixed_names import MixedNameRecognizer
    from curate.pii.names import ChineseNameRecognizer
    from curate.pii.segmented_names import SegmentedNameRecognizer

    ctx_lower = [w.lower() for w in CARD_CONTEXT]
    return [
        RegexRecognizer(
            "TwIdRecognizer", ["TW_NATIONAL_ID", "TW_RESIDENT_ID"], ID_PATTERN, _validate_id, ID_CONTEXT, language
        ),
        RegexRecognizer("TwPhoneRecognizer", ["TW_PHONE"], PHONE_PATTERN, _validate_phone, PHONE_CONTEXT, language),
        RegexRecognizer("AsciiEmailRecognizer", ["EMAIL_ADDRESS"], EMAIL_PATTERN, _validate_email, None, language),
        RegexRecognizer("LuhnCardRecognizer", ["CREDIT_CARD"], CARD_PATTERN, _validate_card, ctx_lower, language),
        RegexRecognizer(
            "TwBankAccountRecognizer",
            ["TW_BANK_ACCOUNT"],
            ACCOUNT_PATTERN,
            _validate_account,
            ACCOUNT_CONTEXT,
            language,
            gate=_gate(ACCOUNT_CONTEXT),
        ),
        RegexRecognizer(
            "TwPassportRecognizer",
            ["TW_PASSPORT"],
            PASSPORT_PATTERN,
            _validate_passport,
            PASSPORT_CONTEXT,
            language,
            gate=_gate(PASSPORT_CONTEXT),
        ),
        RegexRecognizer(
            "TwNhiCardRecognizer",
            ["TW_NHI_CARD"],
            NHI_PATTERN,
            _validate_nhi,
            NHI_CONTEXT,
            language,
            gate=_gate(NHI_CONTEXT),
        ),
        RegexRecognizer(
            "DateOfBirthRecognizer",
            ["DATE_OF_BIRTH"],
            DOB_PATTERN,
            _validate_dob,
            None,
            language,
            gate=DOB_GATE,
        ),
        RegexRecognizer("TwAddressRecognizer", ["TW_ADDRESS"], address_pattern(), _validate_address, None, language),
        ChineseNameRecognizer(language, running_text=running_text),
        *([SegmentedNameRecognizer(language)] if running_text else []),
        LatinNameRecognizer(language),
        *([MixedNameRecognizer(language)] if running_text else []),
    ]
