"""An earlier run's duplicates clustered again (review 14): incremental runs decide as one run over all records.

The persistent index holds every record dedup clustered, the copies it dropped too, and a run pulls in the whole
earlier cluster of each record its new records hit (:class:`curate.dedup.store.DiskRows`): a new record nearer to a
dropped copy than to its survivor joins that cluster, as it would in one run over all of them, and the cluster's
kept record is chosen again among all its members. A dropped copy whose decision changes (the kept record it names
is a duplicate now, or, under other survivor rules, it is the kept record itself) gets its new decision here, in the
load transaction: its results could not go through the load, which takes results for active records only. One made
active again (a run under other survivor rules prefers it) is its cluster's kept record: the load left out the run's
results naming it (their survivor was not active yet), and the follow-up run the runner starts for a record a run
released (``DedupStage.takes_released``) clusters them with it.
"""

from __future__ import annotations

from typing import Any

from provenance import ledger

#: why a record's dedup decision changed without the record itself being new
RECLUSTERED = "clustered again with records that arrived later (`curate run dedup` decides as one run over all records)"


def duplicate_detail(d: Any, policy: dict[str, Any]) -> dict[str, Any]:
    """The detail of a ``duplicate_of`` event for the verdict ``d`` (a :class:`curate.dedup.engine.DedupVerdict`)."""
    return {
        "survivor": d.duplicate_of,
        "jaccard_est": d.jaccard_est,
        "jaccard": d.jaccard,
        "match": d.match,
        "rule": d.rule,
        "already_indexed": not d.is_new,
        "policy": policy,
        # joined through a chain (A≈B≈C, C below the threshold with A): the member it matched
        **({"matched": d.matched, "matched_jaccard": d.matched_jaccard} if d.matched else {}),
    }


def reclustered_duplicate(
    d: Any,
    before: tuple[str, str] | None,
    policy: dict[str, Any],
    changes: list[dict[str, Any]],
    links: list[dict[str, Any]],
) -> bool:
    """For the verdict ``d`` of an old row that is a duplicate now (``before``: ``("duplicate", the record it
    names)``), the change :func:`apply_reclustered` makes, if any, appended to ``changes`` (and its near-duplicate
    link to ``links``). False for a row that is no such duplicate (the stage's results decide it)."""
    if before is None or before[0] != "duplicate":
        return False
    if not d.survivor:
        if d.duplicate_of != before[1]:
            changes.append({"record_id": d.id, "action": "duplicate_of", "detail": duplicate_detail(d, policy)})
        return True
    changes.append(
        {
            "record_id": d.id,
            "action": "duplicate_released",
            "detail": {"survivor": before[1], "reason": RECLUSTERED, "previous_status": "duplicate", "policy": policy},
        }
    )
    if d.near_duplicate_of:
        links.append({"record_id": d.id, "representative": d.near_duplicate_of, "jaccard": d.jaccard, "match": d.match})
    return True


def apply_reclustered(con: Any, changes: list[dict[str, Any]], run_id: str) -> None:
    """Apply the new decisions of :func:`reclustered_duplicate` to the records that are still duplicates: a new
    ``duplicate_of`` event naming the kept record, or the record active again with a ``duplicate_released`` event."""
    if not changes:
        return
    still = {
        r
        for (r,) in con.execute(
            "SELECT record_id FROM records WHERE status = 'duplicate' AND record_id IN (SELECT unnest($ids))",
            {"ids": [c["record_id"] for c in changes]},
        ).fetchall()
    }
    changes = [c for c in changes if c["record_id"] in still]
    released = [c["record_id"] for c in changes if c["action"] == "duplicate_released"]
    if released:
        con.execute("UPDATE records SET status = 'active' WHERE record_id IN (SELECT unnest($ids))", {"ids": released})
    ledger.append(
        con,
        [
            ledger.Event(stage="dedup", action=c["action"], record_id=c["record_id"], run_id=run_id, detail=c["detail"])
            for c in changes
        ],
    )
