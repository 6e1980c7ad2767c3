"""Whose address: an institution's (a branch's, the head office's) or a person's (review 15).

An address with an institution's word before it (分行, 總行, 本行: ``信義分行地址：臺北市…``) is the institution's and
stays. A line that opens with a branch's name and then gives a visitor's or customer's own address
(``大安分行訪客：賴俊傑（夫妻），住址臺北市大安區和平東路二段96巷8號``) kept the person's home address in clear: a
person's address word (住址, 戶籍, 通訊地址) nearer the address than the institution's word makes it the person's.
"""

from __future__ import annotations

from curate.pii.context import context_window

#: words that name a person's own address (both scripts)
PERSONAL_ADDRESS_WORDS = (
    "住址 住所 住家 居所 居住 現居 现居 戶籍 户籍 通訊地址 通讯地址 聯絡地址 联络地址 寄送地址 住於 住于 住在"
).split()


def institution_address(text: str, start: int, end: int, words: tuple[str, ...], before: int = 20) -> bool:
    """Whether the address at ``text[start:end]`` is an institution's: one of ``words`` stands in the ``before``
    characters before it, with no person's address word after that one.

    >>> w = ("分行", "本行")
    >>> t = "大安分行訪客：賴俊傑，住址臺北市大安區和平東路二段96巷8號"
    >>> institution_address(t, t.index("臺"), len(t), w)
    False
    >>> t = "信義分行地址：臺北市信義區松仁路7號"
    >>> institution_address(t, t.index("臺"), len(t), w)
    True
    """
    window = context_window(text, start, end, before, 0).lower()
    inst = max(window.rfind(w) for w in words)
    return inst >= 0 and max(window.rfind(w) for w in PERSONAL_ADDRESS_WORDS) < inst
