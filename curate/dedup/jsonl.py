"""Standalone dedup of a JSONL file: stream, sign, cluster, write decisions (memory bounded).

Lines are read by :mod:`curate.jsonl_io` (one contract for the standalone tools; ids must be
unique here). Texts are not kept in memory: the byte offset of every good line is, and
verification re-reads only the lines of candidate pairs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from curate.dedup.config import SOURCE_KINDS, DedupConfig, misspelt_kind
from curate.dedup.engine import ClusterStats, DedupDoc, DedupVerdict, cluster, make_hasher, sign
from curate.jsonl_io import (
    JsonlLine,
    QuarantinedLine,
    atomic_output,
    check_paths,
    check_unchanged,
    file_identity,
    read_jsonl,
    shown,
    too_long_hint,
    write_line,
)
from provenance import is_deleted_stub
from provenance.licences import default_licence_catalogue


@dataclass
class JsonlReport:
    """Counts of a standalone run; ``bad`` lists the quarantined lines (number, reason code, message)."""

    documents: int = 0
    survivors: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    clusters: int = 0
    deleted_stubs: int = 0
    bad: list[QuarantinedLine] = field(default_factory=list)
    stats: ClusterStats = field(default_factory=ClusterStats)


#: the optional fields of an input line the survivor and per-document policies read
OPTIONAL_FIELDS = ("source_kind", "licence_id", "version", "document")


def _optional(value: object) -> str | None:
    """An optional field as a string, None when absent or blank: an empty cell of a spreadsheet export
    (``"document": ""``, ``"licence_id": " "``) names no document and no licence, as in a manifest; a blank
    ``document`` made every law_moj line one document again (parallel provisions of two laws dropped)."""
    if value is None:
        return None
    return str(value).strip() or None


def _not_scalar(obj: dict) -> str | None:
    """The reason an optional field of a line is no value: one that is not a string or an integer (as ``id``). Read as
    its Python text, ``"version": {"edition": 2}`` ranked as ``{'edition': 2}`` and ``true`` as ``True``.

    >>> _not_scalar({"version": 3, "document": "銀行法"}) is None, _not_scalar({"version": [2]})
    (True, '`version` is a list, not a string or an integer')
    """
    for k in OPTIONAL_FIELDS:
        v = obj.get(k)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (str, int))):
            kind = {bool: "a boolean", float: "a number", list: "a list", dict: "an object"}.get(
                type(v), type(v).__name__
            )
            return f"`{k}` is {kind}, not a string or an integer"
    return None


def _doc(line: JsonlLine, config: DedupConfig) -> DedupDoc:
    """The line as a document. A record of a per-document source kind (``law_moj``, ``fsc``) without a
    ``document`` is a document of its own: it is never made a duplicate of another law's article (parallel
    provisions of two laws stay, linked), only linked to its cluster's representative."""
    obj = line.fields
    opt = {k: _optional(obj.get(k)) for k in OPTIONAL_FIELDS}
    if opt["document"] is None and config.document_of(opt["source_kind"], None) is not None:
        opt["document"] = f"\0record:{line.id}"
    return DedupDoc(line.id, line.text, **opt)


def dedup_jsonl(
    inp: Path, out: Path, config: DedupConfig, *, on_progress: Callable[[int], None] | None = None
) -> JsonlReport:
    """Deduplicate ``inp`` (lines ``{"id", "text", [source_kind, licence_id, version, document]}``) into ``out``.

    Output lines, in input order: ``{"id", "cluster", "survivor", "duplicate_of", "match", "rule",
    "jaccard_est", "jaccard", "near_duplicate_of", "matched", "matched_jaccard", "deleted_stub"}``
    (``near_duplicate_of``: the representative of a copy the per-document policy keeps, see :func:`_doc`; ``matched``:
    for a copy joined through a chain, its Jaccard with the survivor below the threshold, the member it matched). A
    "（刪除）" stub of a repealed article is never clustered, as in the stage: it stays, alone in its cluster,
    ``deleted_stub: true`` (the stubs of one law, or of a textbook, were each other's duplicates: one survived). Bad lines are skipped and listed in the report. ``out`` must not be
    ``inp`` (:class:`~provenance.errors.UsageError`, as for ``zh convert`` and ``pii``).
    """
    check_paths(inp, out)
    identity = file_identity(inp)  # the lines of candidate pairs are read again by offset (fetch)
    report = JsonlReport()
    offsets: list[int] = []
    order: list[str] = []  # every good line's id in input order (stubs are not signed)
    stubs: set[str] = set()

    catalogue = default_licence_catalogue()

    def docs() -> Iterator[DedupDoc]:
        hint = too_long_hint("curate dedup")
        for line in read_jsonl(inp, on_bad=report.bad.append, unique_ids=True, too_long=hint):
            if why := _not_scalar(line.fields):
                report.bad.append(QuarantinedLine(line.lineno, "bad_field", why, line.id))
                continue
            doc = _doc(line, config)
            if doc.licence_id is not None and catalogue.get(doc.licence_id) is None:
                # ranked as no licence at all, an open copy under a misspelt id lost to a restricted one
                report.bad.append(
                    QuarantinedLine(
                        line.lineno,
                        "unknown_licence",
                        f"`licence_id` `{shown(doc.licence_id)}` is not in the licence catalogue (ids as `curate licences"
                        " list` shows them, e.g. CC0-1.0): survivors are chosen by licence",
                        line.id,
                    )
                )
                continue
            kind = doc.source_kind.split(":", 1)[0] if doc.source_kind is not None else None
            if kind is not None and (near := misspelt_kind(kind)) is not None:
                # ranked as no source and deduplicated globally: a statute of another law was dropped as a duplicate
                report.bad.append(
                    QuarantinedLine(
                        line.lineno,
                        "unknown_source_kind",
                        f"`source_kind` `{shown(doc.source_kind)}` is no source kind; did you mean `{near}`? (the"
                        " survivor and per-document policies read it; sources: " + ", ".join(SOURCE_KINDS) + f"; a"
                        f" tag of your own goes after a colon: `{near}:en`)",
                        line.id,
                    )
                )
                continue
            order.append(line.id)
            if is_deleted_stub(line.text):  # identical by nature: flagged, never clustered (as in the stage)
                stubs.add(line.id)
                continue
            offsets.append(line.offset)
            yield doc

    hasher = make_hasher(config)
    signed = sign(docs(), config, hasher=hasher, on_chunk=on_progress)

    def fetch(rows: list[int]) -> list[str]:
        texts = []
        with open(inp, "rb") as fh:
            check_unchanged(inp, identity, fh)  # an editor's save (a new file) put other lines at those offsets
            for r in rows:
                fh.seek(offsets[r])
                texts.append(json.loads(fh.readline())["text"])
        return texts

    decisions = cluster(signed, config, fetch, hasher=hasher, stats=report.stats)
    by_id = {d.id: d for d in decisions}
    check_unchanged(inp, identity)
    with atomic_output(out, keep=(inp,)) as fh:
        for rid in order:
            d = by_id.get(rid) or DedupVerdict(rid, rid, True)
            write_line(
                fh,
                {
                    "id": d.id,
                    "cluster": d.cluster,
                    "survivor": d.survivor,
                    "duplicate_of": d.duplicate_of,
                    "match": d.match,
                    "rule": d.rule,
                    "jaccard_est": d.jaccard_est,
                    "jaccard": d.jaccard,
                    "near_duplicate_of": d.near_duplicate_of,
                    "matched": d.matched,
                    "matched_jaccard": d.matched_jaccard,
                    "deleted_stub": rid in stubs,
                },
            )
    report.documents = len(order)
    report.deleted_stubs = len(stubs)
    report.survivors = sum(1 for d in decisions if d.survivor) + len(stubs)
    report.exact_duplicates = report.stats.exact_duplicates
    report.near_duplicates = report.stats.near_duplicates
    report.clusters = len({d.cluster for d in decisions}) + len(stubs)
    return report
