"""Cross-checks of what the export, annotation and portal gates read, against the events that set it.

* ``records.pii_state``: a passed state (``clean``, ``scrubbed``) is earned by a ``pii_checked`` verdict, by the PII
  stage's or a PII review's creating event, or inherited along a creating event from an earned parent (same text, or
  a stage other than ingest and annotation, whose new texts must pass the PII stage again);
* ``sources.pii_expected`` and licence against the source's newest ``source_registered`` event; records whose source
  row is missing; sources whose texts carry keyed digests but are not marked ``pii_expected``;
* the PII allow-list against the reviews that allowed its entries and their revocations;
* the licence terms in a version's metadata against its ``terms_sealed`` event (:mod:`provenance.terms_seal`).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from provenance import terms_seal
from provenance.crosscheck_base import CrossCheck, events_view, has_table, ids, rekeyed_id, verdicts_view
from provenance.pii_rule import TYPED_STAGES
from provenance.records import KEYED_PREFIX, PII_PASSED

#: stages whose versions hold text a person typed: keyed whatever their source says
_TYPED = ", ".join(f"'{s}'" for s in TYPED_STAGES)

#: the ingest's event for a source's row as stored (new, or its licence or ``pii_expected`` changed): detail
#: ``source_id``, ``licence_id``, ``pii_expected``; the newest one per source is what the row is checked against
SOURCE_REGISTERED = "source_registered"


def check_gates(
    con: duckdb.DuckDBPyConnection,
    res: CrossCheck,
    keyed_digest: Callable[[str], str] | None = None,
    vault_terms: terms_seal.VaultTerms | None = None,
) -> None:
    """Every check of this module, into ``res`` (``keyed_digest``, ``vault_terms``: the PII key's, for terms seals:
    :func:`provenance.terms_seal.check`)."""
    _check_pii_state(con, res)
    _check_sources(con, res)
    _check_allowlist(con, res)
    _check_terms(con, res, keyed_digest, vault_terms)


#: versions whose ``pii_state`` says they passed the PII stage (the export and annotation gates) without an event
#: that made it so: ``clean`` needs a ``pii_checked`` verdict on the version (a per-record event, or a member of a
#: verdict batch), ``scrubbed`` the PII stage's or a PII review's creating event; or the version inherited its state
#: from such a parent (same text, or a stage other than ingest and annotation, whose new texts must pass the PII
#: stage again), parent and stage as the version's creating event names them. ``{ev}``: the ledger with rekeyed ids;
#: ``{verdicts}``: the per-record verdicts (:func:`provenance.crosscheck_base.verdicts_view`); ``{made}`` / ``{was}``:
#: the new / replaced id a creating event's detail names, translated the same way.
_PII_UNEARNED = f"""
    WITH RECURSIVE v AS (
        SELECT record_id, pii_state, content_sha256 FROM records WHERE list_contains({list(PII_PASSED)}, pii_state)
    ), earned AS (
        SELECT record_id, verdict AS state FROM {{verdicts}} WHERE stage = 'pii' AND action = 'pii_checked'
        UNION SELECT {{made}}, 'scrubbed' FROM provenance_events e
        WHERE (e.stage, e.action) IN (('pii', 'pii_scrubbed'), ('annotation', 'pii_review'))
    ), edges AS (
        -- which stage made a version from which parent, by its creating event (not the row's own columns)
        SELECT {{made}} AS child, e.record_id AS parent, e.stage FROM {{ev}} e
        WHERE json_extract_string(e.detail, '$.new_record_id') IS NOT NULL AND e.action <> 'record_rekeyed'
        UNION ALL SELECT e.record_id, {{was}}, 'ingest' FROM {{ev}} e WHERE e.action = 'licence_terms_changed'
    ), ok AS (
        SELECT v.record_id, v.pii_state, v.content_sha256 FROM v JOIN earned e
            ON e.record_id = v.record_id AND e.state = v.pii_state
        UNION
        SELECT c.record_id, c.pii_state, c.content_sha256 FROM v c JOIN edges g ON g.child = c.record_id
            JOIN ok p ON p.record_id = g.parent
        WHERE c.pii_state = p.pii_state AND (c.content_sha256 = p.content_sha256 OR g.stage NOT IN ('ingest', 'annotation'))
    )
    SELECT record_id FROM v WHERE record_id NOT IN (SELECT record_id FROM ok)"""


def _check_pii_state(con: duckdb.DuckDBPyConnection, res: CrossCheck) -> None:
    ev = events_view(con)

    made = rekeyed_id(ev, "json_extract_string(e.detail, '$.new_record_id')")
    was = rekeyed_id(ev, "json_extract_string(e.detail, '$.version_of')")
    res.add(
        "derived",
        "pii_state claims a PII pass that no pii_checked verdict, PII-stage version or passed parent made"
        " (edited in place: the export gate would let it out)",
        *ids(con, _PII_UNEARNED.format(ev=ev, made=made, was=was, verdicts=verdicts_view(con))),
    )


#: per source, its newest ``source_registered`` event's licence and ``pii_expected``
_REGISTERED = f"""
    SELECT json_extract_string(detail, '$.source_id') AS source_id,
           arg_max(json_extract_string(detail, '$.licence_id'), seq) AS licence_id,
           arg_max(CAST(json_extract(detail, '$.pii_expected') AS BOOLEAN), seq) AS pii_expected
    FROM provenance_events WHERE action = '{SOURCE_REGISTERED}' GROUP BY 1"""


def _check_sources(con: duckdb.DuckDBPyConnection, res: CrossCheck) -> None:
    """The source rows the export and annotation gates read (``pii_expected``, licence) against the ledger."""
    res.add(
        "sources",
        "licence_id or pii_expected differs from its newest source_registered event (edited in place)",
        *ids(
            con,
            f"SELECT e.source_id FROM ({_REGISTERED}) e LEFT JOIN sources s USING (source_id)"
            " WHERE s.source_id IS NULL OR s.licence_id IS DISTINCT FROM e.licence_id"
            " OR s.pii_expected IS DISTINCT FROM e.pii_expected",
        ),
    )
    res.add(
        "sources",
        "records of a source that has no sources row (deleted: the gates read its pii_expected as false)",
        *ids(con, "SELECT DISTINCT source_id FROM records WHERE source_id NOT IN (SELECT source_id FROM sources)"),
    )
    # sources registered before the event existed: only pii_expected sources' texts have keyed digests before the
    # PII stage (a sealed raw text keeps one too, without its text), and an annotator's correction whatever its source
    # (text a person typed: annotation.pull, review 15)
    res.add(
        "sources",
        "not marked pii_expected although its records hold keyed ids and digests (cleared in place)",
        *ids(
            con,
            "SELECT DISTINCT r.source_id FROM records r JOIN sources s USING (source_id)"
            " WHERE NOT coalesce(s.pii_expected, FALSE) AND r.text IS NOT NULL"
            f" AND starts_with(r.content_sha256, '{KEYED_PREFIX}') AND r.stage NOT IN ({_TYPED})",
        ),
    )


def _check_allowlist(con: duckdb.DuckDBPyConnection, res: CrossCheck) -> None:
    """PII allow-list entries (the PII stage leaves an allow-listed value unmasked) against the reviews that made
    them (``pii_review`` events list each restored value's type and keyed digest) and the revocations."""
    if not has_table(con, "pii_allowlist"):
        return
    res.add(
        "allowlist",
        "entry no PII review allowed (a pii_review event restoring this type and digest): inserted by hand",
        *ids(
            con,
            """WITH allowed AS (
                   SELECT json_extract_string(item, '$.type') AS entity_type,
                          json_extract_string(item, '$.digest') AS digest
                   FROM (SELECT unnest(json_extract(detail, '$.restored[*]')) AS item FROM provenance_events
                         WHERE stage = 'annotation' AND action = 'pii_review' AND json_exists(detail, '$.restored')))
               SELECT a.entry_id FROM pii_allowlist a WHERE NOT EXISTS (
                   SELECT 1 FROM allowed w WHERE w.entity_type = a.entity_type AND w.digest = a.digest)""",
        ),
    )
    res.add(
        "allowlist",
        "entry in force although an allowlist_revoked event revoked it (revoked_at cleared in place)",
        *ids(
            con,
            "SELECT a.entry_id FROM pii_allowlist a JOIN provenance_events e"
            " ON e.action = 'allowlist_revoked' AND json_extract_string(e.detail, '$.entry_id') = a.entry_id"
            " WHERE a.revoked_at IS NULL",
        ),
    )


def _check_terms(
    con: duckdb.DuckDBPyConnection,
    res: CrossCheck,
    keyed_digest: Callable[[str], str] | None,
    vault_terms: terms_seal.VaultTerms | None,
) -> None:
    """The licence terms in a version's metadata (the export reads them) against their ``terms_sealed`` event."""
    differ, unsealed, before, not_checked = terms_seal.check(con, events_view(con), keyed_digest, vault_terms)
    res.add("terms", "licence terms differ from their newest terms_sealed event (edited in place)", differ)
    res.add("terms", "licence terms that no terms_sealed event sealed (added in place)", unsealed)
    if before:
        res.notes.append(
            f"{before} record versions carry licence terms written before terms were sealed: their terms were not"
            " checked"
        )
    if not_checked:
        res.notes.append(
            f"{not_checked} record versions have licence terms sealed with a keyed digest, or sealed before their raw"
            " terms went into the vault (sources marked pii_expected): not checked without the PII key; set"
            " CURATE_PII_KEY or CURATE_PII_KEY_FILE to check them"
        )
