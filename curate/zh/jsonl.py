"""Convert a user's JSONL file (``{"id", "text"}`` per line) with :func:`curate.zh.normalise`.

Bad lines (not UTF-8, not JSON, not an object, missing/non-string ``text``, lone surrogates)
are written to a quarantine file with the line number and the reason, and counted; every
good line is converted and written, in input order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curate.zh.config import NormaliseConfig
from curate.zh.normalise import normalise


@dataclass(slots=True)
class ConvertReport:
    """Counts of one file conversion."""

    read: int = 0
    written: int = 0
    changed: int = 0
    quarantined: int = 0
    flagged: int = 0
    scripts: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)


class LineError(ValueError):
    """A line that cannot be converted; ``reason`` is a short machine-readable cause."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def parse_line(raw: bytes) -> dict[str, Any]:
    """Decode one JSONL line into ``{"id", "text"}`` or raise :class:`LineError`.

    >>> parse_line(b'{"id": 1, "text": "abc"}')["text"]
    'abc'
    """
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LineError("not_utf8", f"not UTF-8 at byte {exc.start}") from None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineError("bad_json", f"not JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(obj, dict):
        raise LineError("not_object", f"expected a JSON object, got {type(obj).__name__}")
    if "text" not in obj:
        raise LineError("missing_text", "no `text` field")
    if not isinstance(obj["text"], str):
        raise LineError("text_not_string", f"`text` is {type(obj['text']).__name__}, not a string")
    try:
        obj["text"].encode("utf-8")
    except UnicodeEncodeError as exc:
        raise LineError(
            "invalid_surrogate",
            f"`text` holds a lone surrogate U+{ord(obj['text'][exc.start]):04X} at offset {exc.start}",
        ) from None
    return obj


def convert_jsonl(
    input_path: Path,
    output_path: Path,
    quarantine_path: Path,
    config: NormaliseConfig | None = None,
    *,
    protected: Sequence[str] = (),
    progress: Callable[[int], None] | None = None,
) -> ConvertReport:
    """Convert ``input_path`` into ``output_path``; bad lines go to ``quarantine_path``.

    ``progress`` is called with the number of bytes consumed after each line.
    """
    cfg = config or NormaliseConfig()
    rep = ConvertReport()
    q_out = None
    quarantine_path.unlink(missing_ok=True)  # a stale file from an earlier run would mislead
    try:
        with input_path.open("rb") as src, output_path.open("w", encoding="utf-8") as out:
            for n, raw in enumerate(src, 1):
                if progress is not None:
                    progress(len(raw))
                if not raw.strip():
                    continue
                rep.read += 1
                try:
                    obj = parse_line(raw.rstrip(b"\r\n"))
                except LineError as exc:
                    rep.quarantined += 1
                    rep.reasons[exc.reason] = rep.reasons.get(exc.reason, 0) + 1
                    if q_out is None:
                        q_out = quarantine_path.open("w", encoding="utf-8")
                    excerpt = raw[:200].decode("utf-8", "replace")
                    q_out.write(
                        json.dumps(
                            {"line": n, "reason": exc.reason, "message": str(exc), "excerpt": excerpt},
                            ensure_ascii=False,
                        )
                        + "\n"
                    )
                    continue
                res = normalise(obj["text"], cfg, protected=protected)
                rep.scripts[res.script] = rep.scripts.get(res.script, 0) + 1
                rep.changed += res.changed
                rep.flagged += bool(res.flags)
                out.write(
                    json.dumps(
                        {
                            "id": obj.get("id"),
                            "text": res.text,
                            "script": res.script,
                            "shares": res.shares,
                            "edits": res.edits_json(),
                            "flags": res.flags_json(),
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
                rep.written += 1
    finally:
        if q_out is not None:
            q_out.close()
    return rep
