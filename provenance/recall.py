"""Which exported items hold a withdrawn document: the one query behind every recall view.

A withdrawal marks the version it names and the versions derived from it (:mod:`provenance.withdraw`), but an
export made before a later stage (normalise, a licence-row correction, the PII name pass, an annotation pull)
holds an *earlier* version: a superseded ancestor that keeps its status. The recipient's file still holds the
withdrawn document, so recall walks each withdrawn version's chain up through ``version_of``, as
``curate audit record`` does (:func:`provenance.audit.record_report` lists the exports of every version).

Used by ``curate audit withdrawn`` (:func:`provenance.audit.withdrawn_report`, ``withdrawals_report``), the
export report's "withdrawn since" and the portal's withdrawals and export pages.
"""

from __future__ import annotations

from provenance.version_chain import ancestors_cte

#: every record withdrawn now
WITHDRAWN_NOW = "SELECT record_id FROM records WHERE status = 'withdrawn'"


def withdrawn_by(first_seq: int, last_seq: int) -> str:
    """SQL (record_id): the records one withdrawal withdrew, from its ``withdraw`` events (``first_seq`` to
    ``last_seq``, the seqs just before its ``withdrawals`` row's)."""
    return (
        "SELECT record_id FROM provenance_events WHERE action = 'withdraw'"
        f" AND seq BETWEEN {int(first_seq)} AND {int(last_seq)}"
    )


def withdrawn_versions(seeds: str = WITHDRAWN_NOW) -> str:
    """SQL (record_id): the records of ``seeds`` (a query of withdrawn record ids) and every ancestor version
    of them. A chain is a few versions long, so the walk is a few scans of ``records`` (no index: migration
    0101), whatever the number of withdrawn records; ``UNION`` ends it on a cycle a tampered table might hold."""
    return f"WITH RECURSIVE {ancestors_cte('up', seeds)} SELECT record_id FROM up"


def recalled_items(seeds: str = WITHDRAWN_NOW) -> str:
    """SQL (export_id, record_id, licence_id): the export items that hold a version of a document withdrawn by
    ``seeds``; their exports must be recalled."""
    return f"SELECT export_id, record_id, licence_id FROM export_items WHERE record_id IN ({withdrawn_versions(seeds)})"


#: the ledger action of a record its source no longer holds (a row a ``--complete`` dump lacks, a container's file a
#: new snapshot lacks: superseded); a later dump holding it again makes it active (``returned_to_source``)
REMOVED_FROM_SOURCE = "removed_from_source"


def removed_from_source(alias: str) -> str:
    """SQL predicate: the document of record ``alias`` was removed from its source (a :data:`REMOVED_FROM_SOURCE`
    event on a version of it) and no version of it is active, duplicate or withdrawn since (returned, re-ingested
    under another text, or withdrawn: their own case). Its Label Studio tasks leave (:mod:`annotation.retract`)."""
    a = alias
    return (
        f"EXISTS (SELECT 1 FROM provenance_events e JOIN records x USING (record_id)"
        f" WHERE e.action = '{REMOVED_FROM_SOURCE}' AND x.source_id = {a}.source_id AND x.doc_key = {a}.doc_key)"
        f" AND NOT EXISTS (SELECT 1 FROM records u WHERE u.source_id = {a}.source_id AND u.doc_key = {a}.doc_key"
        " AND u.status IN ('active', 'duplicate', 'withdrawn'))"
    )
