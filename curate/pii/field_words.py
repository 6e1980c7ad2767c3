"""A table's header cell or a field's name where a labelled value should be: ``戶名\\t存款帳號\\t開戶分行`` (a header
row whose first cell is a name label), ``姓名\\tFull Name`` (a bilingual header), ``客戶：身分證是…`` (a chat turn
after a role label), ``客戶：民國68年…`` (a date). The label rules read the cell after a name label as the name, and
scrubbed the header (review 13). A value that opens or ends with a field's word names a field, never a person."""

from __future__ import annotations

import re

#: words a field's name opens or ends with (帳號, 存款帳號, 分機, 身分證…); none opens or ends a person's name
FIELD_WORDS = tuple(
    (
        "帳號 账号 帳戶 账户 分機 分机 電話 电话 手機 手机 號碼 号码 編號 编号 日期 地址 住址 分行 金額 金额 證號 证号 "
        "身分證 身份證 身分证 身份证 信箱 額度 额度 國籍 国籍 性別 性别 職稱 职称 部門 部门 備註 备注 民國 民国 卡號 卡号 "
        "護照 护照 統編 统编 生日 出生 "
        # review 16: a form's particulars beside 姓名 (姓名\t職業 read 職業 as the name under its label)
        "職業 职业 學歷 学历 婚姻 年齡 年龄 收入 職務 职务 單位 单位 關係 关系"
    ).split()
)
#: an account's kind after 戶名 (薪轉戶, 備償專戶, 公司戶, 信託專户: review 15): no given name ends with 戶, and the
#: value, read as a name, was scrubbed in every record of the source
ACCOUNT_KINDS = ("戶", "户")
#: those a field's name may end with: not 民國, a given name (王民國, 李民國), where a field opens with it (民國68年)
#: and a name head (員工姓名, 帳戶戶名: a form's label in a table's cell, under another name header), never a name's end
FIELD_ENDINGS = (*(w for w in FIELD_WORDS if w not in ("民國", "民国")), "姓名", "戶名", "户名", *ACCOUNT_KINDS)
#: English words of a field's name (Full Name, ID No., Mobile, Date of Birth): none is a word of a person's name
LATIN_FIELD_WORDS = frozenset(
    "name names number address mobile phone telephone email e-mail birth nationality passport signature gender".split()
)


def is_field_name(run: str) -> bool:
    """Whether a Han value names a field rather than a person.

    >>> [is_field_name(v) for v in ("存款帳號", "分機", "身分證是", "民國", "員工姓名", "林大同", "帳大同", "王民國")]
    [True, True, True, True, True, False, False, False]
    >>> [is_field_name(v) for v in ("薪轉戶", "備償專戶", "林戶明")]
    [True, True, False]
    """
    return run.startswith(FIELD_WORDS) or run.endswith(FIELD_ENDINGS)


#: a reply a transcript's turn opens with after a role's tag (``客服：還有其他問題嗎？⏎客戶：沒有``): what the person said,
#: not their name (review 14). Two characters or more, so no single-character surname is lost; none opens a name
REPLY_OPENERS = tuple(
    (
        "沒有 没有 沒問題 没问题 沒事 没事 沒關係 没关系 好的 好啊 好喔 謝謝 谢谢 不是 不用 不要 不會 不会 不了 可以 知道 "
        "了解 瞭解 明白 收到 是的 對的 对的 對啊 对啊 還好 还好 還沒 还没 請問 请问 稍等 對不起 对不起 不好意思 嗯嗯 喔喔 "
        # review of the fixes 14: replies as common as those, each read as the customer's name and propagated
        "沒錯 没错 沒了 没了 不知道 不清楚 不需要 不必 好吧 好啦 對呀 对呀 對啦 对啦 對對 对对 是啊 是喔 有的 有啊 有喔 "
        "再見 再见 拜拜 謝了 谢了 感謝 感谢 算了 當然 当然 等一下 等等 確定 确定 恩恩 哈囉 哈啰 早安 午安 晚安 麻煩 麻烦 "
        "還有 还有 需要 應該 应该 大概 可能 忘記 忘记 那個 那个"
    ).split()
)


def is_reply(run: str) -> bool:
    """Whether a Han value after a role's tag opens with a reply (a turn of a transcript), so names nobody.

    >>> [is_reply(v) for v in ("沒有", "沒有問題", "好的謝謝", "不用了", "王小明", "謝明", "沒")]
    [True, True, True, True, False, False, False]
    """
    return run.startswith(REPLY_OPENERS)


#: a next field's colon after a Latin value's last word, a dot (``No.``) or a space before it allowed
_LABEL_COLON = re.compile(r"\.?[ \u3000]?[:：]")
#: words of an English label that may stand before its last word (``ARC No.``, ``ID No.``, ``Passport Number``)
LABEL_HEAD_WORDS = frozenset("arc id nhi ubn acct tel fax card account".split()) | LATIN_FIELD_WORDS


def next_label_words(text: str, words: list[str], end: int) -> int:
    """How many of a Latin value's last ``words`` (the value ends at ``end``) are the next field's label before its
    colon: the last word (``Mary Wang Phone:``) and the label's words before it (``Maria Santos Dela Cruz ARC No.:``,
    review 18: the value ran on to ``ARC No``); one word at least is left to the value.

    >>> t = "Sender: Maria Santos Dela Cruz ARC No.: A1"
    >>> next_label_words(t, t[8:37].split(), 37), next_label_words("Mary Wang Phone: 1", ["Mary", "Wang", "Phone"], 15)
    (2, 1)
    >>> next_label_words("Mary Wang on", ["Mary", "Wang"], 9)
    0
    """
    if len(words) < 2 or not _LABEL_COLON.match(text, end):
        return 0
    k = 1
    while k < len(words) - 1 and words[-k - 1].lower() in LABEL_HEAD_WORDS:
        k += 1
    return k
