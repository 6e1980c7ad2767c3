"""A 漏標's values in the title and metadata of the version that masks them.

A PII reviewer who marks a name the PII stage missed (漏標) marks it in the text, but a record's title and metadata
strings often show the same person (``陳大文協商紀錄``, ``{"contact": "陳大文"}``). The new version masks each marked value
wherever its parent's title and metadata strings show it too, so that the version exported, pushed and shown in the
portal no longer names the person, and the sealed version's title and metadata go to the vault as the PII stage's
sealing moves them (:func:`curate.pii.vault.seal_raw_records`: a raw version whose scrubbed successor shows them
differently).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import duckdb

from annotation.stale_missed import mask_strings
from annotation.versions import NewVersion


def _patch(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The JSON merge patch from ``old`` to ``new`` (same keys, only strings changed): the changed members alone, so
    that no ``null`` of the parent's (which a merge patch reads as "remove") is in it.

    >>> _patch({"a": "陳大文", "b": None, "c": {"d": "陳大文", "e": None}}, {"a": "〔姓名〕", "b": None, "c": {"d": "〔姓名〕", "e": None}})
    {'a': '〔姓名〕', 'c': {'d': '〔姓名〕'}}
    """
    return {
        k: _patch(old[k], v) if isinstance(v, dict) and isinstance(old.get(k), dict) else v
        for k, v in new.items()
        if v != old.get(k)
    }


def mask_fields(
    con: duckdb.DuckDBPyConnection, versions: list[NewVersion], marked: dict[str, list[tuple[str, str]]]
) -> list[NewVersion]:
    """``versions`` with the values ``marked`` for their parent (parent id -> (value, placeholder type)) masked in
    the parent's title and metadata too, where those show one."""
    parents = sorted({v.parent_id for v in versions if marked.get(v.parent_id)})
    if not parents:
        return versions
    fields = {
        rid: (title, json.loads(meta) if meta else None)
        for rid, title, meta in con.execute(
            "SELECT record_id, title, CAST(metadata AS VARCHAR) FROM records WHERE record_id IN (SELECT unnest(?))",
            [parents],
        ).fetchall()
    }
    out = []
    for v in versions:
        values = marked.get(v.parent_id)
        if not values or v.parent_id not in fields:
            out.append(v)
            continue
        title, meta = fields[v.parent_id]
        new_title = mask_strings(title, values)
        new_meta = mask_strings(meta, values) if isinstance(meta, dict) else meta
        out.append(
            dataclasses.replace(
                v,
                title=new_title if new_title != title else v.title,
                metadata=_patch(meta, new_meta) if new_meta != meta else v.metadata,
            )
        )
    return out


def sealed_fields(
    con: duckdb.DuckDBPyConnection, record_ids: list[str], marked: dict[str, list[tuple[str, str]]]
) -> list[tuple[str, str, str, str]]:
    """(record id, column, raw value, shown value) of the titles and metadata of sealed versions (``record_ids``
    -> the values marked for them, ``marked``) that show a marked value: what the vault takes (a version the masked
    one inherited its PII state from unchecked, a proofreading correction, is not sealed field by field otherwise)."""
    ids = sorted(r for r in record_ids if marked.get(r))
    if not ids:
        return []
    out = []
    for rid, title, meta in con.execute(
        "SELECT record_id, title, CAST(metadata AS VARCHAR) FROM records WHERE record_id IN (SELECT unnest(?))", [ids]
    ).fetchall():
        new_title = mask_strings(title, marked[rid])
        if new_title != title:
            out.append((rid, "title", title, new_title))
        obj = json.loads(meta) if meta else None
        new_obj = mask_strings(obj, marked[rid])
        if new_obj != obj:
            out.append((rid, "metadata", meta, json.dumps(new_obj, ensure_ascii=False)))
    return out


def earlier_versions(con: duckdb.DuckDBPyConnection, record_ids: list[str]) -> list[tuple[str, str]]:
    """(version id, reviewed version of ``record_ids`` whose chain it is on) of every version on their chains that is
    not active, those sealed before included: a raw version the PII stage sealed shows its scrubbed successor's title
    and metadata, which show the values the PII stage missed (review 11 of the fix)."""
    if not record_ids:
        return []
    return con.execute(
        """
        WITH RECURSIVE chain(reviewed, rid, depth) AS (
            SELECT record_id, record_id, 0 FROM records WHERE record_id IN (SELECT unnest(?::VARCHAR[]))
            UNION ALL
            SELECT c.reviewed, r.version_of, c.depth + 1 FROM chain c JOIN records r ON r.record_id = c.rid
            WHERE r.version_of IS NOT NULL AND c.depth < 64)
        SELECT DISTINCT ON (r.record_id) r.record_id, c.reviewed FROM chain c JOIN records r ON r.record_id = c.rid
        WHERE r.status <> 'active' ORDER BY r.record_id, c.depth""",
        [sorted(record_ids)],
    ).fetchall()


__all__ = ["earlier_versions", "mask_fields", "mask_strings", "sealed_fields"]
