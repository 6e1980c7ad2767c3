"""Cross-checks of the catalogue tables against the ledger (anchors: :mod:`provenance.anchors`).

The hash chain (:func:`provenance.ledger.verify`) proves that the events were not changed; it
cannot see an edit of ``records`` that no event describes, nor events cut off its end. This
module checks, read-only:

* every record version has its creating event, and the event's content digest and licence equal
  the row's (ingest events carry ``sha256``/``licence_id``; a stage's, ``new_sha256``/
  ``new_licence_id``); the text still hashes to its digest;
* every ``withdrawn``/``duplicate``/``superseded`` status has the event or newer version that
  made it, and no record is active while its newest withdraw event stands;
* derived columns stored in place agree with the newest event that set them: ``script`` with the
  ``script_detected`` event (normalise), ``near_duplicate_of`` with the ``near_duplicate_of`` event
  (dedup policy);
* what the export and annotation gates read: a ``pii_state`` of ``clean`` has its ``pii_checked`` event, one of
  ``scrubbed`` was created by the PII stage or a PII review, or the version inherited the state from such a parent
  (same text, or a stage other than ingest and annotation); a source's ``pii_expected`` and licence equal its
  newest ``source_registered`` event (an ingest writes one when a source is new or either changed), every record's
  source has its row, and a source whose texts carry keyed digests is marked ``pii_expected`` (catalogues from
  before the event); every PII allow-list entry was allowed by a review (``pii_review`` event) and none is in
  force after its ``allowlist_revoked`` event; the licence terms in a version's metadata (audience, purposes,
  expiry, attribution: the export reads them) equal its ``terms_sealed`` event (:mod:`provenance.terms_seal`);
* every ``exports`` and ``withdrawals`` row points at the event (by seq) that recorded it, with
  matching fields, and every such event has its row; exported items still match the records;
* every finished run's ledger head (``runs.ledger_seq``/``ledger_hash``, migration 0013) is still
  in the chain, so cutting events off the end is noticed while a later run exists;
* an *anchor* (``curate audit anchor``: a head kept outside the database) is still in the chain
  (:mod:`provenance.anchors`), which catches truncation and a recomputed chain even when the tables were cut too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from provenance import ledger, terms_seal
from provenance.batches import BATCH_ACTION, verify_batches
from provenance.records import KEYED_PREFIX, PII_PASSED

#: actions of the ingest events that create a record version (``ingest``: test and legacy builders)
INGEST_ACTIONS = ("ingested", "new_version", "historical_version", "licence_terms_changed", "ingest")
#: the ingest's event for a source's row as stored (new, or its licence or ``pii_expected`` changed): detail
#: ``source_id``, ``licence_id``, ``pii_expected``; the newest one per source is what the row is checked against
SOURCE_REGISTERED = "source_registered"
#: how many examples of each problem are listed
EXAMPLES = 20


@dataclass(frozen=True, slots=True)
class Finding:
    """One disagreement between a table and the ledger."""

    check: str
    subject: str
    problem: str


@dataclass(slots=True)
class CrossCheck:
    """Outcome of :func:`crosscheck`: problems (counted, with examples), what was checked, notes."""

    problems: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, check: str, problem: str, subjects: list[str], total: int | None = None) -> None:
        n = total if total is not None else len(subjects)
        if not n:
            return
        self.problems[f"{check}: {problem}"] = n
        self.findings += [Finding(check, s, problem) for s in subjects[:EXAMPLES]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problems": self.problems,
            "examples": [{"check": f.check, "subject": f.subject, "problem": f.problem} for f in self.findings],
            "checked": self.checked,
            "notes": self.notes,
        }


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            f"SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = '{name}'"
        ).fetchall()[0][0]
    )


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'main'"
            f" AND table_name = '{table}' AND column_name = '{column}'"
        ).fetchall()[0][0]
    )


def _ids(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], int]:
    rows = con.execute(f"SELECT * FROM ({sql}) LIMIT {EXAMPLES}").fetchall()
    total = con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]
    return [str(r[0]) for r in rows], total


_CREATORS = f"""
    WITH ev AS (
        SELECT seq, record_id AS rid, 'ingest' AS kind, detail FROM provenance_events
        WHERE stage = 'ingest' AND action IN {INGEST_ACTIONS} AND record_id IS NOT NULL
        UNION ALL
        SELECT seq, json_extract_string(detail, '$.new_record_id') AS rid, 'derived' AS kind, detail
        FROM provenance_events WHERE json_extract_string(detail, '$.new_record_id') IS NOT NULL
        UNION ALL
        -- bulk ingest: one event per batch; members by run and creation time, checked by the batch digest
        SELECT e.seq, r.record_id AS rid, 'batch' AS kind, e.detail
        FROM provenance_events e JOIN records r
          ON r.run_id = e.run_id AND r.created_at = e.created_at AND r.stage = 'ingest'
        WHERE e.action = '{BATCH_ACTION}'
    ), creator AS (
        SELECT DISTINCT ON (rid) * FROM ev ORDER BY rid, seq
    ), rekeyed AS (
        -- issue 13: a rekey or a sealing re-declares a version's digest (the creating event keeps the old one)
        SELECT json_extract_string(detail, '$.new_record_id') AS rid,
               arg_max(json_extract_string(detail, '$.new_sha256'), seq) AS sha
        FROM provenance_events WHERE action = 'record_rekeyed' GROUP BY 1
    )
    SELECT r.record_id, r.content_sha256, r.licence_id,
           r.text IS NOT NULL AND NOT starts_with(coalesce(r.content_sha256, ''), '{KEYED_PREFIX}')
               AND sha256(r.text) <> r.content_sha256 AS text_differs,
           r.text IS NOT NULL AND starts_with(coalesce(r.content_sha256, ''), '{KEYED_PREFIX}') AS keyed,
           c.seq, c.kind,
           coalesce(k.sha, CASE c.kind WHEN 'ingest' THEN json_extract_string(c.detail, '$.sha256')
                       ELSE json_extract_string(c.detail, '$.new_sha256') END) AS ev_sha,
           CASE c.kind WHEN 'ingest' THEN json_exists(c.detail, '$.licence_id')
                       ELSE json_exists(c.detail, '$.new_licence_id') END AS ev_has_licence,
           CASE c.kind WHEN 'ingest' THEN json_extract_string(c.detail, '$.licence_id')
                       ELSE json_extract_string(c.detail, '$.new_licence_id') END AS ev_licence
    FROM records r LEFT JOIN creator c ON c.rid = r.record_id LEFT JOIN rekeyed k ON k.rid = r.record_id
"""

#: ``provenance_events`` with record ids written before a ``curate pii rekey`` translated to the current ids
#: (``pii_rekey_map``, sealed from auditor SQL); the plain table when the catalogue has no map
_EVENTS_REKEYED = (
    "(SELECT e.* REPLACE (coalesce(m.new_id, e.record_id) AS record_id) FROM provenance_events e"
    " LEFT JOIN pii_rekey_map m ON m.old_id = e.record_id)"
)


def _events(con: duckdb.DuckDBPyConnection) -> str:
    if _has_table(con, "pii_rekey_map") and con.execute("SELECT count(*) FROM pii_rekey_map").fetchall()[0][0]:
        return _EVENTS_REKEYED
    return "provenance_events"  # nothing was rekeyed: the checks read the ledger as before


#: the UDF name under which a keyed digest function is registered for one cross-check
_KEYED_UDF = "_curate_keyed_digest"


def _check_records(
    con: duckdb.DuckDBPyConnection, res: CrossCheck, keyed_digest: Callable[[str], str] | None = None
) -> None:
    base = f"SELECT * FROM ({_CREATORS})"
    res.checked["record_versions"] = con.execute("SELECT count(*) FROM records").fetchall()[0][0]
    # ids are unique by construction (one writer that anti-joins; ids are digests), not by an index (0101)
    res.add(
        "records",
        "record_id on more than one row (a version written twice or a row inserted by hand)",
        *_ids(con, "SELECT record_id FROM records GROUP BY record_id HAVING count(*) > 1"),
    )
    res.add(
        "records", "no creating event in the ledger", *_ids(con, f"SELECT record_id FROM ({base}) WHERE seq IS NULL")
    )
    res.add(
        "records",
        "text does not hash to its content_sha256 (edited in place)",
        *_ids(con, f"SELECT record_id FROM ({base}) WHERE text_differs"),
    )
    _check_keyed_text(con, res, base, keyed_digest)
    plain = con.execute(
        "SELECT count(*) FROM records r JOIN sources s USING (source_id) WHERE s.pii_expected"
        " AND r.stage = 'ingest' AND r.content_sha256 IS NOT NULL AND NOT starts_with(r.content_sha256, 'hmac:')"
    ).fetchall()[0][0]
    if plain:
        res.notes.append(
            f"{plain} records of sources marked pii_expected still have plain ids and digests from before keyed ids "
            "(issue 13): a guessable digest of raw text; run `curate pii rekey` (needs the PII key)"
        )
    res.add(
        "records",
        "content_sha256 differs from the digest in its creating event",
        *_ids(con, f"SELECT record_id FROM ({base}) WHERE ev_sha IS NOT NULL AND ev_sha <> content_sha256"),
    )
    res.add(
        "records",
        "licence_id differs from the licence in its creating event",
        *_ids(
            con,
            f"SELECT record_id FROM ({base}) WHERE ev_has_licence AND ev_licence IS DISTINCT FROM licence_id",
        ),
    )
    batches = verify_batches(con)
    res.checked["ingest_batches"] = batches.checked
    if not batches.ok:
        res.add("records", batches.reason, [f"event seq {batches.first_bad_seq}"])
    unsealed = con.execute(
        f"SELECT count(*) FROM ({base}) WHERE seq IS NOT NULL AND ev_sha IS NULL AND kind <> 'batch'"
    ).fetchall()[0][0]
    if unsealed:
        res.notes.append(
            f"{unsealed} record versions were created by events without a content digest (before this check "
            "existed); their text and licence are not checked against the ledger"
        )


def _check_keyed_text(
    con: duckdb.DuckDBPyConnection, res: CrossCheck, base: str, keyed_digest: Callable[[str], str] | None
) -> None:
    """Texts whose digest is keyed (``hmac:``): recomputed with the key's digest function, else named as
    not checked (never reported as tampered, never skipped silently)."""
    n = con.execute(f"SELECT count(*) FROM ({base}) WHERE keyed").fetchall()[0][0]
    if not n:
        return
    if keyed_digest is None:
        res.checked["keyed_texts_not_checked"] = n
        res.notes.append(
            f"{n} record versions carry keyed content digests (sources marked pii_expected, issue 13): their text "
            "was not checked without the key; set CURATE_PII_KEY or CURATE_PII_KEY_FILE to check it"
        )
        return
    con.create_function(_KEYED_UDF, keyed_digest, ["VARCHAR"], "VARCHAR", side_effects=False)
    try:
        res.add(
            "records",
            "text does not hash to its keyed content digest (edited in place)",
            *_ids(
                con,
                f"SELECT b.record_id FROM ({base}) b JOIN records t USING (record_id)"
                f" WHERE b.keyed AND {_KEYED_UDF}(t.text) <> b.content_sha256",
            ),
        )
    finally:
        con.remove_function(_KEYED_UDF)
    res.checked["keyed_texts"] = n


_LAST_WITHDRAW = """
    SELECT record_id, max(seq) FILTER (WHERE action = 'withdraw') AS w,
           max(seq) FILTER (WHERE action = 'reinstate') AS u
    FROM {ev} WHERE stage = 'provenance' AND record_id IS NOT NULL GROUP BY record_id
"""


def _check_status(con: duckdb.DuckDBPyConnection, res: CrossCheck) -> None:
    ev = _events(con)
    last_withdraw = _LAST_WITHDRAW.format(ev=ev)
    res.add(
        "status",
        "withdrawn without a withdraw event",
        *_ids(
            con,
            f"SELECT r.record_id FROM records r LEFT JOIN ({last_withdraw}) w USING (record_id)"
            " WHERE r.status = 'withdrawn' AND (w.w IS NULL OR w.u > w.w)",
        ),
    )
    res.add(
        "status",
        "active although its newest withdraw event was never reinstated",
        *_ids(
            con,
            f"SELECT r.record_id FROM records r JOIN ({last_withdraw}) w USING (record_id)"
            " WHERE r.status = 'active' AND w.w IS NOT NULL AND (w.u IS NULL OR w.u < w.w)",
        ),
    )
    res.add(
        "status",
        "duplicate without a duplicate_of event",
        *_ids(
            con,
            "SELECT r.record_id FROM records r WHERE r.status = 'duplicate' AND NOT EXISTS ("
            f" SELECT 1 FROM {ev} e WHERE e.record_id = r.record_id AND e.action = 'duplicate_of')",
        ),
    )
    res.add(
        "status",
        "superseded without a newer version or a supersede event",
        *_ids(
            con,
            "SELECT r.record_id FROM records r WHERE r.status = 'superseded'"
            " AND NOT EXISTS (SELECT 1 FROM records c WHERE c.version_of = r.record_id)"
            f" AND NOT EXISTS (SELECT 1 FROM {ev} e WHERE e.record_id = r.record_id"
            "   AND (e.action IN ('removed_from_source', 'historical_version')"
            "        OR (e.action = 'reinstate' AND json_extract_string(e.detail, '$.status') = 'superseded')))",
        ),
    )
    res.add(
        "status",
        "active although a newer version replaced it",
        *_ids(
            con,
            "SELECT r.record_id FROM records r WHERE r.status = 'active'"
            " AND EXISTS (SELECT 1 FROM records c WHERE c.version_of = r.record_id AND c.status <> 'withdrawn')",
        ),
    )


def _check_rows(con: duckdb.DuckDBPyConnection, res: CrossCheck) -> None:
    if _has_table(con, "exports"):
        res.checked["exports"] = con.execute("SELECT count(*) FROM exports").fetchall()[0][0]
        res.add(
            "exports",
            "row does not match the export event at its export_seq",
            *_ids(
                con,
                "SELECT x.export_id || ' (seq ' || x.export_seq || ')' FROM exports x"
                " LEFT JOIN provenance_events e ON e.seq = x.export_seq"
                " WHERE e.seq IS NULL OR e.action <> 'export'"
                " OR json_extract_string(e.detail, '$.export_id') IS DISTINCT FROM x.export_id"
                " OR json_extract_string(e.detail, '$.manifest_sha256') IS DISTINCT FROM x.manifest_sha256"
                " OR json_extract_string(e.detail, '$.state_hash') IS DISTINCT FROM x.state_hash"
                " OR CAST(json_extract(e.detail, '$.records') AS BIGINT) IS DISTINCT FROM x.records",
            ),
        )
        res.add(
            "exports",
            "export event has no exports row (row deleted)",
            *_ids(
                con,
                "SELECT 'seq ' || e.seq FROM provenance_events e WHERE e.stage = 'export' AND e.action = 'export'"
                " AND NOT EXISTS (SELECT 1 FROM exports x WHERE x.export_seq = e.seq)",
            ),
        )
        res.add(  # unique by its one writer, not by an index (0102)
            "exports",
            "export item on more than one row (an export's items written twice or a row inserted by hand)",
            *_ids(
                con,
                "SELECT export_id || ':' || record_id FROM export_items GROUP BY export_id, record_id"
                " HAVING count(*) > 1",
            ),
        )
        res.add(
            "exports",
            "exported record no longer matches the catalogue (record changed or deleted)",
            *_ids(
                con,
                "SELECT i.export_id || ':' || i.record_id FROM export_items i LEFT JOIN records r USING (record_id)"
                " WHERE r.record_id IS NULL OR i.content_sha256 IS DISTINCT FROM r.content_sha256",
            ),
        )
    if _has_table(con, "withdrawals"):
        res.checked["withdrawals"] = con.execute("SELECT count(*) FROM withdrawals").fetchall()[0][0]
        res.add(
            "withdrawals",
            "row does not match the withdrawal event at its withdrawal_seq",
            *_ids(
                con,
                "SELECT w.scope || ':' || w.target || ' (seq ' || w.withdrawal_seq || ')' FROM withdrawals w"
                " LEFT JOIN provenance_events e ON e.seq = w.withdrawal_seq"
                " WHERE e.seq IS NULL OR e.action <> 'withdrawal'"
                " OR json_extract_string(e.detail, '$.scope') IS DISTINCT FROM w.scope"
                " OR json_extract_string(e.detail, '$.target') IS DISTINCT FROM w.target"
                " OR json_extract_string(e.detail, '$.reason') IS DISTINCT FROM w.reason"
                " OR CAST(json_extract(e.detail, '$.records') AS BIGINT) IS DISTINCT FROM w.records",
            ),
        )
        res.add(
            "withdrawals",
            "withdrawal event has no withdrawals row (row deleted)",
            *_ids(
                con,
                "SELECT 'seq ' || e.seq FROM provenance_events e WHERE e.stage = 'provenance'"
                " AND e.action = 'withdrawal' AND NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.withdrawal_seq = e.seq)",
            ),
        )
    if _has_table(con, "reinstatements"):
        res.checked["reinstatements"] = con.execute("SELECT count(*) FROM reinstatements").fetchall()[0][0]
        res.add(
            "reinstatements",
            "row does not match the reinstatement event at its reinstatement_seq",
            *_ids(
                con,
                "SELECT u.scope || ':' || u.target || ' (seq ' || u.reinstatement_seq || ')' FROM reinstatements u"
                " LEFT JOIN provenance_events e ON e.seq = u.reinstatement_seq"
                " WHERE e.seq IS NULL OR e.action <> 'reinstatement'"
                " OR json_extract_string(e.detail, '$.target') IS DISTINCT FROM u.target"
                " OR json_extract_string(e.detail, '$.reason') IS DISTINCT FROM u.reason",
            ),
        )
        res.add(
            "reinstatements",
            "reinstatement event has no reinstatements row (row deleted)",
            *_ids(
                con,
                "SELECT 'seq ' || e.seq FROM provenance_events e WHERE e.action = 'reinstatement'"
                " AND NOT EXISTS (SELECT 1 FROM reinstatements u WHERE u.reinstatement_seq = e.seq)",
            ),
        )
    res.checked["runs"] = con.execute("SELECT count(*) FROM runs").fetchall()[0][0]
    if _has_column(con, "runs", "ledger_seq"):
        res.add(
            "runs",
            "finished at a ledger head the chain no longer has (events deleted from the end or rewritten)",
            *_ids(
                con,
                "SELECT r.run_id || ' (seq ' || r.ledger_seq || ')' FROM runs r"
                " LEFT JOIN provenance_events e ON e.seq = r.ledger_seq WHERE r.ledger_seq IS NOT NULL AND"
                f" CASE WHEN r.ledger_seq = 0 THEN r.ledger_hash <> '{ledger.GENESIS}'"
                " ELSE e.seq IS NULL OR e.hash <> r.ledger_hash END",
            ),
        )
    res.add(
        "runs",
        "run id used by events or records has no runs row",
        *_ids(
            con,
            "SELECT DISTINCT run_id FROM (SELECT run_id FROM provenance_events UNION ALL SELECT run_id FROM records)"
            " WHERE run_id IS NOT NULL AND run_id NOT IN (SELECT run_id FROM runs)",
        ),
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
        *_ids(
            con,
            f"SELECT e.source_id FROM ({_REGISTERED}) e LEFT JOIN sources s USING (source_id)"
            " WHERE s.source_id IS NULL OR s.licence_id IS DISTINCT FROM e.licence_id"
            " OR s.pii_expected IS DISTINCT FROM e.pii_expected",
        ),
    )
    res.add(
        "sources",
        "records of a source that has no sources row (deleted: the gates read its pii_expected as false)",
        *_ids(con, "SELECT DISTINCT source_id FROM records WHERE source_id NOT IN (SELECT source_id FROM sources)"),
    )
    # sources registered before the event existed: only pii_expected sources' texts have keyed digests before the
    # PII stage (a sealed raw text keeps one too, without its text)
    res.add(
        "sources",
        "not marked pii_expected although its records hold keyed ids and digests (cleared in place)",
        *_ids(
            con,
            "SELECT DISTINCT r.source_id FROM records r JOIN sources s USING (source_id)"
            " WHERE NOT coalesce(s.pii_expected, FALSE) AND r.text IS NOT NULL"
            f" AND starts_with(r.content_sha256, '{KEYED_PREFIX}')",
        ),
    )


def _check_allowlist(con: duckdb.DuckDBPyConnection, res: CrossCheck) -> None:
    """PII allow-list entries (the PII stage leaves an allow-listed value unmasked) against the reviews that made
    them (``pii_review`` events list each restored value's type and keyed digest) and the revocations."""
    if not _has_table(con, "pii_allowlist"):
        return
    res.add(
        "allowlist",
        "entry no PII review allowed (a pii_review event restoring this type and digest): inserted by hand",
        *_ids(
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
        *_ids(
            con,
            "SELECT a.entry_id FROM pii_allowlist a JOIN provenance_events e"
            " ON e.action = 'allowlist_revoked' AND json_extract_string(e.detail, '$.entry_id') = a.entry_id"
            " WHERE a.revoked_at IS NULL",
        ),
    )


def _check_terms(con: duckdb.DuckDBPyConnection, res: CrossCheck) -> None:
    """The licence terms in a version's metadata (the export reads them) against their ``terms_sealed`` event."""
    differ, unsealed, before = terms_seal.check(con, _events(con))
    res.add("terms", "licence terms differ from their newest terms_sealed event (edited in place)", differ)
    res.add("terms", "licence terms that no terms_sealed event sealed (added in place)", unsealed)
    if before:
        res.notes.append(
            f"{before} record versions carry licence terms written before terms were sealed: their terms were not"
            " checked"
        )


def crosscheck(con: duckdb.DuckDBPyConnection, *, keyed_digest: Callable[[str], str] | None = None) -> CrossCheck:
    """Check records, statuses, exports, withdrawals and runs against the ledger (read-only).

    ``keyed_digest`` (``text -> "hmac:..."``, from the PII key; the kernel never holds the key) lets the
    texts of records with keyed content digests be checked too; without it they are named as not checked.
    """
    res = CrossCheck()
    events = con.execute("SELECT count(*) FROM provenance_events").fetchall()[0][0]
    records = con.execute("SELECT count(*) FROM records").fetchall()[0][0]
    if records and not events:
        res.add("ledger", "the ledger is empty although the catalogue has records (events deleted)", ["all"])
    _check_records(con, res, keyed_digest)
    _check_status(con, res)
    _check_derived(con, res)
    _check_sources(con, res)
    _check_allowlist(con, res)
    _check_terms(con, res)
    _check_rows(con, res)
    return res


#: versions whose ``pii_state`` says they passed the PII stage (the export and annotation gates) without an event
#: that made it so: ``clean`` needs a ``pii_checked`` event on the version, ``scrubbed`` the PII stage's or a PII
#: review's creating event; or the version inherited its state from such a parent (same text, or a stage other than
#: ingest and annotation, whose new texts must pass the PII stage again). ``{ev}``: the ledger with rekeyed ids,
#: ``{made}``: the id a creating event names, translated the same way.
_PII_UNEARNED = f"""
    WITH RECURSIVE v AS (
        SELECT record_id, pii_state, content_sha256 FROM records WHERE list_contains({list(PII_PASSED)}, pii_state)
    ), earned AS (
        SELECT record_id, 'clean' AS state FROM {{ev}} WHERE stage = 'pii' AND action = 'pii_checked'
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


def _check_derived(con: duckdb.DuckDBPyConnection, res: CrossCheck) -> None:
    """Derived columns changed in place (no new version) against the event that set them."""
    ev = _events(con)
    rep = (
        "coalesce((SELECT m.new_id FROM pii_rekey_map m WHERE m.old_id = e.rep), e.rep)"
        if ev != "provenance_events"
        else "e.rep"
    )
    res.add(
        "derived",
        "script differs from its newest script_detected event (edited in place)",
        *_ids(
            con,
            "SELECT r.record_id FROM records r JOIN (SELECT record_id,"
            f" arg_max(json_extract_string(detail, '$.script'), seq) AS script FROM {ev}"
            " WHERE action = 'script_detected' AND record_id IS NOT NULL GROUP BY record_id) e USING (record_id)"
            " WHERE r.script IS DISTINCT FROM e.script",
        ),
    )

    def mapped(x: str) -> str:  # an id written into an event's detail, translated by a rekey
        return (
            x
            if ev == "provenance_events"
            else f"coalesce((SELECT m.new_id FROM pii_rekey_map m WHERE m.old_id = {x}), {x})"
        )

    made, was = (
        mapped("json_extract_string(e.detail, '$.new_record_id')"),
        mapped("json_extract_string(e.detail, '$.version_of')"),
    )
    res.add(
        "derived",
        "pii_state claims a PII pass that no pii_checked event, PII-stage version or passed parent made"
        " (edited in place: the export gate would let it out)",
        *_ids(con, _PII_UNEARNED.format(ev=ev, made=made, was=was)),
    )
    if _has_column(con, "records", "near_duplicate_of"):
        res.add(
            "derived",
            "near_duplicate_of differs from its newest near_duplicate_of event",
            *_ids(
                con,
                "SELECT r.record_id FROM records r LEFT JOIN (SELECT record_id,"
                f" arg_max(json_extract_string(detail, '$.representative'), seq) AS rep FROM {ev}"
                " WHERE action = 'near_duplicate_of' AND record_id IS NOT NULL GROUP BY record_id) e"
                f" USING (record_id) WHERE r.near_duplicate_of IS NOT NULL AND r.near_duplicate_of IS DISTINCT FROM {rep}",
            ),
        )
