"""The FalVMingLing XML form of law.moj.gov.tw records, mapped to the JSON key set.

The national law database publishes the same laws as JSON (``ChLaw.json``) and as XML
(``<LAWS><法規>…``, Chinese and English). :func:`xml_to_law` maps one ``<法規>`` element to the
dictionary :mod:`sources.law_moj` reads from the JSON form, so both take one path from there.
"""

from __future__ import annotations

from typing import Any

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
