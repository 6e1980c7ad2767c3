"""`curate annotate push`: send eligible record versions to a bank's Label Studio project.

Idempotent: one task per record version per (bank, project); pushing again creates nothing. Tasks go
in batches (at most 1,000 per request). Before a batch is sent its record ids are written to
``annotation_push_pending``; the task mapping (``annotation_tasks``) is written only after Label
Studio confirmed the task ids. If a push dies between the two, the next push finds the pending rows,
looks the tasks up in Label Studio by ``data.record_id`` and adopts them (deleting any duplicates),
so an interrupted push resumes without duplicates. When a newer version of a record is pushed, the
old version's task is marked superseded and, if nobody has annotated it yet, deleted; so is the task of a record
withdrawn since it was pushed (:mod:`annotation.retract`).
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from annotation.catalogue_memory import catalogue_params, check_remembered
from annotation.eligibility import GATE_COLUMNS, gate_columns, pii_refusal, text_refusal, version_gate
from annotation.errors import shown_url
from annotation.label_studio import LabelStudioClient
from annotation.projects import check_bank, check_bank_case, ensure_project, finish_run, start_run
from annotation.request_size import request_slices
from annotation.retract import forget_missing, retract_withdrawn
from annotation.review import PiiVault
from annotation.tasks import PROJECTS, build_task
from provenance import ledger
from provenance.db import transaction
from provenance.errors import OutputError, ReadOnlyError, UsageError
from provenance.licences import LicenceCatalogue
from provenance.sqlguard import check_condition
from provenance.version_chain import ancestor_chain_cte

MAX_BATCH = 1000
Progress = Callable[[int, int], None]  # (advanced by, total)


@dataclass(frozen=True, slots=True)
class PushConfig:
    """What to push where."""

    project: str
    bank: str
    #: push at most this many new tasks
    limit: int | None = None
    #: extra SQL condition over ``records`` (alias ``r``), ANDed with ``status = 'active'``
    where: str | None = None
    #: tasks per import request (1..1000)
    batch_size: int = MAX_BATCH
    #: JSON bytes per import request, at most (None: :data:`annotation.request_size.MAX_REQUEST_BYTES`; a larger
    #: task goes alone)
    max_request_bytes: int | None = None
    #: ``priority`` (default) or ``created`` (oldest first); see :func:`select_candidates`
    order: str = "priority"
    #: reveals partially masked PII for review tasks (``curate.pii.review.VaultReview``); None = placeholders
    vault: PiiVault | None = None
    #: the licence rules tasks are judged by (``--catalogue``: a corrected copy exports are made with); None = shipped
    licence_catalogue: LicenceCatalogue | None = None


@dataclass(slots=True)
class PushReport:
    """Counts of one push."""

    bank: str
    project: str
    ls_project_id: int | None = None
    selected: int = 0
    pushed: int = 0
    already: int = 0
    adopted: int = 0
    #: tasks deleted in Label Studio by hand: their records are pushed again if still eligible
    missing: int = 0
    superseded: int = 0
    #: tasks of withdrawn records deleted in Label Studio, and kept there because annotated (annotation/retract.py)
    retracted: int = 0
    retracted_kept: int = 0
    refused: Counter = field(default_factory=Counter)
    refused_ids: list[tuple[str, str]] = field(default_factory=list)
    #: pushed tasks per priority class (see PRIORITY_CLASSES)
    priority: Counter = field(default_factory=Counter)
    run_id: str | None = None
    output: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "bank": self.bank,
            "project": self.project,
            "ls_project_id": self.ls_project_id,
            "selected": self.selected,
            "pushed": self.pushed,
            "already": self.already,
            "adopted": self.adopted,
            "missing": self.missing,
            "superseded": self.superseded,
            "retracted": self.retracted,
            "retracted_kept": self.retracted_kept,
            "refused": dict(self.refused),
            "priority": dict(self.priority),
        }


def _validate(con: duckdb.DuckDBPyConnection, cfg: PushConfig) -> None:
    if cfg.project not in PROJECTS:
        raise UsageError(f"unknown project {cfg.project!r}; valid: {', '.join(PROJECTS)}")
    check_bank(cfg.bank)
    check_bank_case(con, cfg.bank)
    if not 1 <= cfg.batch_size <= MAX_BATCH:
        raise UsageError(f"batch size {cfg.batch_size} outside 1..{MAX_BATCH}")
    if cfg.max_request_bytes is not None and cfg.max_request_bytes < 1:
        raise UsageError(f"request size {cfg.max_request_bytes} must be at least 1 byte")
    if cfg.limit is not None and cfg.limit < 0:
        raise UsageError("--limit must be >= 0")
    if cfg.order not in ORDERS:
        raise UsageError(f"unknown order {cfg.order!r}; valid: {', '.join(ORDERS)}")


#: push order: ``priority`` (default) puts the records that most need a person first
ORDERS = ("priority", "created")
#: a PII span scored below this by the PII stage is low-confidence (worth a reviewer's look first)
LOW_PII_SCORE = 0.6
#: priority classes, most urgent first
PRIORITY_CLASSES = ("normalise_flag", "low_confidence_pii", "annotation_correction", "other")
#: the versions above a record that its push priority and proofreading notes read (a longer chain is cut there)
CHAIN_DEPTH = 32

_PRIORITY_SQL = f"""
    , {ancestor_chain_cte("chain", "SELECT record_id, record_id FROM cand", max_depth=CHAIN_DEPTH)}
    , sig AS (
        SELECT c.start_id,
               bool_or(e.stage = 'normalise' AND e.action = 'flag') AS flagged,
               bool_or(e.stage = 'pii' AND e.action = 'pii_scrubbed' AND coalesce(list_min(
                   CAST(json_extract(e.detail, '$.spans[*].score') AS DOUBLE[])), 1) < {LOW_PII_SCORE}) AS low_pii
        FROM chain c JOIN provenance_events e ON e.record_id = c.rid AND e.stage IN ('normalise', 'pii')
        GROUP BY c.start_id)
    , corr AS (
        SELECT c.start_id, bool_or(r.stage = 'annotation') AS corrected
        FROM chain c JOIN records r ON r.record_id = c.rid GROUP BY c.start_id)
    SELECT cand.*, CASE WHEN coalesce(sig.flagged, false) THEN 0 WHEN coalesce(sig.low_pii, false) THEN 1
                        WHEN coalesce(corr.corrected, false) THEN 2 ELSE 3 END AS priority
    FROM cand LEFT JOIN sig ON sig.start_id = cand.record_id LEFT JOIN corr ON corr.start_id = cand.record_id
    ORDER BY priority, cand.created_at, cand.record_id"""


def _check_where(con: duckdb.DuckDBPyConnection, where: str) -> None:
    """``--where`` must be one condition over the records' own columns, checked on DuckDB's parse tree like
    ``curate sql`` (:func:`provenance.sqlguard.check_condition`): it is pasted inside ``AND (...)`` after the
    active-only filter, so text that closes that parenthesis (``1=1) OR (1=1``) would lift the filter, and a
    subquery or a file-reading function would read sealed tables or files as a yes/no filter."""
    try:
        check_condition(con, where, table="records", alias="r")
    except ReadOnlyError as exc:
        raise UsageError(f"--where {where!r} {exc}") from exc


def select_candidates(con: duckdb.DuckDBPyConnection, cfg: PushConfig) -> tuple[list[dict[str, Any]], int]:
    """Active versions matching ``where`` without a task in (bank, project), in push order; and how many
    already have one.

    ``priority`` order: records with normalisation flags, then with low-confidence PII spans, then
    versions made from annotators' corrections, then the rest (each oldest first).
    """
    if cfg.where:
        _check_where(con, cfg.where)
    where = f"AND ({cfg.where})" if cfg.where else ""
    cand = f"""
        SELECT r.record_id, r.doc_key, r.text, r.created_at,
               CASE WHEN coalesce(s.pii_expected, true) THEN NULL ELSE r.title END AS title,
               r.source_id, r.pii_state, r.licence_id, r.container,
               {gate_columns("r")},
               EXISTS (SELECT 1 FROM annotation_tasks t WHERE t.record_id = r.record_id AND t.bank = ?
                       AND t.project = ?) AS pushed
        FROM records r LEFT JOIN sources s ON s.source_id = r.source_id
        WHERE r.status = 'active' {where}"""
    if cfg.order == "priority":
        sql = f"WITH RECURSIVE cand AS ({cand}) {_PRIORITY_SQL}"
    else:
        sql = f"SELECT *, 3 AS priority FROM ({cand}) ORDER BY created_at, record_id"
    try:
        cur = con.execute(sql, [cfg.bank, cfg.project])
    except duckdb.Error as exc:
        raise UsageError(
            f"--where {cfg.where!r} is not a valid condition over records (alias r): {str(exc).splitlines()[0]}"
        ) from exc
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    already = sum(1 for r in rows if r["pushed"])
    return [r for r in rows if not r["pushed"]], already


def _normalise_details(con: duckdb.DuckDBPyConnection, record_ids: list[str]) -> dict[str, list[Any]]:
    """Details of `normalise` events on each record's version chain."""
    if not record_ids:
        return {}
    seeds = "SELECT record_id, record_id FROM records WHERE record_id IN (SELECT unnest(?::VARCHAR[]))"
    rows = con.execute(
        f"""
        WITH RECURSIVE {ancestor_chain_cte("chain", seeds, max_depth=CHAIN_DEPTH)}
        SELECT c.start_id, e.detail FROM chain c
        JOIN provenance_events e ON e.record_id = c.rid AND e.stage = 'normalise'
        ORDER BY e.seq""",
        [record_ids],
    ).fetchall()
    out: dict[str, list[Any]] = {}
    for rid, detail in rows:
        out.setdefault(rid, []).append(detail)
    return out


def _tasks(con: duckdb.DuckDBPyConnection, cfg: PushConfig, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Label Studio tasks for a batch of records (normalisation notes; masked PII for review)."""
    notes = _normalise_details(con, [r["record_id"] for r in batch]) if cfg.project == "proofread" else {}
    masks: dict[str, list[str]] = {}
    if cfg.project == "pii" and cfg.vault is not None:
        masks = cfg.vault.masked(con, [(r["record_id"], r["text"] or "") for r in batch])
    return [
        build_task(
            cfg.project,
            r,
            bank=cfg.bank,
            normalise_details=notes.get(r["record_id"], []),
            masks=masks.get(r["record_id"]),
        )
        for r in batch
    ]


def _eligible(
    con: duckdb.DuckDBPyConnection, cfg: PushConfig, rows: list[dict[str, Any]], report: PushReport
) -> list[dict[str, Any]]:
    """The rows the three gates of :mod:`annotation.eligibility` let through; the others counted as refused."""
    gate = version_gate(con, cfg.bank, cfg.licence_catalogue)  # held files (provenance/holds.py), then the licence
    ok = []
    for r in rows:
        reason = (
            text_refusal(r["text"])
            or pii_refusal(r["pii_state"])
            or gate(r["licence_id"], r["container"], *(r[c] for c in GATE_COLUMNS))
        )
        if reason:
            report.refused[reason.split(" (")[0] if reason.startswith("PII") else reason] += 1
            report.refused_ids.append((r["record_id"], reason))
        else:
            ok.append(r)
    return ok


def _reconcile(
    con: duckdb.DuckDBPyConnection, client: LabelStudioClient, cfg: PushConfig, pid: int, *, everything: bool = False
) -> int:
    """Adopt tasks Label Studio holds but the catalogue never recorded; returns how many.

    Looks for the records of an interrupted push (``annotation_push_pending``), or with
    ``everything`` for any record of this catalogue (a project adopted by title, e.g. after the
    catalogue was rebuilt). Duplicate tasks of one record are deleted, keeping the oldest.
    """
    instance = client.config.instance
    if everything:
        wanted = None
    else:
        wanted = {
            r[0]
            for r in con.execute(
                "SELECT record_id FROM annotation_push_pending WHERE instance = ? AND ls_project_id = ?",
                [instance, pid],
            ).fetchall()
        }
        if not wanted:
            return 0
    mapped = {
        r[0]
        for r in con.execute(
            "SELECT record_id FROM annotation_tasks WHERE bank = ? AND project = ?", [cfg.bank, cfg.project]
        ).fetchall()
    }
    known = {
        r[0]
        for r in con.execute(
            "SELECT ls_task_id FROM annotation_tasks WHERE instance = ? AND ls_project_id = ?", [instance, pid]
        ).fetchall()
    }
    found: dict[str, list[int]] = {}
    for t in client.export(pid, all_tasks=True):
        rid = (t.get("data") or {}).get("record_id")
        if rid and (wanted is None or rid in wanted) and rid not in mapped and t["id"] not in known:
            found.setdefault(rid, []).append(t["id"])
    doc_keys = (
        dict(
            con.execute(
                "SELECT record_id, doc_key FROM records WHERE record_id IN (SELECT unnest(?))", [list(found)]
            ).fetchall()
        )
        if found
        else {}
    )
    adopted = []
    for rid, ids in found.items():
        if rid not in doc_keys:  # not a record of this catalogue
            continue
        ids.sort()
        adopted.append((rid, doc_keys[rid], ids[0]))
        for extra in ids[1:]:
            client.delete_task(extra)
    with transaction(con):
        _record(con, client, cfg, pid, adopted, run_id=None, action="push_adopted")
        con.execute("DELETE FROM annotation_push_pending WHERE instance = ? AND ls_project_id = ?", [instance, pid])
    return len(adopted)


def _mark_pending(
    con: duckdb.DuckDBPyConnection, instance: str, pid: int, cfg: PushConfig, record_ids: list[str], batch_id: str
) -> None:
    """Note a batch as sent-but-unconfirmed (committed before the request goes out)."""
    import pyarrow as pa

    con.register("_ls_pending", pa.table({"record_id": pa.array(record_ids, pa.string())}))
    try:
        con.execute(
            "INSERT INTO annotation_push_pending SELECT ?, ?, ?, ?, record_id, ?, now()::TIMESTAMP FROM _ls_pending",
            [instance, pid, cfg.bank, cfg.project, batch_id],
        )
    finally:
        con.unregister("_ls_pending")


def _record(
    con: duckdb.DuckDBPyConnection,
    client: LabelStudioClient,
    cfg: PushConfig,
    pid: int,
    rows: list[tuple[str, str, int]],
    *,
    run_id: str | None,
    action: str = "push",
) -> None:
    """Write task mappings and one ledger event per pushed version (inside the caller's transaction)."""
    if not rows:
        return
    import pyarrow as pa

    instance = client.config.instance
    table = pa.table(
        {
            "record_id": [r[0] for r in rows],
            "doc_key": [r[1] for r in rows],
            "ls_task_id": pa.array([r[2] for r in rows], pa.int64()),
        }
    )
    con.register("_ls_batch", table)
    try:
        con.execute(
            "INSERT INTO annotation_tasks (record_id, doc_key, bank, project, instance, ls_project_id,"
            " ls_task_id, run_id, pushed_at) SELECT record_id, doc_key, ?, ?, ?, ?, ls_task_id, ?,"
            " now()::TIMESTAMP FROM _ls_batch",
            [cfg.bank, cfg.project, instance, pid, run_id],
        )
    finally:
        con.unregister("_ls_batch")
    ledger.append(
        con,
        [
            ledger.Event(
                stage="annotation",
                action=action,
                record_id=rid,
                run_id=run_id,
                actor=cfg.bank,
                detail={
                    "bank": cfg.bank,
                    "project": cfg.project,
                    "instance": instance,
                    "ls_project_id": pid,
                    "ls_task_id": tid,
                },
            )
            for rid, _, tid in rows
        ],
    )


def _supersede(con: duckdb.DuckDBPyConnection, client: LabelStudioClient, cfg: PushConfig, run_id: str) -> int:
    """Mark tasks of versions replaced by a newer pushed version; delete them in Label Studio if unannotated and
    still there (a task retract deleted already is not deleted again: Label Studio may have given its id to a new
    task, the newer version's own)."""
    old = con.execute(
        """
        SELECT o.record_id, o.ls_task_id, n.record_id, coalesce(o.task_deleted, false) FROM annotation_tasks o
        JOIN records ro ON ro.record_id = o.record_id
        JOIN annotation_tasks n ON n.bank = o.bank AND n.project = o.project AND n.doc_key = o.doc_key
             AND n.record_id <> o.record_id AND n.superseded_by IS NULL
        JOIN records rn ON rn.record_id = n.record_id AND rn.status = 'active'
        WHERE o.bank = ? AND o.project = ? AND o.superseded_by IS NULL AND ro.status <> 'active'
        """,
        [cfg.bank, cfg.project],
    ).fetchall()
    deleted = []
    for _rid, tid, _, gone in old:
        if not gone and client.delete_if_unannotated(tid):
            deleted.append(tid)
    with transaction(con):
        for rid, _tid, new_rid, _ in old:
            con.execute(
                "UPDATE annotation_tasks SET superseded_by = ?, superseded_at = now()::TIMESTAMP"
                " WHERE bank = ? AND project = ? AND record_id = ?",
                [new_rid, cfg.bank, cfg.project, rid],
            )
        ledger.append(
            con,
            [
                ledger.Event(
                    stage="annotation",
                    action="task_superseded",
                    record_id=rid,
                    run_id=run_id,
                    actor=cfg.bank,
                    detail={
                        "bank": cfg.bank,
                        "project": cfg.project,
                        "ls_task_id": tid,
                        "superseded_by": new_rid,
                        "task_deleted": tid in deleted,
                    },
                )
                for rid, tid, new_rid, _ in old
            ],
        )
    return len(old)


def push(
    con: duckdb.DuckDBPyConnection, client: LabelStudioClient, cfg: PushConfig, *, progress: Progress | None = None
) -> PushReport:
    """Push eligible record versions to the bank's project; see the module docstring."""
    _validate(con, cfg)
    # given no --catalogue (None) after a push by a corrected file: refused, as a pull is, before anything is sent
    check_remembered(
        con, client.config.instance, cfg.bank, [cfg.project], cfg.licence_catalogue, shown_url(client.config.instance),
        doing="push",
    )  # fmt: skip
    report = PushReport(bank=cfg.bank, project=cfg.project)
    known_before = con.execute(
        "SELECT count(*) FROM annotation_projects WHERE instance = ? AND bank = ? AND project = ?",
        [client.config.instance, cfg.bank, cfg.project],
    ).fetchone()[0]
    pid = ensure_project(con, client, cfg.bank, cfg.project)
    report.ls_project_id = pid
    report.adopted = _reconcile(con, client, cfg, pid, everything=not known_before)
    report.missing = forget_missing(con, client, cfg.bank, cfg.project, pid, cfg.licence_catalogue)
    rows, report.already = select_candidates(con, cfg)
    report.selected = len(rows) + report.already
    rows = _eligible(con, cfg, rows, report)
    if cfg.limit is not None:
        rows = rows[: cfg.limit]
    run_id = start_run(
        con,
        "annotate push",
        {
            "bank": cfg.bank,
            "project": cfg.project,
            "limit": cfg.limit,
            "where": cfg.where,
            "instance": client.config.instance,
            **catalogue_params(cfg.licence_catalogue),
        },
    )
    report.run_id = run_id
    instance = client.config.instance
    try:
        for i in range(0, len(rows), cfg.batch_size):
            chunk = rows[i : i + cfg.batch_size]
            built = _tasks(con, cfg, chunk)
            for a, b in request_slices(built, cfg.max_request_bytes):
                batch, tasks = chunk[a:b], built[a:b]
                batch_id = uuid.uuid4().hex
                _mark_pending(con, instance, pid, cfg, [r["record_id"] for r in batch], batch_id)
                task_ids = client.import_tasks(pid, tasks)
                with transaction(con):
                    _record(
                        con,
                        client,
                        cfg,
                        pid,
                        [(r["record_id"], r["doc_key"], t) for r, t in zip(batch, task_ids, strict=True)],
                        run_id=run_id,
                    )
                    con.execute("DELETE FROM annotation_push_pending WHERE batch_id = ?", [batch_id])
                report.pushed += len(batch)
                report.priority.update(PRIORITY_CLASSES[r["priority"]] for r in batch)
                if progress:
                    progress(len(batch), len(rows))
        report.superseded = _supersede(con, client, cfg, run_id)
        report.retracted, report.retracted_kept = retract_withdrawn(
            con, client, cfg.bank, cfg.project, pid, run_id, cfg.licence_catalogue
        )
    except BaseException:
        finish_run(con, run_id, status="failed", counts=report.as_dict())
        raise
    finish_run(con, run_id, counts=report.as_dict())
    return report


def write_tasks_file(con: duckdb.DuckDBPyConnection, cfg: PushConfig, path: Path) -> PushReport:
    """Write the tasks a push would send to a JSON file (for importing by hand).

    Records no task, only the file's path (table ``annotation_task_files``) so `curate pii scan` checks it.
    """
    from provenance.export_out import catalogue_files, file_target, refuse_non_utf8, refuse_overlap

    _validate(con, cfg)
    # given no --catalogue after a push by a corrected file, the file would hold what that file refused; it is imported
    # by hand on any instance: judged by the project's last push on any
    check_remembered(con, None, cfg.bank, [cfg.project], cfg.licence_catalogue, "Label Studio", doing="push")
    refuse_overlap(path, catalogue_files(con), option="--output", kind="file")  # never over the catalogue
    # a Big5 name: its row in annotation_task_files could not be written, a traceback after the file was made
    refuse_non_utf8(path.resolve(), "--output", "file", held_by="the catalogue records it as")
    path = file_target(path)  # never over a device; through a link, at its target
    report = PushReport(bank=cfg.bank, project=cfg.project, output=str(path))
    rows, report.already = select_candidates(con, cfg)
    report.selected = len(rows) + report.already
    rows = _eligible(con, cfg, rows, report)
    if cfg.limit is not None:
        rows = rows[: cfg.limit]
    tasks = _tasks(con, cfg, rows)
    report.priority.update(PRIORITY_CLASSES[r["priority"]] for r in rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")  # a failed write leaves no half file under the name
    data, opened = json.dumps(tasks, ensure_ascii=False, indent=1).encode("utf-8"), False
    try:
        # never through a link in its place (the tasks' texts went to where it led), and only a `.part` this push
        # opened is removed: a failed open deleted a link or file of that name curate never wrote
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o666)
        opened = True
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # recorded before the file takes its name: a kill between the two left a task file `pii scan` never checked
        con.execute(
            "INSERT INTO annotation_task_files VALUES (?, ?, ?, ?, now()::TIMESTAMP)",
            [str(path.resolve()), cfg.bank, cfg.project, len(tasks)],
        )
        part.replace(path)
    except OSError as exc:  # a full disk, a quota: the half-written copy of the tasks' texts stayed beside it
        where = f": `{exc.filename}`" if exc.filename else ""
        raise OutputError(
            f"--output `{path}`: the task file could not be written ({exc.strerror or exc}{where}); nothing was left"
            " in its place: free space there (or choose another --output) and push again"
        ) from exc
    finally:
        if opened:
            part.unlink(missing_ok=True)
    report.pushed = len(tasks)
    return report


__all__ = [
    "LOW_PII_SCORE",
    "ORDERS",
    "PRIORITY_CLASSES",
    "MAX_BATCH",
    "PushConfig",
    "PushReport",
    "push",
    "select_candidates",
    "write_tasks_file",
]
