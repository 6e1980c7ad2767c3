"""DuckDB's infinite dates and timestamps in an auditor query's rows (`curate sql`, `curate audit sql`).

DuckDB holds ``'infinity'::DATE`` and ``'-infinity'::TIMESTAMP`` (a grant that never ends); its Python conversion
gives them as ``9999-12-31`` and ``0001-01-01``, the same values as those finite days, so ``--json`` said a never-ending
grant ended on 9999-12-31. The Arrow batch the rows came from still tells them apart (the type's largest and smallest
raw value): :func:`mark_infinite` puts an :class:`Infinite` in their place, which a table prints as before and JSON
writes as DuckDB does (``infinity``, ``-infinity``).
"""

from __future__ import annotations

from typing import Any

#: DuckDB's raw infinities: DATE (int32 days) and TIMESTAMP of every unit (int64)
_INF32, _INF64 = 2_147_483_647, 9_223_372_036_854_775_807


class Infinite:
    """An infinite date or timestamp: ``str()`` is the value DuckDB's Python conversion gave (a table prints what it
    printed before), :attr:`text` how DuckDB writes it (``infinity``, ``-infinity``: what JSON shows)."""

    __slots__ = ("value", "text")

    def __init__(self, value: Any, positive: bool) -> None:
        self.value, self.text = value, "infinity" if positive else "-infinity"

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        return f"Infinite({self.text})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Infinite) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def _temporal(t: Any) -> bool:
    import pyarrow as pa

    return pa.types.is_date32(t) or pa.types.is_timestamp(t)


def _holds_temporal(t: Any) -> bool:
    """Whether the Arrow type ``t`` is, or holds in a list, struct or map, a date or a timestamp."""
    import pyarrow as pa

    if _temporal(t):
        return True
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return _holds_temporal(t.value_type)
    if pa.types.is_struct(t):
        return any(_holds_temporal(t.field(i).type) for i in range(t.num_fields))
    if pa.types.is_map(t):
        return _holds_temporal(t.key_type) or _holds_temporal(t.item_type)
    return False


def _mark(arr: Any, values: list[Any]) -> list[Any]:
    """``values`` (the Python values of the Arrow array ``arr``, in order) with each infinity an :class:`Infinite`."""
    import pyarrow as pa

    t = arr.type
    if _temporal(t):
        wide = pa.int32() if pa.types.is_date32(t) else pa.int64()
        top = _INF32 if pa.types.is_date32(t) else _INF64
        raw = arr.view(wide).to_pylist()
        return [Infinite(v, r > 0) if r is not None and abs(r) == top else v for v, r in zip(values, raw, strict=True)]
    out = list(values)
    if pa.types.is_map(t):  # a dict: its keys and values marked apart (`MAP {'infinity'::DATE: 1}`, review 16)
        for j, v in enumerate(out):
            if isinstance(v, dict) and arr[j].is_valid:
                entries = arr[j].values
                keys, items = _mark(entries.field(0), list(v)), _mark(entries.field(1), list(v.values()))
                out[j] = dict(zip(keys, items, strict=True))
        return out
    if pa.types.is_struct(t):
        for i in range(t.num_fields):
            name, child = t.field(i).name, arr.field(i)
            if not _holds_temporal(child.type):
                continue
            inner = _mark(child, [None if v is None else v.get(name) for v in values])
            for j, v in enumerate(out):
                if isinstance(v, dict) and name in v:
                    v[name] = inner[j]
        return out
    if _holds_temporal(t):  # a list
        for j, v in enumerate(out):
            if isinstance(v, list) and arr[j].is_valid:
                out[j] = _mark(arr[j].values, v)
    return out


def mark_infinite(table: Any, rows: list[tuple]) -> list[tuple]:
    """``rows`` (the Python rows of the Arrow ``table``) with each infinite date or timestamp, in a column or inside a
    list, struct or map (a key too), an :class:`Infinite`; unchanged (the same list) when the table holds none."""
    import pyarrow as pa

    cols = [i for i, c in enumerate(table.columns) if _holds_temporal(c.type)]
    if not cols:
        return rows
    out = [list(r) for r in rows]
    for i in cols:
        arr = (
            pa.concat_arrays(table.column(i).chunks)
            if table.column(i).num_chunks
            else pa.array([], table.column(i).type)
        )
        marked = _mark(arr, [r[i] for r in out])
        for r, v in zip(out, marked, strict=True):
            r[i] = v
    return [tuple(r) for r in out]
