"""A law.moj bulk wrapper that names ``Laws`` twice (``{"UpdateDate": …, "Laws": [A], "Laws": [B]}``).

A name twice in one JSON object keeps its first value (:class:`sources.capped.FirstValueDict`, as DuckDB reads it),
so the laws of the second ``Laws`` are not read. Before review 16 they were dropped in silence from a file under
32 MiB and read from a larger one (streamed, ``Laws.item`` matched both arrays): one dump read two ways by its size.
Now both read the first array and the file's later ``Laws`` arrays are one quarantine row that counts their laws.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from sources import capped
from sources.base import Rejection

__all__ = ["REASON_LAWS_TWICE", "first_laws", "laws_twice", "loads_counting"]

#: the quarantine reason of a wrapper's later ``Laws`` arrays
REASON_LAWS_TWICE = "`Laws` named twice in one file (the first is read)"


def laws_twice(loc: str, arrays: int, laws: int, source_id: str) -> Rejection:
    """The quarantine row of a wrapper's ``arrays`` later ``Laws`` arrays, holding ``laws`` laws."""
    what = f"{arrays} more `Laws` array(s) with {laws} law(s) not read"
    return Rejection(f"{loc}#Laws", REASON_LAWS_TWICE, f"{what}; give each dump its own file", source_id)


def loads_counting(text: str) -> tuple[Any, tuple[int, int]]:
    """``capped.loads(text, first_value=True)`` and ``(arrays, laws)``: the later ``Laws`` values of the outermost
    object and how many items they hold.

    >>> loads_counting('{"Laws": [1], "Laws": [2, 3]}')
    ({'Laws': [1]}, (1, 2))
    """
    calls: list[list[tuple[str, Any]]] = []

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        calls.append(pairs)  # the outermost object's pairs come last
        return capped.first_values(pairs)

    try:
        obj = json.loads(text, object_pairs_hook=hook)
    except RecursionError as exc:
        raise capped.InputLimitError(capped.REASON_TOO_DEEP, "nesting exceeds the parser's depth limit") from exc
    if not isinstance(obj, dict) or not calls:
        return obj, (0, 0)
    later = [v for k, v in calls[-1] if k == "Laws"][1:]
    return obj, (len(later), sum(len(v) if isinstance(v, list) else 1 for v in later))


def first_laws(events: Iterable[tuple[str, str, Any]], dropped: list[int]) -> Iterator[tuple[str, str, Any]]:
    """The ``ijson.parse`` events of a wrapper up to its second ``Laws`` name; the later ``Laws`` arrays and their
    laws are counted into ``dropped`` (``[arrays, laws]``, read to the file's end).

    >>> import ijson, io
    >>> dropped = [0, 0]
    >>> list(ijson.items(first_laws(ijson.parse(io.BytesIO(b'{"Laws": [1], "Laws": [2, {"a": [3]}]}')), dropped), "Laws.item"))
    [1]
    >>> dropped
    [1, 2]
    """
    it = iter(events)
    seen = False
    for prefix, event, value in it:
        if prefix == "" and event == "map_key" and value == "Laws":
            if seen:
                dropped[0] += 1
                break
            seen = True
        yield prefix, event, value
    for prefix, event, value in it:
        if prefix == "" and event == "map_key" and value == "Laws":
            dropped[0] += 1
        elif (prefix == "Laws.item" and event not in _ENDS) or (prefix == "Laws" and event not in _ARRAY):
            dropped[1] += 1  # an item of a later array, or a later `Laws` that is no array


_ENDS = ("end_map", "end_array", "map_key")
_ARRAY = ("start_array", "end_array", "end_map", "map_key")
