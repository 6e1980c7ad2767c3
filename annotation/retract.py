"""Tasks that leave Label Studio: those of withdrawn or no longer licensed records, and those deleted there by hand.

**Withdrawn records** (an erasure request, a revoked licence), **records removed from their source** (a row a
``--complete`` dump lacks, a container's file a new snapshot lacks: ``because`` ``removed_from_source``; a row that
returns is a live task again, or sent again), **versions sealed since their push** (the PII
stage learned a name in them later, or a PII reviewer marked a 漏標: Label Studio shows what is now known to be
personal data; ``because`` ``pii_sealed``, for good), **records the bank may no longer see** (the
document's current version is refused by the licence gate of :mod:`annotation.eligibility` for this bank: its
licence expired, a corrected licence or terms leave the bank's audience out, its file is held).
A withdrawal or a licence change is recorded in the catalogue alone (neither holds a Label Studio token); the next
`curate annotate push` or `pull` of each bank finds such tasks on the projects it works on,
deletes the ones nobody annotated (as a superseded version's task is deleted) and marks every one of them
(``annotation_tasks.retracted_at``, ``task_deleted``; one ``task_retracted`` ledger event each, ``because`` names
why). An annotated task is kept (its annotations are the bank's work) and listed by `curate audit withdrawn` until
deleted by hand; once its reason holds no longer (a renewed agreement, a lifted withdrawal) it is a live task again
(``task_restored``). A task deleted for its licence, or deleted by hand after it was kept, is sent again by a later
push once the licence allows it.

**Tasks deleted in Label Studio** (by a project manager): a push compares the project's tasks with the catalogue's
mapping (:func:`forget_missing`); a missing task's mapping is dropped (one ``task_missing`` event each), so the push
sends its record again if it is still eligible, instead of counting it "already there" for ever; so is the mapping
of a task deleted for a withdrawal that was lifted since, or for a licence that allows the bank again.
"""

from __future__ import annotations

import duckdb

from annotation.eligibility import gate_columns, version_gate
from annotation.label_studio import LabelStudioClient
from provenance import ledger
from provenance.db import transaction
from provenance.licences import LicenceCatalogue
from provenance.recall import REMOVED_FROM_SOURCE, removed_from_source

#: why a task is taken out whose document its source no longer holds (:func:`provenance.recall.removed_from_source`)
REMOVED = REMOVED_FROM_SOURCE

#: a task on the server (live, or taken out but kept as annotated), its record and the document's current (active)
#: versions with what the licence gate reads; a task whose record is active is its own current version; ``removed``:
#: its document was removed from its source and holds no version in use since
_LIVE_TASKS = """
    SELECT t.record_id, t.ls_task_id, t.retracted_at IS NOT NULL AS kept, r.status,
           r.pii_state = 'raw' AND r.text IS NULL AS sealed, c.record_id IS NOT NULL AS has_current,
           r.status = 'superseded' AND {removed} AS removed,
           c.licence_id, c.container,
           {gate}
    FROM annotation_tasks t JOIN records r USING (record_id)
    LEFT JOIN (SELECT * FROM records WHERE status = 'active') c ON c.source_id = r.source_id AND c.doc_key = r.doc_key
    WHERE t.instance = ? AND t.bank = ? AND t.project = ? AND t.ls_project_id = ? AND t.superseded_by IS NULL
      AND (t.retracted_at IS NULL OR NOT coalesce(t.task_deleted, false))
    ORDER BY t.ls_task_id
""".format(gate=gate_columns("c"), removed=removed_from_source("r"))


#: why a task is taken out whose version was sealed since it was pushed (the PII stage or a PII review's 漏標 found
#: personal data in it: its text is in the vault alone, and Label Studio shows it until the task is deleted)
SEALED = "pii_sealed"


def _refused_tasks(
    con: duckdb.DuckDBPyConnection,
    instance: str,
    bank: str,
    project: str,
    pid: int,
    licence_catalogue: LicenceCatalogue | None = None,
):
    """(record id, task id, why) of the live tasks on one project whose record is withdrawn, removed from its source
    (:data:`REMOVED`) or sealed since the push (:data:`SEALED`), or whose document's current versions are all refused to ``bank`` by the licence or hold gate; and (record id, task id) of the tasks
    taken out but kept as annotated whose reason holds no longer (a renewed agreement, a lifted withdrawal)."""
    gate = version_gate(con, bank, licence_catalogue)
    seen: dict[tuple[str, int], list[str | None]] = {}
    kept: set[tuple[str, int]] = set()
    for rid, tid, was_kept, status, sealed, has_current, removed, *lic in con.execute(
        _LIVE_TASKS, [instance, bank, project, pid]
    ).fetchall():
        if was_kept:
            kept.add((rid, tid))
        why = seen.setdefault((rid, tid), [])
        if status == "withdrawn":
            why.append("withdrawn")
        elif sealed:  # found to hold personal data since it was pushed (a name learned later, a 漏標): for good
            why.append(SEALED)
        elif has_current and status in ("active", "superseded"):
            why.append(gate(*lic))
        elif removed:  # its source took it down: annotators must not work on it
            why.append(REMOVED)
        else:
            why.append(None)  # no current version (a duplicate, a dropped record): not the licence gate's case
    refused = [(rid, tid, reasons[0]) for (rid, tid), reasons in seen.items() if None not in reasons]
    return [r for r in refused if r[:2] not in kept], sorted(k for k in kept if None in seen[k])


def retract_withdrawn(
    con: duckdb.DuckDBPyConnection,
    client: LabelStudioClient,
    bank: str,
    project: str,
    pid: int,
    run_id: str | None,
    licence_catalogue: LicenceCatalogue | None = None,
) -> tuple[int, int]:
    """Delete the unannotated tasks of withdrawn records, of records removed from their source, of versions sealed since their push (found to hold personal
    data), and of documents whose current version the licence or hold gate now refuses to ``bank``, on one project;
    returns (deleted, kept as annotated). ``licence_catalogue``: the licence rules (default the shipped ones)."""
    instance = client.config.instance
    refused, allowed_again = _refused_tasks(con, instance, bank, project, pid, licence_catalogue)
    where = (bank, project, instance, pid)
    if allowed_again:  # kept as annotated, and their reason holds no longer: live tasks again
        with transaction(con):
            con.executemany(
                "UPDATE annotation_tasks SET retracted_at = NULL, task_deleted = NULL"
                " WHERE bank = ? AND project = ? AND record_id = ?",
                [(bank, project, rid) for rid, _ in allowed_again],
            )
            ledger.append(con, [_task_event("task_restored", rid, tid, where, run_id) for rid, tid in allowed_again])
    rows = [(rid, tid) for rid, tid, _ in refused]
    because = {rid: why for rid, _, why in refused}
    deleted = set()
    for rid, tid in rows:
        # (blanked, counted again, then deleted: no annotation goes unread; another task under its id left alone)
        if client.delete_if_unannotated(tid, (pid, rid)):
            deleted.add(tid)
    if not rows:
        return 0, 0
    with transaction(con):
        con.executemany(
            "UPDATE annotation_tasks SET retracted_at = now()::TIMESTAMP, task_deleted = ?"
            " WHERE bank = ? AND project = ? AND record_id = ?",
            [(tid in deleted, bank, project, rid) for rid, tid in rows],
        )
        ledger.append(
            con,
            [
                _task_event(
                    "task_retracted", rid, tid, where, run_id, because=because[rid], task_deleted=tid in deleted
                )
                for rid, tid in rows
            ],
        )
    return len(deleted), len(rows) - len(deleted)


def forget_missing(
    con: duckdb.DuckDBPyConnection,
    client: LabelStudioClient,
    bank: str,
    project: str,
    pid: int,
    licence_catalogue: LicenceCatalogue | None = None,
) -> int:
    """Drop the mapping of this project's tasks that Label Studio no longer has (live ones, and ones taken out but kept
    as annotated, then deleted there by hand), and of tasks deleted for a
    withdrawal since lifted (``curate provenance reinstate``) or for a licence the gate passes again, so the push
    sends their records again; returns how many."""
    instance = client.config.instance
    where = "WHERE t.instance = ? AND t.bank = ? AND t.project = ? AND t.ls_project_id = ?"
    rows = con.execute(
        f"SELECT t.record_id, t.ls_task_id, t.task_deleted, r.status = 'active', r.licence_id, r.container,"
        f" {gate_columns('r')}"
        f" FROM annotation_tasks t JOIN records r USING (record_id)"
        f" {where} AND t.superseded_by IS NULL",
        [instance, bank, project, pid],
    ).fetchall()
    gate = version_gate(con, bank, licence_catalogue)
    live = [(rid, tid) for rid, tid, deleted, *_ in rows if not deleted]
    missing = [(rid, tid) for rid, tid, deleted, active, *lic in rows if deleted and active and gate(*lic) is None]
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
