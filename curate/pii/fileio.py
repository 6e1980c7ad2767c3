"""`curate pii detect|scrub` on users' own JSONL files, in batches, bad lines counted with reasons.

Lines are read by :mod:`curate.jsonl_io` (one contract for the standalone tools). A bad line
(not UTF-8, not JSON, no id, no string ``text``, longer than ``max_line_bytes``, ...) is skipped
and reported in the errors file (line number, id when known, reason code, message; never the
text). Everything else is written, in input order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from curate.jsonl_io import (
    DEFAULT_MAX_LINE_BYTES,
    QuarantineFile,
    ReadStats,
    atomic_output,
    check_paths,
    read_jsonl,
    too_long_hint,
    write_line,
)

__all__ = ["DEFAULT_MAX_LINE_BYTES", "FileReport", "process_file"]


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


def process_file(
    in_path: Path,
    out_path: Path,
    errors_path: Path,
    handle: Callable[[list[tuple[str, str]]], list[dict]],
    *,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    batch_lines: int = 256,
    on_progress: Callable[[int], None] = lambda n: None,
    reads: dict[str, Path] | None = None,
) -> FileReport:
    """Apply ``handle([(id, text), ...]) -> [output dict, ...]`` to batches of good lines; report the rest.

    Output lines keep the input order; bad lines go to ``errors_path`` with their line number. ``reads`` names other
    files the command reads (the key file), which neither ``out_path`` nor ``errors_path`` may be.
    """
    check_paths(in_path, out_path, reads=reads, errors=errors_path)
    report = FileReport()
    stats = ReadStats()
    pending: list[tuple[str, str]] = []
    pending_chars = 0

    def flush(fout: IO[str]) -> None:
        nonlocal pending, pending_chars
        if not pending:
            return
        for out in handle(pending):
            report.written += 1
            report.spans += len(out.get("spans", ()))
            report.entity_counts.update(s["entity_type"] for s in out.get("spans", ()))
            write_line(fout, out)
        pending, pending_chars = [], 0

    keep = (in_path,)  # a killed run's temporary file given as the input is not removed as its orphan
    with atomic_output(out_path, keep=keep) as fout, QuarantineFile(errors_path, keep=keep) as quarantine:
        lines = read_jsonl(
            in_path,
            on_bad=quarantine,
            stats=stats,
            max_line_bytes=max_line_bytes,
            on_progress=on_progress,
            too_long=too_long_hint("curate pii", "--max-line-bytes"),
        )
        for line in lines:
            pending.append((line.id, line.text))
            pending_chars += len(line.text)
            if len(pending) >= batch_lines or pending_chars >= 4_000_000:
                flush(fout)
        flush(fout)
        fout.flush()  # its last bytes fail here (a full disk), before the errors file is renamed, not after
    report.lines, report.errors, report.reasons = stats.lines, stats.quarantined, stats.reasons
    return report
