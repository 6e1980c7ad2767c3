"""Annotated tasks of versions found to hold personal data since their push: deleted once their work is imported.

:func:`annotation.retract.retract_withdrawn` takes out the tasks of a version sealed since its push (``pii_sealed``:
the PII stage learned a name in it later, a reviewer marked a 漏標) and keeps the annotated ones as the bank's work.
Kept, such a task showed the name to every annotator of the bank for good: its text, the proofreading prediction
that pre-fills the correction box, an annotation's corrected text (review 15). Unlike a withdrawal or a licence
(which may be lifted), a sealing is for good, and the catalogue holds the task's annotations once imported (typed
text sealed): after a project's pull, each such task whose every annotation is imported is deleted in Label Studio
(blanked, counted again and deleted, as an unannotated one is), with one ``sealed_task_deleted`` event; one with an
annotation not imported yet (saved while the pull ran) stays until the next pull imports it. So is the PII review task
whose 漏標 this pull applied (the version it showed is sealed by the same pull), and the version's tasks on the
projects pulled after it. So is a task whose annotation typed personal data: its correction, unchecked until
``curate run pii`` (:mod:`provenance.pii_rule`), sealed by that run, is deleted by the next pull.
"""

from __future__ import annotations

import duckdb

from annotation.label_studio import LabelStudioClient
from provenance import ledger
from provenance.db import transaction

#: the tasks on one project whose version is sealed (text in the vault alone): kept as annotated, or live still (the
#: version a 漏標 of this very pull sealed); or whose annotation made a version the PII stage sealed since (an ID number
#: typed into a correction: the annotation in Label Studio showed it, review 15 integration)
_KEPT_SEALED = """
    SELECT t.record_id, t.ls_task_id FROM annotation_tasks t JOIN records r USING (record_id)
    WHERE t.instance = ? AND t.bank = ? AND t.project = ? AND t.ls_project_id = ? AND t.superseded_by IS NULL
      AND NOT coalesce(t.task_deleted, false)
      AND ((r.pii_state = 'raw' AND r.text IS NULL) OR EXISTS (
        SELECT 1 FROM annotations a JOIN records c ON c.record_id = a.new_record_id
        WHERE a.instance = t.instance AND a.ls_project_id = t.ls_project_id AND a.ls_task_id = t.ls_task_id
          AND c.pii_state = 'raw' AND c.text IS NULL))
    ORDER BY t.ls_task_id
"""


def delete_sealed_imported(
    con: duckdb.DuckDBPyConnection, client: LabelStudioClient, bank: str, project: str, pid: int, run_id: str | None
) -> int:
    """Delete this project's kept tasks of sealed versions whose annotations are all imported; returns how many."""
    instance = client.config.instance
    kept = con.execute(_KEPT_SEALED, [instance, bank, project, pid]).fetchall()
    if not kept:
        return 0
    tids = [tid for _, tid in kept]
    imported: dict[int, set[int]] = {}
    for tid, aid in con.execute(
        "SELECT ls_task_id, ls_annotation_id FROM annotations WHERE instance = ? AND ls_project_id = ?"
        " AND ls_task_id IN (SELECT unnest(?::BIGINT[]))",
        [instance, pid, tids],
    ).fetchall():
        imported.setdefault(tid, set()).add(aid)
    there = {t["id"]: t for t in client.export_tasks(pid, tids)}
    gone = []
    for rid, tid in kept:
        task = there.get(tid)  # (None: no annotation there any more, deleted by hand: nothing left to import)
        if task is not None and (task.get("data") or {}).get("record_id") != rid:
            continue  # not our task: left to the push's reconciliation
        anns = {a.get("id") for a in (task or {}).get("annotations") or []}
        if anns <= imported.get(tid, set()) and client.delete_if_at_most(tid, len(anns), (pid, rid)):
            gone.append((rid, tid, len(anns)))
    if not gone:
        return 0
    with transaction(con):
        con.executemany(
            "UPDATE annotation_tasks SET task_deleted = true, retracted_at = coalesce(retracted_at, now()::TIMESTAMP)"
            " WHERE bank = ? AND project = ? AND record_id = ?",
            [(bank, project, rid) for rid, _, _ in gone],
        )
        detail = {"bank": bank, "project": project, "instance": instance, "ls_project_id": pid}
        ledger.append(
            con,
            [
                ledger.Event(
                    stage="annotation",
                    action="sealed_task_deleted",
                    record_id=rid,
                    run_id=run_id,
                    actor=bank,
                    detail={**detail, "ls_task_id": tid, "because": "pii_sealed", "annotations": n},
                )
                for rid, tid, n in gone
            ],
        )
    return len(gone)


__all__ = ["delete_sealed_imported"]
