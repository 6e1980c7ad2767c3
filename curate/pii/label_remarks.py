"""A form's remark between a label and its colon (``英文姓名（同護照）：HUANG SHU-FEN``, ``戶名（英文）：``,
``Full Name (as in passport): KAO, HSIN-YI``, ``持卡人英文姓名（凸印於卡面）：``): the label rules read a label, spaces
and a colon, so the value after such a remark went through (review 13). The label pass also reads a copy of the
text with each such remark made spaces (same length, same offsets); the remark's own words are read as written by
every other rule and by the label pass on the text itself."""

from __future__ import annotations

import re

#: a short bracketed remark without digits or a colon, after a label's last character and before a colon
_REMARK = re.compile(r"(?<=[A-Za-z\u3400-\u4dbf\u4e00-\u9fff]) ?[（(][^（）()\n\d:：]{1,32}[）)](?=[ \u3000]*[:：])")


def without_remarks(text: str) -> str | None:
    """``text`` with every label's remark made spaces (None: it holds none).

    >>> without_remarks("英文姓名（同護照）：HUANG SHU-FEN")
    '英文姓名     ：HUANG SHU-FEN'
    >>> without_remarks("Full Name (as in passport): KAO, HSIN-YI")
    'Full Name                 : KAO, HSIN-YI'
    >>> without_remarks("電話（02）：2345") is None, without_remarks("姓名：林大同（男）") is None
    (True, True)
    """
    if "(" not in text and "（" not in text:
        return None
    blanked = _REMARK.sub(lambda m: " " * len(m.group()), text)
    return None if blanked == text else blanked
