"""The strings of a record that the PII stage checks: text, title and every string in metadata."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

#: key of ``StageResult.fields`` carrying a record's labelled names to the load step (never a column)
NAMES_FIELD = "_pii_names"


def load_metadata(value: Any) -> Any:
    """A record's metadata as Python data (the snapshot holds JSON text)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def string_leaves(value: Any, path: str = "metadata") -> Iterable[tuple[str, str]]:
    """``(path, string)`` of every string inside ``value`` (dict keys are paths, not scanned)."""
    if isinstance(value, str):
        if value:
            yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from string_leaves(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from string_leaves(v, f"{path}[{i}]")


def replace_leaves(value: Any, new: dict[str, str], path: str = "metadata") -> Any:
    """``value`` with the strings at the paths of ``new`` replaced."""
    if isinstance(value, str):
        return new.get(path, value)
    if isinstance(value, dict):
        return {k: replace_leaves(v, new, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [replace_leaves(v, new, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def span_report(spans: list[dict]) -> list[dict]:
    """Ledger form of scrubbed spans: type, offsets, keyed digest and score (never the value)."""
    return [
        {"entity_type": s["entity_type"], "start": s["start"], "end": s["end"], "hmac": s["hmac"], "score": s["score"]}
        for s in spans
    ]
