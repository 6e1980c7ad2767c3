"""PII reviews of withdrawn records: a 漏標 (personal data the PII stage missed) read in a record withdrawn since its
push is applied all the same, its new version held withdrawn, and the version the reviewer read sealed.

A withdrawal is not a deletion: ``curate provenance reinstate`` makes the record active again, text and all. Were
the review stale there (nothing masked, nothing sealed), the reinstated record would show and export the personal
data the reviewer marked, and the annotation, imported, would never be read again. So a PII review of a record that
was active when withdrawn is decided as of an active one; its new version is withdrawn with it
(:func:`provenance.withdraw.hold_corrections`, as a licence correction of a withdrawn record is), so that a
reinstatement brings back the masked version, not the one that shows the name. A record that was superseded when
withdrawn keeps the stale outcome (a newer version replaced it), but the text it shows is sealed
(:func:`still_shown`).
"""

from __future__ import annotations

import duckdb

#: the status a withdrawn record had before its newest withdraw event (what a reinstatement gives it back)
_BEFORE_WITHDRAWAL = """
    SELECT DISTINCT ON (record_id) record_id,
           coalesce(json_extract_string(detail, '$.previous_status'), 'active') AS before
    FROM provenance_events WHERE action = 'withdraw' AND record_id IN (SELECT unnest(?::VARCHAR[]))
    ORDER BY record_id, seq DESC"""


def withdrawn_while_active(con: duckdb.DuckDBPyConnection, record_ids: list[str]) -> set[str]:
    """Of ``record_ids``, the withdrawn records that were active when withdrawn (a reinstatement makes them active)."""
    if not record_ids:
        return set()
    return {
        r[0]
        for r in con.execute(
            f"SELECT b.record_id FROM ({_BEFORE_WITHDRAWAL}) b JOIN records r USING (record_id)"
            " WHERE r.status = 'withdrawn' AND b.before = 'active'",
            [sorted(set(record_ids))],
        ).fetchall()
    }


def still_shown(con: duckdb.DuckDBPyConnection, record_ids: list[str]) -> list[str]:
    """Of ``record_ids``, the replaced versions that still show their text: superseded ones, and withdrawn ones
    that were superseded when withdrawn (a reinstatement gives them back superseded, text and all)."""
    if not record_ids:
        return []
    return [
        r[0]
        for r in con.execute(
            f"SELECT r.record_id FROM records r LEFT JOIN ({_BEFORE_WITHDRAWAL}) b USING (record_id)"
            " WHERE r.record_id IN (SELECT unnest(?::VARCHAR[])) AND r.text IS NOT NULL"
            " AND (r.status = 'superseded' OR r.status = 'withdrawn' AND b.before = 'superseded')"
            " ORDER BY r.record_id",
            [sorted(set(record_ids)), sorted(set(record_ids))],
        ).fetchall()
    ]


def hold_withdrawn(con: duckdb.DuckDBPyConnection, made: dict[str, str], *, run_id: str) -> int:
    """Withdraw the new versions (``made``: parent id -> new id) whose parent is withdrawn, one ``withdraw`` event
    each; a reinstatement of the parent brings them back active in its place."""
    from provenance.withdraw import hold_corrections

    if not made:
        return 0
    pairs = [(new, parent) for parent, new in sorted(made.items())]
    con.execute("CREATE OR REPLACE TEMP TABLE _review_versions (record_id VARCHAR, parent_id VARCHAR)")
    try:
        con.executemany("INSERT INTO _review_versions VALUES (?, ?)", pairs)
        return hold_corrections(con, "SELECT record_id, parent_id FROM _review_versions", run_id=run_id)
    finally:
        con.execute("DROP TABLE _review_versions")
