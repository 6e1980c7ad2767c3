"""How the normalise stage's ledger rows hold edits and flags, for the readers that query them in SQL.

A ``normalise`` event holds every edit of its record in one row, column by column::

    "edits": {"offset": [3, 9], "before": ["银", "帐户"], "after": ["銀", "帳戶"], "by": ["opencc", "term"]}

(records not yet through PII: ``before_chars`` / ``after_chars`` instead of ``before`` / ``after``), and its
``flag`` event the flags the same way: ``"flags": {"start": [...], "end": [...], "reason": [...], "chars": [...]}``
(no ``chars`` before PII). Events written before 2026-12-03 hold lists of objects
(``[{"offset", "before", "after", "by"}, ...]``, ``[{"start", "end", "reason", "chars"}, ...]``);
:func:`field_list` reads both.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"[a-z_]+")


def field_list(key: str, name: str, detail: str = "detail") -> str:
    """SQL (DuckDB): the list of field ``name`` of the entries under ``key`` (``edits``, ``flags``), in order.

    ``unnest()`` it to get one row per entry; several ``unnest`` of the same event line up entry by entry.

    >>> field_list("edits", "by")
    "CASE json_type(detail, '$.edits') WHEN 'OBJECT' THEN json_extract_string(detail, '$.edits.by[*]') ELSE json_extract_string(detail, '$.edits[*].by') END"
    """
    if not (_NAME.fullmatch(key) and _NAME.fullmatch(name) and _NAME.fullmatch(detail.replace(".", "_"))):
        raise ValueError(f"not a field name: {key!r} / {name!r} / {detail!r}")
    return (
        f"CASE json_type({detail}, '$.{key}') WHEN 'OBJECT' THEN json_extract_string({detail}, '$.{key}.{name}[*]')"
        f" ELSE json_extract_string({detail}, '$.{key}[*].{name}') END"
    )


def edit_field(name: str, detail: str = "detail") -> str:
    """:func:`field_list` of a normalise event's ``edits``."""
    return field_list("edits", name, detail)


def flag_field(name: str, detail: str = "detail") -> str:
    """:func:`field_list` of a flag event's ``flags``."""
    return field_list("flags", name, detail)
