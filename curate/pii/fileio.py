"""`curate pii detect|scrub` on users' own JSONL files, line by line, bad lines counted with reasons.

Input lines are ``{"id": ..., "text": ...}``. A line that is not valid UTF-8, not JSON, not an
object with a string ``text``, or longer than ``max_line_bytes`` is skipped and reported in the
errors file (line number, id when known, reason; never the text). Everything else is written.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from provenance.errors import UsageError

DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024
_READ = 1 << 20


@dataclass
class FileReport:
    """Counts of a file run."""

    lines: int = 0
    written: int = 0
    errors: int = 0
    spans: int = 0
    reasons: Counter = field(default_factory=Counter)
    entity_counts: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {
            "lines": self.lines,
            "written": self.written,
            "errors": self.errors,
            "spans": self.spans,
            "error_reasons": dict(self.reasons),
            "entities": dict(self.entity_counts),
        }


def iter_lines(fh: BinaryIO, max_bytes: int) -> Iterator[tuple[bytes | None, int]]:
    """Yield (line bytes without the newline, size); None for a line over ``max_bytes`` (its rest is skipped)."""
    while True:
        line = fh.readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            size = len(line)
            while True:  # drain the rest of the long line in bounded pieces
                more = fh.readline(_READ)
                size += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield None, size
            continue
        yield line.rstrip(b"\r\n"), len(line)


class LineError(ValueError):
    """A line that cannot be processed; the message is the reason (no content)."""


def parse_line(raw: bytes) -> tuple[str, str]:
    """(id, text) of one input line.

    >>> parse_line(b'{"id": "a", "text": "hi"}')
    ('a', 'hi')
    >>> parse_line(b'[1]')  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    curate.pii.fileio.LineError: not a JSON object
    """
    try:
        s = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LineError(f"invalid UTF-8 at byte {exc.start}") from None
    try:
        obj = json.loads(s)
    except json.JSONDecodeError as exc:
        raise LineError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise LineError("not a JSON object")
    rid = obj.get("id")
    if rid is None or isinstance(rid, (dict, list)):
        raise LineError("missing or non-scalar `id`")
    text = obj.get("text")
    if not isinstance(text, str):
        raise LineError("missing `text` or `text` is not a string")
    return str(rid), text


def process_file(
    in_path: Path,
    out_path: Path,
    errors_path: Path,
    handle: Callable[[list[tuple[str, str]]], list[dict]],
    *,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    batch_lines: int = 256,
    on_progress: Callable[[int], None] = lambda n: None,
) -> FileReport:
    """Apply ``handle([(id, text), ...]) -> [output dict, ...]`` to batches of good lines; report the rest.

    Output lines keep the input order; bad lines go to ``errors_path`` with their line number.
    """
    if not in_path.is_file():
        raise UsageError(f"input file `{in_path}` does not exist")
    if in_path.resolve() == out_path.resolve():
        raise UsageError("--output must differ from --input")
    report = FileReport()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    pending: list[tuple[str, str]] = []
    pending_chars = 0

    def flush(fout) -> None:
        nonlocal pending, pending_chars
        if not pending:
            return
        for out in handle(pending):
            report.written += 1
            report.spans += len(out.get("spans", ()))
            report.entity_counts.update(s["entity_type"] for s in out.get("spans", ()))
            fout.write(json.dumps(out, ensure_ascii=False) + "\n")
        pending, pending_chars = [], 0

    with (
        open(in_path, "rb") as fin,
        open(out_path, "w", encoding="utf-8") as fout,
        open(errors_path, "w", encoding="utf-8") as ferr,
    ):
        for lineno, (raw, size) in enumerate(iter_lines(fin, max_line_bytes), start=1):
            on_progress(size)
            rid = None
            try:
                if raw is None:
                    raise LineError(f"line too long ({size} bytes > {max_line_bytes}); raise --max-line-bytes")
                if not raw.strip():
                    continue  # blank lines are not records
                report.lines += 1
                rid, text = parse_line(raw)
            except LineError as exc:
                if raw is None:
                    report.lines += 1
                report.errors += 1
                reason = str(exc)
                report.reasons[reason.split(" (")[0].split(" at ")[0]] += 1
                ferr.write(json.dumps({"line": lineno, "id": rid, "reason": reason}, ensure_ascii=False) + "\n")
                continue
            pending.append((rid, text))
            pending_chars += len(text)
            if len(pending) >= batch_lines or pending_chars >= 4_000_000:
                flush(fout)
        flush(fout)
    return report
