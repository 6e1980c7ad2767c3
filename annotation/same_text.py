"""The version a proofreading correction applies to when the version it read was replaced by one of the same text.

A licence correction (a corrected ``--licence``, manifest terms) makes a new version of a document with its text
unchanged; so may a stage that found nothing to change. A correction of the version the annotator read is then
still a correction of the document's text: before review 18 it was ``proofread_stale`` and the annotator's work was
lost. :func:`same_text_current` finds, for each version read, its one active descendant on the version chain whose
text is the text read; the correction becomes a version of that one (its licence, its terms). None where the text
changed since (a stage rewrote it, another correction was applied), where the read version's text is sealed, where
the chain forked into several active versions, or where the licence or hold gate now refuses that version to the
annotator's bank (its licence narrowed, expired, its file held: the bank's work makes no version of a document it may
no longer see; before the review of the fixes 18 one was made wherever the read version's task had been superseded by
a push): the correction stays stale, kept sealed.
"""

from __future__ import annotations

import duckdb

from annotation.eligibility import gate_columns, version_gate
from provenance.licences import LicenceCatalogue
from provenance.version_chain import descendants_cte

_SAME_TEXT_CURRENT = f"""
    WITH RECURSIVE {descendants_cte("down", "SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[])", start="read_id")},
    one AS (
        SELECT d.read_id, any_value(c.record_id) AS current_id
        FROM down d JOIN records c ON c.record_id = d.record_id JOIN records r ON r.record_id = d.read_id
        WHERE c.status = 'active' AND c.record_id <> d.read_id
        GROUP BY d.read_id
        HAVING count(DISTINCT c.record_id) = 1 AND bool_and(r.text IS NOT NULL AND c.text = r.text)
    )
    SELECT one.read_id, c.record_id, c.licence_id, c.container, {gate_columns("c")}
    FROM one JOIN records c ON c.record_id = one.current_id
"""


def same_text_current(
    con: duckdb.DuckDBPyConnection,
    read_ids: list[str],
    bank: str,
    licence_catalogue: LicenceCatalogue | None = None,
) -> dict[str, str]:
    """Read version id -> its one active later version of the same text that ``bank`` may see now (see the module),
    for those that have one."""
    if not read_ids:
        return {}
    ids = sorted(set(read_ids))
    gate = version_gate(con, bank, licence_catalogue)
    rows = con.execute(_SAME_TEXT_CURRENT, [ids, ids]).fetchall()
    return {read: current for read, current, *lic in rows if gate(*lic) is None}
