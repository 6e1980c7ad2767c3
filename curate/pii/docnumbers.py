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
