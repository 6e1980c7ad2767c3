"""Organisations after a person's label: a sanction's respondent is most often an institution.

``受處分人：玉山銀行`` and ``相對人：花旗（台灣）商業銀行股份有限公司`` name the bank the regulator sanctioned, not a
person: a labelled value of four Han characters or fewer is otherwise taken whole as a name
(:func:`curate.pii.labels._value_end`), and a labelled name is scrubbed in every record of its source, so each
mention of the bank in the whole FSC source became ``〔姓名〕`` (review 9). Under the PDPA a sanction text masks
individuals' names, IDs and addresses and keeps company names and their 統一編號.
"""

from __future__ import annotations

import re

#: words that end an institution's name (玉山銀行, 富邦人壽, 凱基證券, 示範投信, 大文商行, 板橋農會); Simplified
#: sentences are read in Taiwan characters by the detector, the few that differ are listed too
ORG_ENDINGS = (
    "銀行",
    "公司",
    "人壽",
    "產險",
    "產物",
    "證券",
    "投信",
    "投顧",
    "期貨",
    "票券",
    "保險",
    "金控",
    "信合社",
    "合作社",
    "農會",
    "漁會",
    "分行",
    "商行",
    "企業社",
    "事務所",
    "基金會",
    "協會",
    "郵局",
    "郵政",
    "集團",
    "信託",
    "交易所",
    "中心",
    "公會",
    "银行",
    "人寿",
    "证券",
    "期货",
    "保险",
    "农会",
    "渔会",
    "集团",
)
#: a place in brackets inside an institution's legal name (花旗（台灣）商業銀行, 匯豐(台灣)商業銀行), then the rest of it
_PLACE_BRACKET = re.compile(
    r"[（(](?:台灣|臺灣|台湾|中華|中华|中國|中国|香港|澳門|澳门|亞洲|亚洲|新加坡|美國|美国|日本|英國|英国|瑞士|德國|德国"
    r"|法國|法国|荷蘭|荷兰|韓國|韩国|泰國|泰国|越南|澳洲|加拿大|開曼|开曼|百慕達|大陸|大陆|國際|国际)[)）]"
    r"(?P<rest>[\u4e00-\u9fff]{1,16})"
)


def is_organisation(text: str, start: int, run: str) -> bool:
    """Whether the labelled Han value ``run`` at ``start`` of ``text`` names an institution: it ends in one of
    :data:`ORG_ENDINGS` (the part before ``即``: ``林示範即示範商行`` names the owner of a sole proprietorship), or a
    bracketed place and the rest of a legal name ending in one follow it.

    >>> t = "受處分人：花旗（台灣）商業銀行股份有限公司"
    >>> is_organisation(t, 5, "花旗"), is_organisation("受處分人：玉山銀行", 5, "玉山銀行")
    (True, True)
    >>> is_organisation("受處分人：林示範即示範商行", 5, "林示範即示範商行"), is_organisation("姓名：王小明（業務員）", 3, "王小明")
    (False, False)
    """
    head = run.split("即", 1)[0]
    if head != run:
        return False
    if head.endswith(ORG_ENDINGS):
        return True
    m = _PLACE_BRACKET.match(text, start + len(run))
    return m is not None and any(e in m.group("rest") for e in ORG_ENDINGS)
