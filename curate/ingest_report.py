"""What one ingest run did: counts per outcome and the first named skips, rejections and notices."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from curate.textchars import printable

#: named skips/rejections/notices kept in a report per kind and reason (the counts stay complete)
NAMED_LIMIT = 200
#: the line of a run whose inputs gave nothing (an empty folder exited 0 with no word of it)
NOTHING_READ = (
    "warning: nothing to ingest: the inputs gave no file, row or law to read (an empty folder or manifest?);"
    " check the paths"
)


@dataclass
class IngestReport:
    """Counts of one ingest run."""

    run_id: str
    source: str
    raw_items: int = 0
    records_seen: int = 0
    records_new: int = 0
    versions_new: int = 0
    unchanged: int = 0
    superseded: int = 0
    quarantined: int = 0
    terms_changed: int = 0
    licence_held: int = 0
    """Records held from export because the manifest rows for their file disagree or state no licence that holds
    (curate/ingest_holds.py)."""
    licence_held_files: int = 0
    licence_released: int = 0
    absent: int = 0
    """Active records of the dumps read (MODA: datasets) that this one does not hold (curate/ingest_absent.py)."""
    absent_removed: int = 0
    absent_note: str = ""
    absent_returned: int = 0
    """Records ``--complete`` marked removed that this dump holds again unchanged: active again."""
    absent_other_licence: int = 0
    """Such records read again under another licence than theirs: still removed."""
    skipped: Counter = field(default_factory=Counter)
    quarantine_reasons: Counter = field(default_factory=Counter)
    notices: Counter = field(default_factory=Counter)
    named: list[dict[str, str]] = field(default_factory=list)
    """``{kind: skipped|quarantined|notice, reason, locator, detail}`` (the first NAMED_LIMIT of each reason)."""
    _named_per_key: Counter = field(default_factory=Counter, repr=False)

    def name(self, kind: str, reason: str, locator: str, detail: str = "") -> None:
        """Remember one named item for the report (at most NAMED_LIMIT per kind and reason)."""
        key = f"{kind}\x1f{reason.split(':')[0]}"
        self._named_per_key[key] += 1
        if self._named_per_key[key] <= NAMED_LIMIT:
            self.named.append({"kind": kind, "reason": reason, "locator": locator, "detail": detail})

    def detail_lines(self, shown: int = 20) -> list[str]:
        """Each skip, quarantine and notice reason with its count and up to ``shown`` named items; a warning first
        when the inputs gave nothing at all. A reason, locator or detail comes from third parties' files (a file
        named ``b\\nrun X: ...``, a cell's ESC sequence in a parse error's excerpt): each is shown on its one line,
        its line breaks, control and bidi characters as escapes (:func:`curate.textchars.printable`)."""

        def one(text: str) -> str:
            return printable(text, keep_breaks=False)

        lines: list[str] = [] if self.raw_items else [NOTHING_READ]
        groups = [
            ("skipped", "skipped", dict(self.skipped), ""),
            ("quarantined", "quarantined", dict(self.quarantine_reasons), ""),
            ("held", "held", {"licence_disputed": self.licence_held_files} if self.licence_held_files else {}, ""),
            (
                "notice",
                "warning",
                dict(self.notices),
                " (exports will block these rows until the manifest is corrected)",
            ),
        ]
        for kind, label, counts, note in groups:
            for reason, n in sorted(counts.items()):
                lines.append(f"{label} {n}: {one(reason)}{note if kind != 'notice' or _terms(reason) else ''}")
                prefix = reason.split(":")[0]
                items = [x for x in self.named if x["kind"] == kind and x["reason"].split(":")[0] == prefix]
                for x in items[:shown]:
                    lines.append(f"  {one(x['locator'])}" + (f": {one(x['detail'])}" if x["detail"] else ""))
                if n > min(len(items), shown):
                    lines.append(f"  ... and {n - min(len(items), shown)} more")
        return lines

    def as_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if not isinstance(v, Counter | list) and not k.startswith("_")}
        d["skipped"] = dict(self.skipped)
        d["skipped_total"] = sum(self.skipped.values())
        d["quarantine_reasons"] = dict(self.quarantine_reasons)
        d["notices"] = dict(self.notices)
        d["notices_total"] = sum(self.notices.values())
        d["terms_notices"] = sum(n for reason, n in self.notices.items() if _terms(reason))
        d["named"] = list(self.named)
        return d


def _terms(reason: str) -> bool:
    """True for a notice about a manifest row's licence terms (exports block its rows); another source's notice (an
    FSC case also held under its pre-review-16 key) says itself what to do."""
    from sources.manifest_rows import ManifestReason

    return reason.split(":")[0] == ManifestReason.TERMS_INVALID
