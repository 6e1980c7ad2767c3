"""How the normalise stage's ledger rows hold edits, for the readers that query them in SQL.

A ``normalise`` event holds every edit of its record in one row, column by column::

    "edits": {"offset": [3, 9], "before": ["银", "帐户"], "after": ["銀", "帳戶"], "by": ["opencc", "term"]}

(records not yet through PII: ``before_chars`` / ``after_chars`` instead of ``before`` / ``after``).
Events written before 2026-12-03 hold a list of ``{"offset", "before", "after", "by"}`` objects;
:func:`edit_field` reads both.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"[a-z_]+")


def edit_field(name: str, detail: str = "detail") -> str:
    """SQL (DuckDB) for the list of one field of a normalise event's edits, in edit order.

    ``unnest()`` it to get one row per edit; several ``unnest`` of the same event line up edit by edit.

    >>> edit_field("by")
    "CASE json_type(detail, '$.edits') WHEN 'OBJECT' THEN json_extract_string(detail, '$.edits.by[*]') ELSE json_extract_string(detail, '$.edits[*].by') END"
    """
    if not _NAME.fullmatch(name) or not _NAME.fullmatch(detail.replace(".", "_")):
        raise ValueError(f"not a field name: {name!r} / {detail!r}")
    return (
        f"CASE json_type({detail}, '$.edits') WHEN 'OBJECT' THEN json_extract_string({detail}, '$.edits.{name}[*]')"
        f" ELSE json_extract_string({detail}, '$.edits[*].{name}') END"
    )
