"""An institution's contact line (review 14): ``○○銀行信義分行　電話(02)2720-1234　傳真(02)2720-5678``,
``總行營業部 FAX：02-2389-1122``.

Institutions publish their landlines and fax numbers; they are no one's personal data (a customer's fax, ``客戶周佩君
傳真號碼：(03)425-8871``, is). The phone rules read an institution's word (本行, 分行電話, 客服) in a short window
before a number, so the second number of a branch's line, or a number after a department's name and ``FAX：``, was
read as a person's. Here a landline is an institution's when its line (from the last line or sentence break) opens
with an institution's name, a run of Han characters ending in an institution's word (銀行, 分行, 營業部, 公司 ...),
and holds nothing but contact labels, separators and other numbers between that name and the number. A mobile
number stays a person's.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: how far back the line of a number is read
_REACH = 60
#: words that end a department's or an office's name, besides an institution's (curate.pii.orgs.ORG_ENDINGS)
_UNIT_ENDINGS = (
    "營業部",
    "营业部",
    "總行",
    "总行",
    "總公司",
    "总公司",
    "分公司",
    "辦事處",
    "办事处",
    "服務處",
    "服务处",
)
#: what may stand between the name and the number: contact labels, separators, numbers, extensions
_CONTACT = (
    r"(?:服務|服务|客服|營業|营业|電話|电话|傳真|传真|總機|总机|代表號|代表号|分機|分机|轉|转|專線|专线|[Tt][Ee][Ll]\.?|[Ff][Aa][Xx]|[Pp]hone"
    r"|[\s:：,，、/()（）#+\-\d.]|\u3000)*"
)
#: the institution's own address between its name and its number (``本行信義分行地址：臺北市信義區松仁路7號，電話…``,
#: review 17): published as its numbers are; the clause ends at a comma, an enumeration comma, a space or right before
#: a phone label (the detection view joins ``松仁路7號 電話`` into ``松仁路7號電話``)
_ADDRESS = (
    r"(?:[\s\u3000]*(?:地址|地点|地點|位址|住址)[:：]?[^，,、。;；!?！？\n\s\u3000]{1,40}?"
    r"(?:[，,、\s\u3000]|(?=電話|电话|傳真|传真|服務|服务|客服|總機|总机|代表號|代表号|專線|专线|[Tt][Ee][Ll]|[Ff][Aa][Xx]|[Pp]hone)))"
)
#: a verb of working somewhere or a person's word: the name is a person's employer, not the line's subject
_WORKS_AT = (
    "任職",
    "任职",
    "服務於",
    "服务于",
    "上班",
    "工作",
    "就職",
    "就职",
    "本人",
    "客戶",
    "客户",
    "申請人",
    "申请人",
)
_WORKS_AT += ("我", "他", "她", "您", "其")


@lru_cache(maxsize=1)
def _line() -> re.Pattern[str]:
    from curate.pii.orgs import ORG_ENDINGS

    ends = "|".join(sorted(map(re.escape, ORG_ENDINGS + _UNIT_ENDINGS), key=len, reverse=True))
    return re.compile(
        rf"[\s\u3000]*(?P<name>[\u4e00-\u9fff○]{{1,20}}?(?:{ends}))(?:[\s\u3000]*[\u4e00-\u9fff]{{0,8}}部)?"
        rf"{_ADDRESS}?{_CONTACT}$"
    )


def institution_line(text: str, start: int) -> bool:
    """Whether the number at ``start`` stands in a line that opens with an institution's name and holds only its
    contact values before it.

    >>> t = "○○銀行信義分行　電話(02)2720-1234　傳真(02)2720-5678"
    >>> institution_line(t, t.index("(02)2720-5678")), institution_line("總行營業部 FAX：02-2389-1122", 11)
    (True, True)
    >>> institution_line("客戶周佩君傳真號碼：(03)425-8871", 10), institution_line("王小明任職玉山銀行 電話02-2345-6789", 12)
    (False, False)
    >>> institution_line("中壢分行 服務電話：(03)422-7788", 10), institution_line("本人在示範公司 電話02-2345-6789", 10)
    (True, False)
    >>> t = "本行信義分行地址：臺北市信義區松仁路7號，電話02-2723-5678"
    >>> institution_line(t, t.index("02-")), institution_line("客戶王小明地址：臺北市松仁路7號，電話02-2723-5678", 24)
    (True, False)
    >>> t = "本行信義分行地址：臺北市信義區松仁路7號電話02-2723-5678"
    >>> institution_line(t, t.index("02-")), institution_line("客戶王小明地址：臺北市松仁路7號電話02-2723-5678", 23)
    (True, False)
    """
    return line_start(text, start) is not None


def line_start(text: str, start: int) -> int | None:
    """Where the institution's name of the contact line of the number at ``start`` starts (None: no such line)."""
    lo = max(0, start - _REACH)
    head = text[lo:start]
    cut = max(head.rfind(c) for c in "。!?;\n！？；")
    if cut < 0 and start > _REACH:
        return None
    m = _line().match(head, cut + 1)
    if m is None or any(w in m.group("name") for w in _WORKS_AT):
        return None
    return lo + m.start("name")


def drop_institution_lines(text: str, spans: list) -> list:
    """``spans`` without the landlines of an institution's contact line (a mobile number stays). A line whose name
    holds a person's (``保證人張淑芬 示範商行 電話…``, ``王小明 示範公司 電話…``: the detection view joins the words) is
    that person's line: the number is the person's work phone, personal data as a customer's is.

    >>> from curate.pii.span import Span
    >>> t = "王小明 示範公司 電話02-2345-6789"
    >>> len(drop_institution_lines(t, [Span(0, 3, "PERSON", 1.0, "x"), Span(11, 23, "TW_PHONE", 1.0, "x")]))
    2
    """
    from curate.pii.validators import classify_phone

    people = [s.start for s in spans if s.entity_type == "PERSON"]

    def institutions(s) -> bool:
        if s.entity_type != "TW_PHONE" or classify_phone(text[s.start : s.end]) != "LANDLINE":
            return False
        at = line_start(text, s.start)
        return at is not None and not any(at <= p < s.start for p in people)

    return [s for s in spans if not institutions(s)]
