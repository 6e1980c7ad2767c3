"""The FalVMingLing XML form of law.moj.gov.tw records, mapped to the JSON key set.

The national law database publishes the same laws as JSON (``ChLaw.json``) and as XML
(``<LAWS><法規>…``, Chinese and English). :func:`xml_to_law` maps one ``<法規>`` element to the
dictionary :mod:`sources.law_moj` reads from the JSON form, so both take one path from there.
"""

from __future__ import annotations

import re
from typing import Any

from sources import capped
from sources.documents.text import BIG5_LABELS

#: control characters XML 1.0 forbids (files in the wild carry them; removed before parsing)
_CTRL_RE = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CTRL_TEXT_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DECL_ENCODING_RE = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])[^"']*""")
#: UTF-16 by its byte-order mark, or without one by the bytes of ``<?``
_UTF16 = ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"), (b"<\x00?\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"))
_DECLARED_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_\-]+)""")


def xml_bytes(data: bytes) -> bytes:
    r"""The bytes lxml parses: forbidden control characters removed, UTF-16 and Big5 re-encoded as UTF-8.

    UTF-16 is decoded first (removing those bytes from it would destroy it: half its bytes are NUL in
    ASCII) and its declaration made to say UTF-8; a declared Big5 is read as CP950, as text files are (libxml2's
    Big5 turns ～ into ∼ and refuses ／), when it decodes; any other encoding is left to its declaration.
    Raises ``ValueError`` with the quarantine reason for UTF-32 or broken UTF-16.

    >>> xml_bytes('<?xml version="1.0" encoding="UTF-16"?><a>法\x01</a>'.encode("utf-16")).decode()
    '<?xml version="1.0" encoding="UTF-8"?><a>法</a>'
    """
    if capped.utf32_bom(data):  # its BOM starts with UTF-16's
        raise ValueError(capped.REASON_UTF32)
    codec = next((c for bom, c in _UTF16 if data.startswith(bom)), None)
    if codec is None:
        return _big5_as_utf8(data) or _CTRL_RE.sub(b"", data)
    try:
        text = data.decode(codec).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-16 at byte {exc.start}") from exc
    return _CTRL_TEXT_RE.sub("", _DECL_ENCODING_RE.sub(r"\1UTF-8", text, count=1)).encode("utf-8")


def _big5_as_utf8(data: bytes) -> bytes | None:
    """A document declared Big5 as UTF-8 bytes (read as CP950, its declaration made to say UTF-8); None when it
    declares another encoding or does not decode (libxml2 then keeps what parses before the bad byte).

    >>> _big5_as_utf8('<?xml version="1.0" encoding="Big5"?><a>１～３</a>'.encode("cp950")).decode()
    '<?xml version="1.0" encoding="UTF-8"?><a>１～３</a>'
    """
    m = _DECLARED_RE.match(data)
    if m is None or m.group(1).decode("ascii").lower() not in BIG5_LABELS:
        return None
    try:
        text = data.decode("cp950")
    except UnicodeDecodeError:
        return None
    return _CTRL_TEXT_RE.sub("", _DECL_ENCODING_RE.sub(r"\1UTF-8", text, count=1)).encode("utf-8")


# XML tag -> JSON key (Chinese and English FalVMingLing)
XML_KEYS = {
    "法規性質": "LawLevel",
    "法規名稱": "LawName",
    "法規網址": "LawURL",
    "法規類別": "LawCategory",
    "最新異動日期": "LawModifiedDate",
    "生效日期": "LawEffectiveDate",
    "生效內容": "LawEffectiveNote",
    "廢止註記": "LawAbandonNote",
    "是否英譯註記": "LawHasEngVersion",
    "英文法規名稱": "EngLawName",
    "沿革內容": "LawHistories",
    "前言": "LawForeword",
    "中文法規名稱": "LawName",
    "最新英文異動日期": "EngLawModifiedDate",
}


def _text(el) -> str:
    return "".join(el.itertext()) if el is not None else ""


def xml_to_law(el) -> tuple[dict[str, Any], str]:
    """Map a ``<法規>`` element to the JSON key set; returns (law, lang)."""
    eng = el.find("最新英文異動日期") is not None or el.find("中文法規名稱") is not None
    law: dict[str, Any] = {}
    for child in el:
        if not isinstance(child.tag, str):
            continue
        key = XML_KEYS.get(child.tag)
        if key:
            law[key] = (
                _text(child).strip() if key not in ("LawEffectiveNote", "LawHistories", "LawForeword") else _text(child)
            )
    url = law.pop("LawURL", "")
    prefix = "Eng" if eng else ""
    law[f"{prefix}LawURL" if eng else "LawURL"] = url
    if eng:
        law["EngLawName"] = law.get("EngLawName", "")
        law["EngLawModifiedDate"] = law.get("EngLawModifiedDate", "")
        law["EngLawAbandonNote"] = law.pop("LawAbandonNote", "")
    files = []
    for f in el.findall("附件/檔案"):
        files.append({"FileName": _text(f.find("檔案名稱")).strip(), "FileURL": _text(f.find("下載網址")).strip()})
    law[f"{prefix}LawAttachements"] = files
    arts = []
    body = el.find("法規內容")
    if body is not None:
        for node in body:
            if node.tag == "編章節":
                arts.append(
                    {f"{prefix}ArticleType": "C", f"{prefix}ArticleNo": "", f"{prefix}ArticleContent": _text(node)}
                )
            elif node.tag == "條文":
                content_el = node.find("條文內容")
                arts.append(
                    {
                        f"{prefix}ArticleType": "A",
                        f"{prefix}ArticleNo": _text(node.find("條號")).strip(),
                        f"{prefix}ArticleContent": _text(content_el) if content_el is not None else None,
                    }
                )
    law[f"{prefix}LawArticles"] = arts
    return law, ("en" if eng else "zh")
