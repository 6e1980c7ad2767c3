"""Official document numbers (發文字號): ``台財融(一)字第0928011234號``, ``金管證投字第0960012345號``.

Documents of the years ROC 90-99 carry ten-digit serials starting ``09`` (year, then the serial), the shape of a
mobile number, and laws' and regulators' texts cite them everywhere; a number written between ``字第`` and ``號`` is
such a serial, never a phone number (review 9). Offsets are those of the detection view (half-width digits).
"""

from __future__ import annotations

import re

#: ``字第`` right before a number (spaces between allowed)
_BEFORE = re.compile(r"[字]第[ \u3000]*$")
#: ``號`` right after it
_AFTER = re.compile(r"[ \u3000]*[號号]")
#: a later serial of a list of document numbers (``字第0938010350號及第0938010351號``, ``…號函、第…號令``): a cited
#: number, then ``及第``, ``、第`` ... right before the serial
_NUM = r"[ \u3000]*第[ \u3000]*\d+[ \u3000]*[號号][函令]?"
_AND = r"(?:[及、暨與,，]|以及)"
_LISTED = re.compile(rf"字{_NUM}(?:{_AND}{_NUM})*{_AND}[ \u3000]*第[ \u3000]*$")


def document_number(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is the serial of a document number (``…字第<start:end>號``): digits only (a
    serial is never grouped like a phone number, ``0912-345-678``).

    >>> t = "台財融(一)字第0928011234號函"
    >>> document_number(t, 8, 18), document_number("手機0928011234號碼", 2, 12)
    (True, False)
    >>> document_number("字第0912-345-678號", 3, 15)
    False
    >>> t = "台財融(一)字第0938010350號函及第0938010351號令"
    >>> document_number(t, 22, 32), document_number("客戶及第0938010351號", 4, 14)
    (True, False)
    """
    if not text[start:end].isdigit() or _AFTER.match(text, end) is None:
        return False
    return (
        _BEFORE.search(text, max(0, start - 6), start) is not None
        or _LISTED.search(text, max(0, start - 160), start) is not None
    )


#: labels naming the number right after them a serial (公告編號, 保單號碼, 交易序號, 案號, Order No.), not a card, a phone
#: number or an ID, whatever its shape (聯名卡贈品商品條碼 4710884000084, 保單號碼0912345678, 公告編號：A170561484);
#: `卡號`, `卡號碼`, `手機號碼`, `門號` are none of these
SERIAL_LABELS = tuple(
    "編號 序號 條碼 單號 訂單 批號 案號 追蹤碼 參考號 交易號 發票號 文號 約號 编号 序号 条码 单号 订单 发票号 文号 约号 "
    "order invoice tracking barcode serial ref policy contract case document".split()
)
#: what may stand between a serial label and its number (`Order No. `, `序號：`, `ref #`)
_SERIAL_GAP = re.compile(r"(?:\s*(?:no\.?|number|num\.?|#|reference)|(?<=[號号])[碼码])?[\s:\uff1a#]*$")
#: words that make a label ending in a serial's word a person's (身分證統一編號, 居留證編號, 客戶編號, 會員編號, ID
#: No.): an ID or a phone number after it is the person's own (a bank's customer number is often the ID, a shop's
#: member number the mobile number), not a serial
PERSONAL_LABEL_WORDS = tuple(
    "身分 身份 證 证 統一 统一 居留 護照 护照 戶 户 客 會員 会员 員 员 人 id identity arc member customer client user "
    "account".split()
)
#: the label's own characters: what follows the last separator before the gap
_LABEL_TAIL = re.compile(r"[^\s,.;:()\[\]，。；：、（）]*$")


#: a bracket right after a value that names it a person's ID or phone number (保單號碼：A123456789（要保人身分證）,
#: 案號0912345678（客戶手機）): the label is the form's, the value the person's; not one denying it (（系統編號，非身分證）)
_PERSONAL_NOTE = re.compile(
    r"[ \u3000]*[(（][^)）]{0,8}?(?<!非)(?<!不是)(?<!not )(?<!non-)(?:身分證|身份證|身分证|身份证|統一證號|统一证号|居留證|居留证|護照|护照|手機|手机|電話|电话"
    r"|行動|行动|門號|门号|ID\b|phone|mobile|tel\b)",
    re.IGNORECASE,
)


def serial_label_before(text: str, start: int, *, personal: bool = False, end: int | None = None) -> bool:
    """A serial label (:data:`SERIAL_LABELS`) ends right before ``start``, a colon, space or `No.` between allowed;
    with ``personal`` (an ID or a phone number), not one naming a person's number (:data:`PERSONAL_LABEL_WORDS`), nor
    one whose value ends at ``end`` before a bracket naming it a person's (:data:`_PERSONAL_NOTE`).

    >>> serial_label_before("保單號碼0912345678", 4, personal=True), serial_label_before("手機號碼0912345678", 4)
    (True, False)
    >>> serial_label_before("客戶反映其保單號碼0912345678", 9, personal=True)
    True
    >>> t = "身分證統一編號：A123456789"
    >>> serial_label_before(t, 8), serial_label_before(t, 8, personal=True)
    (True, False)
    >>> serial_label_before("保單號碼：A123456789（要保人身分證）", 5, personal=True, end=15)
    False
    >>> serial_label_before("交易序號：A123456789（系統編號，非身分證）", 5, personal=True, end=15)
    True
    """
    if personal and end is not None and _PERSONAL_NOTE.match(text, end):
        return False
    head = text[max(0, start - 16) : start].lower()
    head = head[: _SERIAL_GAP.search(head).start()]
    serial = next((w for w in SERIAL_LABELS if head.endswith(w)), None)
    if serial is None:
        return False
    # the serial's word and the four characters before it: 身分證統一編號, 會員編號 (not 客戶 in 客戶反映其保單號碼)
    label = _LABEL_TAIL.search(head).group()[-len(serial) - 4 :]
    return not (personal and any(w in label for w in PERSONAL_LABEL_WORDS))
