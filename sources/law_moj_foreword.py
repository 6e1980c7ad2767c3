"""A law's 前言 (``LawForeword``, FalVMingLing ``<前言>``) as a record of its own, before the articles.

The foreword was read and dropped: a law with one (中華民國憲法, 憲法增修條文, some statutes) was stored without it,
no skip counted, no row saying so (review 14). It is now the record ``law_moj:PCODE:LANG:preamble`` (locator
``PCODE/LANG/preamble``, title ``LawName 前言``, ``article_no`` ``前言`` or ``Preamble``, ``article_index`` -1),
versioned and licensed as the articles are. The set-based path (:mod:`sources.law_moj_sql`) builds the same record
byte for byte (an article of type ``P`` at index -1): a foreword does not cost a file the fast path (the full
ChLaw.json holds 中華民國憲法's); one that is not text sends the file to the Python path, which quarantines it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sources.base import Record, Rejection

#: the key and locator part of a foreword's record (article numbers are digits: it never collides)
KEY = "preamble"


def foreword(law: dict[str, Any], eng: bool) -> Any:
    """The law's foreword as given (an English FalVMingLing law maps ``<前言>`` to ``LawForeword`` too)."""
    return law.get("EngLawForeword", law.get("LawForeword")) if eng else law.get("LawForeword")


def foreword_records(
    locator: str,
    law: dict[str, Any],
    lang: str,
    law_meta: dict[str, Any],
    version_meta: dict[str, Any],
    licence_id: str | None,
    canon: Callable[[str], str],
) -> list[Record | Rejection]:
    """The foreword's record (none when it is blank or absent), or why it cannot be read (not text: the articles
    are still read, the law marked incomplete). ``canon`` makes line endings canonical as the articles' are
    (:func:`sources.law_moj.canonical_text`).

    >>> [r] = foreword_records("f.json", {"LawName": "中華民國憲法", "LawForeword": "中華民國國民大會…"}, "zh",
    ...                        {"pcode": "A0000001"}, {}, "OGDL-Taiwan-1.0", str)
    >>> r.doc_key, r.title, r.metadata["article_no"]
    ('law_moj:A0000001:zh:preamble', '中華民國憲法 前言', '前言')
    """
    eng, pcode = lang == "en", law_meta["pcode"]
    given = foreword(law, eng)
    if given is not None and not isinstance(given, str):
        return [Rejection(f"{locator}/{pcode}", "LawForeword is not text", repr(given)[:200], "law_moj")]
    text = canon(given or "")
    if not text.strip():
        return []
    label = "Preamble" if eng else "前言"
    own = {"article_no": label, "article_index": -1, "chapter": None}  # the metadata JSON as the articles' is built
    name = law.get("EngLawName") if eng else law.get("LawName")  # as the articles' titles (and the SQL path) have it
    return [
        Record(
            doc_key=f"law_moj:{pcode}:{lang}:{KEY}",
            locator=f"{pcode}/{lang}/{KEY}",
            text=text,
            source_id="law_moj",
            container=f"law_moj:{pcode}:{lang}",
            title=f"{name} {label}".strip(),
            lang=lang,
            licence_id=licence_id,
            metadata={**law_meta, **own},
            metadata_json=json.dumps(law_meta, ensure_ascii=False)[:-1] + "," + json.dumps(own, ensure_ascii=False)[1:],
            version_metadata=version_meta,
            as_of=law_meta.get("law_modified_date"),
        )
    ]
