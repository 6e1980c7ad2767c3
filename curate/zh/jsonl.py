"""Convert a user's JSONL file (``{"id", "text"}`` per line) with :func:`curate.zh.normalise_many`.

Lines are read by :mod:`curate.jsonl_io` (one contract for the standalone tools): bad lines go to
the quarantine file with their line number and reason code, and are counted; every good line is
converted and written, in input order (up to :data:`~curate.zh.batch.BATCH_RECORDS` lines and
:data:`~curate.zh.batch.BATCH_CHARS` characters per :func:`~curate.zh.normalise_many` call, as the stage).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from curate.batching import batches
from curate.jsonl_io import QuarantineFile, ReadStats, atomic_output, read_jsonl, too_long_hint, write_line
from curate.zh.batch import BATCH_CHARS, BATCH_RECORDS, normalise_many
from curate.zh.config import NormaliseConfig

#: lines converted per normalise_many call at most (one OpenCC call for their Simplified records)
BATCH = BATCH_RECORDS


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
    stats = ReadStats()
    keep = (input_path,)  # a killed run's temporary file given as the input is not removed as its orphan
    with atomic_output(output_path, keep=keep) as out, QuarantineFile(quarantine_path, keep=keep) as quarantine:

        def flush(batch: list) -> None:
            results = normalise_many([line.text for line in batch], cfg, protected=[protected] * len(batch))
            for line, res in zip(batch, results, strict=True):
                rep.scripts[res.script] = rep.scripts.get(res.script, 0) + 1
                rep.changed += res.changed
                rep.flagged += bool(res.flags)
                write_line(
                    out,
                    {
                        "id": line.id,
                        "text": res.text,
                        "script": res.script,
                        "shares": res.shares,
                        "edits": res.edits_json(),
                        "flags": res.flags_json(),
                    },
                )
                rep.written += 1

        lines = read_jsonl(
            input_path,
            on_bad=quarantine,
            stats=stats,
            on_progress=progress,
            too_long=too_long_hint("curate zh convert"),
        )
        for batch in batches(lines, max_items=BATCH, max_chars=BATCH_CHARS, size=lambda line: len(line.text)):
            flush(batch)
        out.flush()  # its last bytes fail here (a full disk), before the quarantine file is renamed, not after
    rep.read, rep.quarantined, rep.reasons = stats.lines, stats.quarantined, dict(stats.reasons)
    return rep
