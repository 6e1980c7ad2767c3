"""Standalone dedup of a JSONL file: stream, sign, cluster, write decisions (memory bounded).

Texts are not kept in memory: the byte offset of every good line is, and verification re-reads
only the lines of candidate pairs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from curate.dedup.config import DedupConfig
from curate.dedup.engine import ClusterStats, DedupDoc, cluster, make_hasher, sign


@dataclass
class JsonlReport:
    """Counts of a standalone run; ``bad`` lists (line number, reason) of rejected lines."""

    documents: int = 0
    survivors: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    clusters: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)
    stats: ClusterStats = field(default_factory=ClusterStats)


def _parse(line: bytes, lineno: int, seen: set[str]) -> DedupDoc | str:
    """A document or the reason the line is rejected."""
    try:
        obj = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return f"not valid JSON ({exc.msg if hasattr(exc, 'msg') else exc})"
    if not isinstance(obj, dict):
        return "not a JSON object"
    rid, text = obj.get("id"), obj.get("text")
    if not isinstance(rid, (str, int)) or isinstance(rid, bool) or rid == "":
        return "missing or invalid `id` (string or integer expected)"
    if not isinstance(text, str):
        return "missing or invalid `text` (string expected)"
    rid = str(rid)
    if rid in seen:
        return f"duplicate id `{rid}` (first occurrence kept)"
    seen.add(rid)
    opt = {k: (str(obj[k]) if obj.get(k) is not None else None) for k in ("source_kind", "licence_id", "version")}
    return DedupDoc(rid, text, **opt)


def dedup_jsonl(
    inp: Path, out: Path, config: DedupConfig, *, on_progress: Callable[[int], None] | None = None
) -> JsonlReport:
    """Deduplicate ``inp`` (lines ``{"id", "text", [source_kind, licence_id, version]}``) into ``out``.

    Output lines, in input order: ``{"id", "cluster", "survivor", "duplicate_of", "match", "rule",
    "jaccard_est", "jaccard"}``. Bad lines are skipped and listed in the report.
    """
    report = JsonlReport()
    offsets: list[int] = []
    seen: set[str] = set()

    def docs() -> Iterator[DedupDoc]:
        with open(inp, "rb") as fh:
            lineno, pos = 0, 0
            for raw in fh:
                lineno += 1
                start, pos = pos, pos + len(raw)
                if not raw.strip():
                    continue
                parsed = _parse(raw, lineno, seen)
                if isinstance(parsed, str):
                    report.bad.append((lineno, parsed))
                    continue
                offsets.append(start)
                yield parsed

    hasher = make_hasher(config)
    signed = sign(docs(), config, hasher=hasher, on_chunk=on_progress)

    def fetch(rows: list[int]) -> list[str]:
        texts = []
        with open(inp, "rb") as fh:
            for r in rows:
                fh.seek(offsets[r])
                texts.append(json.loads(fh.readline())["text"])
        return texts

    decisions = cluster(signed, config, fetch, hasher=hasher, stats=report.stats)
    by_id = {d.id: d for d in decisions}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for rid in signed.ids:
            d = by_id[rid]
            fh.write(
                json.dumps(
                    {
                        "id": d.id,
                        "cluster": d.cluster,
                        "survivor": d.survivor,
                        "duplicate_of": d.duplicate_of,
                        "match": d.match,
                        "rule": d.rule,
                        "jaccard_est": d.jaccard_est,
                        "jaccard": d.jaccard,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    tmp.replace(out)
    report.documents = len(signed)
    report.survivors = sum(1 for d in decisions if d.survivor)
    report.exact_duplicates = report.stats.exact_duplicates
    report.near_duplicates = report.stats.near_duplicates
    report.clusters = report.survivors
    return report
