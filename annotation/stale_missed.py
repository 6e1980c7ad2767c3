"""A stale 漏標: personal data a PII reviewer marked in a version replaced before the pull (a proofreading correction
pulled first). Its regions no longer fit the current version, but the values they mark are in it all the same
when the correction kept them: left there, the current version (active, exported) shows a name the bank's own
reviewer marked, and no later check knows it (`curate pii scan` learns values from what the detector finds, and
the detector missed it). Each marked value is masked wherever the current version of the document shows it, in a
new version (a ``pii_review`` event naming the stale review's record), and the current version sealed with the one
the reviewer read. So are those of a 漏標 of a version the PII stage sealed since its push (:func:`sealed_marked`).
A current version withdrawn since (it was active when withdrawn: a reinstatement makes it active
again, text and all) is masked as well, its new version held withdrawn with it
(:func:`annotation.withdrawn_reviews.hold_withdrawn`)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import duckdb

from annotation.versions import NewVersion
from annotation.withdrawn_reviews import withdrawn_while_active
from provenance.pii_rule import TYPED_STAGES

#: a marked value shorter than this is not looked for elsewhere (as propagation: curate/pii/propagate.py)
MIN_CHARS = 2

#: stages whose versions hold text a person typed (keyed until the PII stage checks them, whatever their source)
TYPED = ", ".join(f"'{s}'" for s in TYPED_STAGES)


def marked_values(text: str | None, added: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(value, placeholder type) of each 漏標 region of ``text`` (regions in code points)."""
    if not text:
        return []
    out = []
    for s in added:
        value = text[s["start"] : s["end"]]
        if len(value.strip()) >= MIN_CHARS:
            out.append((value, s["type"]))
    return out


def sealed_marked(data: dict[str, Any] | None, result: list[dict[str, Any]]) -> tuple[str | None, list[dict[str, Any]]]:
    """The text a PII review task showed and the 漏標 regions of ``result`` in it, for a version sealed since its
    push (its text is in the vault alone, the annotation ``stale``: :func:`annotation.decide.sealed_since_push`):
    the newer version the PII stage made may show the value its detector missed and the reviewer marked."""
    from annotation.errors import InvalidAnnotation
    from annotation.review import read_review

    shown = (data or {}).get("text")
    if not isinstance(shown, str) or not shown:
        return None, []
    try:
        return shown, read_review(shown, data or {}, result).added
    except InvalidAnnotation:
        return None, []


#: a CJK character (supplementary ideographs too: 陳𠀋文) and what may stand between two of them in a value the text
#: spells the same: a horizontal space (hygiene keeps a tab or U+3000 there: a form's 石　家銘) or a zero-width character
_CJK = "\u2e80-\u2fdf\u3001-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff"
_GAP = "[ \t\u00a0\u1680\u2000-\u200f\u202f\u205f\u2060\u3000\ufeff]"
_GAP_IN = re.compile(f"(?<=[{_CJK}]){_GAP}+(?=[{_CJK}])")


@lru_cache(maxsize=4096)
def _value_pattern(value: str) -> re.Pattern[str]:
    """``value`` as a pattern that also finds it spaced otherwise between two CJK characters (石家銘, 石　家銘).

    >>> bool(_value_pattern("石\u3000家銘").fullmatch("石家銘")), bool(_value_pattern("石家銘").fullmatch("石\t家 銘"))
    (True, True)
    """
    chars = _GAP_IN.sub("", value) or value
    cjk = re.compile(f"[{_CJK}]")
    parts = [re.escape(chars[0])] if chars else []
    for a, b in zip(chars, chars[1:], strict=False):
        parts.append((f"{_GAP}*" if cjk.match(a) and cjk.match(b) else "") + re.escape(b))
    return re.compile("".join(parts))


def unspaced(value: str) -> str:
    """``value`` without what stands between two of its CJK characters (石　家銘 -> 石家銘: hygiene keeps a tab or
    U+3000 there), for comparing values however the text spaced them.

    >>> unspaced("石\u3000家銘"), unspaced("石\t家 銘"), unspaced("ABC 公司")
    ('石家銘', '石家銘', 'ABC 公司')
    """
    return _GAP_IN.sub("", value)


def mask_values(text: str, values: list[tuple[str, str]]) -> str | None:
    """``text`` with every occurrence of each value replaced by its placeholder, longest value first (None: none
    of them is in it). A value is found however the text spaces it between CJK characters (:func:`_value_pattern`):
    hygiene keeps a tab or full-width space there, so a name marked as 石　家銘 is also 石家銘 in the title."""
    out = text
    for value, etype in sorted(values, key=lambda v: -len(v[0])):
        out = _value_pattern(value).sub(f"〔{etype}〕", out)
    return None if out == text else out


def mask_strings(value: Any, values: list[tuple[str, str]]) -> Any:
    """Every string inside ``value`` (dicts, lists) with the marked values masked.

    >>> mask_strings({"contact": "陳大文", "n": 2, "tags": ["陳大文案"]}, [("陳大文", "姓名")])
    {'contact': '〔姓名〕', 'n': 2, 'tags': ['〔姓名〕案']}
    """
    if isinstance(value, str):
        masked = mask_values(value, values)
        return value if masked is None else masked
    if isinstance(value, dict):
        return {k: mask_strings(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_strings(v, values) for v in value]
    return value


def _fields_show(title: str | None, meta: str | None, values: list[tuple[str, str]]) -> bool:
    """Whether a title or metadata (JSON text) shows one of ``values`` in a string (masked there by
    :func:`annotation.missed_fields.mask_fields`)."""
    import json

    fields = [title, json.loads(meta) if meta else None]
    return mask_strings(fields, values) != fields


def current_versions(
    con: duckdb.DuckDBPyConnection, marked: dict[str, tuple[list[tuple[str, str]], str | None]]
) -> list[tuple[str, NewVersion]]:
    """(reviewed version, new version) for each current version of a reviewed version's document (active, or
    withdrawn while active) that shows a value a stale 漏標 marked (``marked``: reviewed record id -> (values,
    annotator actor))."""
    if not marked:
        return []
    rows = con.execute(
        "SELECT o.record_id, c.record_id, c.text, (coalesce(s.pii_expected, false) OR coalesce(c.stage IN"
        f" ({TYPED}), false)) AND c.pii_state IS NULL, c.status,"
        " c.title, CAST(c.metadata AS VARCHAR)"
        " FROM records o JOIN records c"
        " ON c.source_id = o.source_id AND c.doc_key = o.doc_key AND c.status IN ('active', 'withdrawn')"
        " AND c.text IS NOT NULL"
        " LEFT JOIN sources s ON s.source_id = c.source_id WHERE o.record_id IN (SELECT unnest(?::VARCHAR[])) AND c.record_id <> o.record_id"
        " ORDER BY o.record_id, c.record_id",
        [sorted(marked)],
    ).fetchall()
    # a withdrawn one only if it was active when withdrawn (one withdrawn as superseded is no current version)
    held = withdrawn_while_active(con, [r[1] for r in rows if r[4] == "withdrawn"])
    out, seen = [], set()
    for reviewed, current, text, keyed, status, title, meta in rows:  # keyed: raw or typed text (pii_rule)
        if status == "withdrawn" and current not in held:
            continue
        values, actor = marked[reviewed]
        new_text = mask_values(text, values)
        if new_text is None and _fields_show(title, meta, values):  # the title or metadata alone (missed_fields)
            new_text = text
        if new_text is None or current in seen:
            continue
        seen.add(current)
        detail = {"stale_review_of": reviewed, "masked": [{"type": t, "chars": len(v)} for v, t in values]}
        out.append((reviewed, NewVersion(current, new_text, "pii_review", detail, actor, keyed=keyed)))
    return out
