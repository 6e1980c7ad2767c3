"""Licence-gated dataset export.

``export_dataset`` writes only active records whose effective licence permits the requested purpose, audience and
commercial use on the evaluation date, that are not withdrawn and (for sources that expect personal data) have passed
the PII stage. Beside the data shards it writes ``README.md`` (dataset card loadable by ``datasets.load_dataset``),
``manifest.jsonl``, ``blocked.csv``, ``NOTICE.md``, ``croissant.json`` and ``spdx.jsonld`` (SPDX 3.0).

Files are byte-identical for the same catalogue state and parameters: no clock values are written; the dataset's
"as of" is the last non-export ledger event.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb

from provenance import interrupts, ledger
from provenance._selection import COLUMNS, SELECT, Decider, ExportVerdict, candidate_batches, hub_language, to_row
from provenance.db import transaction
from provenance.errors import UsageError
from provenance.export_asof import refuse_ended_since
from provenance.export_items import insert_items, items_digest
from provenance.export_out import Staged, after_failure, finish, note, prepare_out, refuse_non_utf8, sha256_file
from provenance.export_stage import close_interrupted, uninterrupted
from provenance.export_stage import files as staged_files
from provenance.faults import fault
from provenance.licence_recall_catalogue import catalogue_detail, entry_expiries
from provenance.licence_terms import recipient_reason, refuse_bank_case
from provenance.licences import (
    LicenceCatalogue,
    default_licence_catalogue,
    licence_catalogue_path,
    licence_today,
    load_licence_catalogue,
    parse_audience,
    parse_purpose,
)
from provenance.records import PII_PASSED
from provenance.runs import start_run

__all__ = [
    "COLUMNS",
    "ExportParams",
    "ExportResult",
    "ExportVerdict",
    "export_dataset",
    "iter_blocked",
    "iter_verdicts",
    "load_licence_catalogue_for",
    "preview",
]

FORMATS: tuple[str, ...] = ("parquet", "jsonl")
PII_GATES: tuple[str, ...] = ("all", "expected")
BLOCKED_HEADER: tuple[str, ...] = ("record_id", "source_id", "licence_id", "code", "reason")


@dataclass(frozen=True, slots=True)
class ExportParams:
    """What to export and for whom."""

    purpose: str
    audience: str
    commercial: bool | None = None
    """The recipient's use is commercial (True) or not (False): a stated choice, no default."""
    format: str = "parquet"
    at: dt.date | None = None
    """Date licences are evaluated at (expiry); default today in Taiwan (UTC+8). Not written into the files."""
    shard_rows: int = 50_000
    """Records per data shard."""
    pii_gate: str = "all"
    """``all``: every record must have passed the PII stage (default: nothing leaves with personal data
    in it); ``expected``: only records of sources marked ``pii_expected`` and annotators' corrections."""
    drop_near_duplicates: bool = False
    """Leave out records the dedup policy kept as near duplicates (``records.near_duplicate_of``)."""
    include_deleted_stubs: bool = False
    """Keep "（刪除）" placeholders of repealed articles (left out by default)."""

    def validated(self) -> ExportParams:
        """Checked copy with ``at`` filled in; raises :class:`UsageError` listing valid values."""
        parse_purpose(self.purpose)
        parse_audience(self.audience)
        if not isinstance(self.commercial, bool):
            raise UsageError(
                "state whether the use is commercial: --commercial or --non-commercial"
                " (ExportParams.commercial=True/False); there is no default"
            )
        if self.format not in FORMATS:
            raise UsageError(f"unknown format `{self.format}`; valid: {', '.join(FORMATS)}")
        if self.shard_rows < 1:
            raise UsageError("shard_rows must be at least 1")
        if self.pii_gate not in PII_GATES:
            raise UsageError(f"unknown PII gate `{self.pii_gate}`; valid: {', '.join(PII_GATES)}")
        return replace(self, at=self.at or licence_today())

    def as_dict(self) -> dict[str, Any]:
        """Parameters as recorded in the ledger."""
        return {
            "purpose": self.purpose,
            "audience": self.audience,
            "commercial": self.commercial,
            "format": self.format,
            "as_of": self.at.isoformat() if self.at else None,
            "shard_rows": self.shard_rows,
            "pii_gate": self.pii_gate,
            "drop_near_duplicates": self.drop_near_duplicates,
            "include_deleted_stubs": self.include_deleted_stubs,
        }


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote."""

    export_id: str
    out_dir: Path
    records: int
    blocked: int
    blocked_by_code: dict[str, int]
    licences: dict[str, int]
    manifest_sha256: str
    files: tuple[str, ...]
    seq: int
    """Ledger seq of the export event."""
    characters: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _state(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """(hash, created_at ISO) of the last ledger event that is neither an export's nor a run's seal (stage ``run``,
    :func:`provenance.runs.finish_run`: an export's own seal changed the state the next identical export read, so
    its ``export_id`` and the byte-identical ``--as-of`` reproduction differed): the catalogue state."""
    row = con.execute(
        "SELECT hash, created_at FROM provenance_events WHERE stage NOT IN ('export', 'run') ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return ledger.GENESIS, "1970-01-01T00:00:00Z"
    return row[0], row[1].replace(microsecond=0).isoformat() + "Z"


#: a shard also ends at this many characters of texts and titles: a shard's rows are held in memory (review 12)
SHARD_CHARS = 32_000_000


class _ShardWriter:
    def __init__(self, out_dir: Path, fmt: str, shard_rows: int) -> None:
        self.out_dir, self.fmt, self.shard_rows, self.chars = out_dir, fmt, shard_rows, 0
        self.buf: list[dict[str, str | None]] = []
        self.files: list[str] = []

    def add(self, row: dict[str, str | None]) -> None:
        self.buf.append(row)
        self.chars += len(row["text"] or "") + len(row["title"] or "")
        if len(self.buf) >= self.shard_rows or self.chars >= SHARD_CHARS:
            self.flush()

    def flush(self, final: bool = False) -> None:
        # an empty export writes no shard: `datasets` cannot load an empty split (its reader raises
        # "Instruction 'train' corresponds to no data"), so the card says the export is empty instead
        if not self.buf:
            return
        name = f"data/train-{len(self.files):05d}.{self.fmt}"
        path = self.out_dir / name
        if self.fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            schema = pa.schema([(c, pa.string()) for c in COLUMNS])
            table = pa.Table.from_pylist(self.buf, schema=schema)
            pq.write_table(table, path, compression="zstd", row_group_size=10_000)
        else:
            with path.open("w", encoding="utf-8", newline="\n") as fh:
                for row in self.buf:
                    fh.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
        self.files.append(name)
        self.buf, self.chars = [], 0


def export_dataset(
    con: duckdb.DuckDBPyConnection,
    out_dir: str | Path,
    params: ExportParams,
    *,
    overwrite: bool = False,
    licence_catalogue: LicenceCatalogue | None = None,
    actor: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Export the licence-permitted records of the catalogue to ``out_dir``.

    Records the export as a ledger event (export id, parameters, manifest hash), a row in ``exports`` and its records
    in ``export_items``. A past ``at`` is refused when a record it lets in has ended since (:mod:`.export_asof`).

    Raises:
        UsageError: bad purpose/audience/format, or a non-empty ``out_dir`` without ``overwrite``.
    """
    params, cat = params.validated(), licence_catalogue or default_licence_catalogue()
    refuse_bank_case(params.audience)  # before anything is written, and so is:
    refuse_ended_since(con, params, cat)
    staged = prepare_out(con, Path(out_dir), overwrite)
    run_id = None
    try:
        close_interrupted(con)
        state_hash, as_of = _state(con)
        run_params = {**params.as_dict(), "out_dir": str(staged.out)}
        run_id = start_run(
            con,
            "export dataset",
            hashlib.sha256(ledger.canonical_json(params.as_dict()).encode()).hexdigest()[:16],
            run_params,
        )
        note(staged, run_id=run_id)
        res = _export(con, staged, params, cat, state_hash, as_of, run_id, actor, progress)
        # recorded: the run is finished, then the files put in place (killed in between, the next export into
        # --out finishes it: provenance/export_stage.py:settle)
        finish(con, staged, run_id, res.export_id, res.records, res.blocked_by_code, res.files)
    except BaseException as exc:
        after_failure(con, staged, run_id, exc)  # recorded before it was interrupted: finished, not removed
        raise
    return res


def _export(
    con: duckdb.DuckDBPyConnection,
    staged: Staged,
    params: ExportParams,
    cat: LicenceCatalogue,
    state_hash: str,
    as_of: str,
    run_id: str,
    actor: str | None,
    progress: Callable[[int], None] | None,
) -> ExportResult:
    """Select, write the files (into the staging folder), record the export (as written to ``--out``): the three
    phases of :func:`export_dataset`."""
    out, staging = staged.out, staged.staging
    cat_sha = cat.sha256 or hashlib.sha256(Path(cat.path or licence_catalogue_path()).read_bytes()).hexdigest()
    writer = _ShardWriter(staging, params.format, params.shard_rows)
    sel = _select(con, Decider(con, cat, params), writer, progress, staging)
    manifest_sha = sel.manifest_sha256
    # the evaluation date is left out: it matters only through the decisions, which the manifest
    # and blocked list capture, so a re-run on another day with the same outcome is byte-identical
    id_params = {k: v for k, v in params.as_dict().items() if k != "as_of"}
    export_id = hashlib.sha256(
        ledger.canonical_json(
            {
                "state": state_hash,
                "catalogue": cat_sha,
                "manifest": manifest_sha,
                "blocked": sel.blocked_sha256,
                "params": id_params,
            }
        ).encode()
    ).hexdigest()[:24]
    seq_row = con.execute("SELECT seq FROM provenance_events WHERE hash = ? LIMIT 1", [state_hash]).fetchall()
    info = {
        "export_id": export_id,
        "state_hash": state_hash,
        "state_seq": seq_row[0][0] if seq_row else 0,  # with the hash: the ledger head this export was made at
        "as_of": as_of,
        "catalogue_sha256": cat_sha,
        # NOTICE and the card name a catalogue other than the shipped one: its licence facts are the ones stated
        "catalogue_shipped": cat_sha == hashlib.sha256(licence_catalogue_path().read_bytes()).hexdigest(),
        "catalogue_name": Path(cat.path).name if cat.path else licence_catalogue_path().name,
        "manifest_sha256": manifest_sha,
        "records": sel.records,
        "characters": sel.chars,
        "blocked": dict(sorted(sel.blocked_counts.items())),
        "licences": dict(sorted(sel.lic_counts.items())),
        "licence_expiry": entry_expiries(cat, sel.lic_counts),  # as NOTICE states them: recall compares
        "purpose": params.purpose,
        "audience": params.audience,
        "commercial": params.commercial,
        "format": params.format,
        "languages": sorted(sel.languages),
        "drop_near_duplicates": params.drop_near_duplicates,
        "include_deleted_stubs": params.include_deleted_stubs,
        "pii_gate": params.pii_gate,
        "pii_unchecked": sel.pii_unchecked,
        "stages": dict(sorted(sel.stages.items())),
        "grants": [
            {
                "licence": k[0],
                "agreement_ids": list(k[1]),
                "purposes": list(k[2]),
                "audience": list(k[3]),
                "commercial": k[4],
                "expiry": k[5],
                "records": n,
            }
            for k, n in sorted(sel.grants.items(), key=lambda kv: repr(kv[0]))
        ],
    }
    files = _write_documents(staging, info, cat, sel, writer)
    fault("export_written")  # crash tests: every file written, nothing recorded
    interrupts.stop_if_asked()  # a stop whose exception was lost while the files were written (DuckDB): not recorded
    note(staged, export_id=export_id)
    with uninterrupted():  # Ctrl-C or SIGTERM while it commits is raised once it has: then known to be recorded
        seq = _record_export(con, out, staging, params, info, sel, run_id, actor)
    fault("export_committed")  # crash tests: a SIGTERM just after the ledger commit
    return ExportResult(
        export_id=export_id,
        out_dir=out,
        records=sel.records,
        blocked=sum(sel.blocked_counts.values()),
        blocked_by_code=info["blocked"],
        licences=info["licences"],
        manifest_sha256=manifest_sha,
        files=files,
        seq=seq,
        characters=sel.chars,
    )


class _HashedFile:
    """A text file written once, front to back, with its sha256 kept as it goes (never held in memory)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh = path.open("w", encoding="utf-8", newline="\n")
        self._h = hashlib.sha256()

    def write(self, text: str) -> None:
        self._fh.write(text)
        self._h.update(text.encode("utf-8"))

    def close(self) -> str:
        """Close the file; returns its sha256."""
        self._fh.close()
        return self._h.hexdigest()


@dataclass
class _Selection:
    """What the selection phase gathers: counts and attributions (the manifest and blocked list go to files)."""

    blocked_counts: Counter[str] = field(default_factory=Counter)
    lic_counts: Counter[str] = field(default_factory=Counter)
    #: licence -> attribution line -> source id -> records
    attributions: dict[str, dict[str, Counter[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Counter))
    )
    records: int = 0
    chars: int = 0
    languages: set[str] = field(default_factory=set)
    #: included records by the stage that made their version (``ingest``: as taken in, else modified)
    stages: Counter[str] = field(default_factory=Counter)
    #: included records by licence and agreement or grant terms (:func:`provenance._selection.grant_terms`)
    grants: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    #: included records that have not passed the PII stage (only under ``--pii-gate expected``)
    pii_unchecked: int = 0
    manifest_sha256: str = ""
    blocked_sha256: str = ""


def _select(
    con: duckdb.DuckDBPyConnection,
    decider: Decider,
    writer: _ShardWriter,
    progress: Callable[[int], None] | None,
    out: Path,
) -> _Selection:
    """Phase 1: decide every candidate record; exported ones go to the shards and the manifest.

    Memory does not grow with the catalogue: rows are fetched 5,000 at a time, the shards are written
    every ``shard_rows`` records (or :data:`SHARD_CHARS` characters), and the manifest and blocked list are written to their files as they grow.
    """
    sel = _Selection()
    audience = decider.p.audience  # blocked.csv goes to the recipients: another bank's grant is not named to them
    manifest, blocked = _HashedFile(out / "manifest.jsonl"), _HashedFile(out / "blocked.csv")
    bw = csv.writer(blocked, lineterminator="\n")
    bw.writerow(BLOCKED_HEADER)
    try:
        for batch in candidate_batches(con, decider):
            for row in batch:
                dec = decider.decide(row)
                if not dec.ok:
                    bw.writerow((row[0], row[1], row[2] or "", dec.code, recipient_reason(dec.reason, audience)))
                    sel.blocked_counts[dec.code] += 1
                    continue
                out_row = to_row(row, dec)
                writer.add(out_row)
                if (tag := hub_language(row[6], row[7])) is not None:
                    sel.languages.add(tag)
                manifest.write(
                    json.dumps(
                        {
                            "record_id": row[0],
                            "content_sha256": row[10],
                            "source_id": row[1],
                            "licence_id": dec.licence,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
                sel.records += 1
                sel.stages[row[9] or "ingest"] += 1
                sel.pii_unchecked += row[11] not in PII_PASSED
                sel.lic_counts[dec.licence] += 1
                sel.chars += len(out_row["text"])
                for a in dec.attributions:
                    sel.attributions[dec.licence][a][row[1]] += 1
                if dec.terms:
                    sel.grants[(dec.licence, *dec.terms)] += 1
            if progress:
                progress(len(batch))
        writer.flush(final=True)
    finally:
        sel.manifest_sha256, sel.blocked_sha256 = manifest.close(), blocked.close()
    return sel


def _write_documents(
    out: Path, info: dict[str, Any], cat: LicenceCatalogue, sel: _Selection, writer: _ShardWriter
) -> tuple[str, ...]:
    """Phase 2: NOTICE, dataset card, Croissant and SPDX beside the shards; returns every file's name."""
    from provenance import _package  # metadata documents; kept apart from the selection logic

    used_ids = sorted({part for label in sel.lic_counts for part in label.split(" AND ")})
    (out / "NOTICE.md").write_text(_package.notice(info, cat, used_ids, sel.attributions), encoding="utf-8")
    shard_hashes = {name: sha256_file(out / name) for name in writer.files}
    (out / "README.md").write_text(_package.card(info, cat, used_ids, writer.files), encoding="utf-8")
    sizes = {name: (out / name).stat().st_size for name in writer.files}
    croissant = _package.croissant({**info, "shard_bytes": sizes}, cat, used_ids, shard_hashes)
    (out / "croissant.json").write_text(croissant, encoding="utf-8")
    spdx = _package.spdx({**info, "data_bytes": sum(sizes.values())}, cat, used_ids, shard_hashes)
    (out / "spdx.jsonld").write_text(spdx, encoding="utf-8")
    return tuple(sorted([*writer.files, *_package.DOCUMENTS]))


def _record_export(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    staging: Path,
    params: ExportParams,
    info: dict[str, Any],
    sel: _Selection,
    run_id: str,
    actor: str | None,
) -> int:
    """Phase 3: the ledger event, the ``exports`` row and the ``export_items``, in one transaction; returns the seq.
    The files are read in ``staging`` and recorded as written to ``out``, where :func:`commit_out` puts them."""
    export_id = info["export_id"]
    with transaction(con):
        insert_items(con, export_id, staging / "manifest.jsonl", sel.records)
        _, digest = items_digest(con, export_id)  # sealed in the event: `audit verify` recomputes it
        created = ledger.now()
        ledger.append(
            con,
            [
                ledger.Event(
                    stage="export",
                    action="export",
                    actor=actor,
                    run_id=run_id,
                    detail={
                        "export_id": export_id,
                        "params": params.as_dict(),
                        "manifest_sha256": info["manifest_sha256"],
                        "state_hash": info["state_hash"],
                        # its sha256 (`audit export` flags one not shipped), each used entry's expiry as NOTICE states it
                        "licence_catalogue": catalogue_detail(info),
                        "records": sel.records,
                        "items_digest": digest,
                        "blocked": info["blocked"],
                        "state_seq": info["state_seq"],
                        # every file as written: `curate audit verify-export DIR` names changed, missing, extra ones
                        "files": {p.relative_to(staging).as_posix(): sha256_file(p) for p in staged_files(staging)},
                        "out_dir": str(out.resolve()),
                    },
                )
            ],
            at=created,
        )
        seq = con.execute("SELECT max(seq) FROM provenance_events").fetchone()[0]
        con.execute(
            "INSERT INTO exports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                seq,
                export_id,
                created,
                params.purpose,
                params.audience,
                params.commercial,
                params.at,
                params.format,
                str(out.resolve()),
                info["state_hash"],
                info["manifest_sha256"],
                sel.records,
                sum(sel.blocked_counts.values()),
                ledger.canonical_json(
                    {"licences": info["licences"], "blocked": info["blocked"], "characters": sel.chars}
                ),
                actor,
                run_id,
            ],
        )
    return seq


def iter_blocked(path: str | Path) -> Iterator[dict[str, str]]:
    """Rows of an export's ``blocked.csv``."""
    with Path(path).open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def load_licence_catalogue_for(path: str | Path | None) -> LicenceCatalogue:
    """The licence catalogue at ``path`` (a UTF-8 path: NOTICE names it) or the shipped one."""
    if path:
        refuse_non_utf8(Path(path).resolve(), "--catalogue", "file")
    return load_licence_catalogue(path) if path else default_licence_catalogue()


@dataclass(frozen=True, slots=True)
class RecordVerdict:
    """The export decision for one candidate record (see :func:`iter_verdicts`)."""

    record_id: str
    source_id: str
    licence_id: str | None
    doc_key: str
    verdict: ExportVerdict


def iter_verdicts(
    con: duckdb.DuckDBPyConnection,
    params: ExportParams,
    *,
    licence_catalogue: LicenceCatalogue | None = None,
    record_ids: list[str] | None = None,
) -> Iterator[RecordVerdict]:
    """What :func:`export_dataset` would decide, record by record, without writing anything.

    Candidates are the same as an export's (active records, and withdrawn leaves); with
    ``record_ids`` only those. Read-only: usable on an auditor's connection (reports, the portal,
    pipeline dry runs).
    """
    params = params.validated()
    decider = Decider(con, licence_catalogue or default_licence_catalogue(), params)
    if record_ids is not None:
        yield from _point_verdicts(con, decider, list(record_ids))
        return
    for batch in candidate_batches(con, decider):
        for row in batch:
            yield RecordVerdict(row[0], row[1], row[2], row[8], decider.decide(row))


def _point_verdicts(con: duckdb.DuckDBPyConnection, decider: Decider, ids: list[str]) -> Iterator[RecordVerdict]:
    """:func:`iter_verdicts` for a few records by indexed point lookups (the candidate rule of
    ``SELECT`` applied per row: active, or withdrawn without a derived version)."""
    if not ids:
        return
    head = SELECT.split("\nWHERE ", 1)[0]
    lits = ", ".join("'" + str(i).replace("'", "''") + "'" for i in ids)
    for row in con.execute(f"{head}\nWHERE r.record_id IN ({lits})\nORDER BY r.record_id").fetchall():
        status = row[12]
        if status == "withdrawn":
            rid = str(row[0]).replace("'", "''")
            if con.execute(f"SELECT 1 FROM records WHERE version_of = '{rid}' LIMIT 1").fetchall():
                continue
        elif status != "active":
            continue
        yield RecordVerdict(row[0], row[1], row[2], row[8], decider.decide(row))


def preview(
    con: duckdb.DuckDBPyConnection, params: ExportParams, *, licence_catalogue: LicenceCatalogue | None = None
) -> dict[str, Any]:
    """Counts of what an export with ``params`` would hold now: records, blocked by code, licences."""
    blocked: Counter[str] = Counter()
    licences: Counter[str] = Counter()
    n = 0
    for rv in iter_verdicts(con, params, licence_catalogue=licence_catalogue):
        if rv.verdict.ok:
            n += 1
            licences[rv.verdict.licence] += 1
        else:
            blocked[rv.verdict.code] += 1
    return {"records": n, "blocked": dict(sorted(blocked.items())), "licences": dict(sorted(licences.items()))}
