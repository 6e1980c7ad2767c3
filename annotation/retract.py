"""Tasks that leave Label Studio: those of withdrawn records, and those deleted there by hand.

**Withdrawn records** (an erasure request, a revoked licence).
A withdrawal is recorded in the catalogue alone (`curate provenance withdraw` holds no Label Studio token); the next
`curate annotate push` or `pull` of each bank finds the tasks of withdrawn records on the projects it works on,
deletes the ones nobody annotated (as a superseded version's task is deleted) and marks every one of them
(``annotation_tasks.retracted_at``, ``task_deleted``; one ``task_retracted`` ledger event each). An annotated task
is kept (its annotations are the bank's work) and listed by `curate audit withdrawn` until deleted by hand.

**Tasks deleted in Label Studio** (by a project manager): a push compares the project's tasks with the catalogue's
mapping (:func:`forget_missing`); a missing task's mapping is dropped (one ``task_missing`` event each), so the push
sends its record again if it is still eligible, instead of counting it "already there" for ever; so is the mapping
of a task deleted for a withdrawal that was lifted since.
"""

from __future__ import annotations

import duckdb

from annotation.label_studio import LabelStudioClient
from provenance import ledger
from provenance.db import transaction


def retract_withdrawn(
    con: duckdb.DuckDBPyConnection, client: LabelStudioClient, bank: str, project: str, pid: int, run_id: str | None
) -> tuple[int, int]:
    """Delete the unannotated tasks of withdrawn records on one project; returns (deleted, kept as annotated)."""
    instance = client.config.instance
    rows = con.execute(
        "SELECT t.record_id, t.ls_task_id FROM annotation_tasks t JOIN records r USING (record_id)"
        " WHERE t.instance = ? AND t.bank = ? AND t.project = ? AND t.ls_project_id = ? AND t.retracted_at IS NULL"
        " AND r.status = 'withdrawn' ORDER BY t.ls_task_id",
        [instance, bank, project, pid],
    ).fetchall()
    deleted = set()
    for _, tid in rows:
        if client.task_annotation_count(tid) == 0:
            client.delete_task(tid)
            deleted.add(tid)
    if not rows:
        return 0, 0
    with transaction(con):
        con.executemany(
            "UPDATE annotation_tasks SET retracted_at = now()::TIMESTAMP, task_deleted = ?"
            " WHERE bank = ? AND project = ? AND record_id = ?",
            [(tid in deleted, bank, project, rid) for rid, tid in rows],
        )
        where = (bank, project, instance, pid)
        ledger.append(
            con,
            [
                _task_event("task_retracted", rid, tid, where, run_id, because="withdrawn", task_deleted=tid in deleted)
                for rid, tid in rows
            ],
        )
    return len(deleted), len(rows) - len(deleted)


def forget_missing(con: duckdb.DuckDBPyConnection, client: LabelStudioClient, bank: str, project: str, pid: int) -> int:
    """Drop the mapping of this project's live tasks that Label Studio no longer has, and of tasks deleted for a
    withdrawal since lifted (``curate provenance reinstate``), so the push sends their records again; returns how
    many."""
    instance = client.config.instance
    where = "WHERE t.instance = ? AND t.bank = ? AND t.project = ? AND t.ls_project_id = ?"
    rows = con.execute(
        f"SELECT t.record_id, t.ls_task_id, t.task_deleted, r.status = 'active' FROM annotation_tasks t"
        f" JOIN records r USING (record_id) {where} AND t.superseded_by IS NULL"
        " AND (t.retracted_at IS NULL OR t.task_deleted)",
        [instance, bank, project, pid],
    ).fetchall()
    live = [(rid, tid) for rid, tid, deleted, _ in rows if not deleted]
    missing = [(rid, tid) for rid, tid, deleted, active in rows if deleted and active]
    there = client.task_ids(pid) if live else set()
    missing += [(rid, tid) for rid, tid in live if tid not in there]
    if not missing:
        return 0
    with transaction(con):
        con.executemany(
            "DELETE FROM annotation_tasks WHERE bank = ? AND project = ? AND record_id = ?",
            [(bank, project, rid) for rid, _ in missing],
        )
        where = (bank, project, instance, pid)
        ledger.append(con, [_task_event("task_missing", rid, tid, where) for rid, tid in missing])
    return len(missing)


def _task_event(
    action: str, rid: str, tid: int, where: tuple[str, str, str, int], run_id: str | None = None, **extra: object
) -> ledger.Event:
    """One task's ledger event: the bank (its actor), project, Label Studio instance, project id and task id."""
    bank, project, instance, pid = where
    detail = {"bank": bank, "project": project, "instance": instance, "ls_project_id": pid, "ls_task_id": tid}
    return ledger.Event(
        stage="annotation", action=action, record_id=rid, run_id=run_id, actor=bank, detail={**detail, **extra}
    )


__all__ = ["forget_missing", "retract_withdrawn"]
