"""Cross-checks of the catalogue tables against the ledger (anchors: :mod:`provenance.anchors`).

The hash chain (:func:`provenance.ledger.verify`) proves that the events were not changed; it
cannot see an edit of ``records`` that no event describes, nor events cut off its end. This
module checks, read-only:

* every record version has its creating event, and the event's content digest and licence equal
  the row's (ingest events carry ``sha256``/``licence_id``; a stage's, ``new_sha256``/
  ``new_licence_id``); the text still hashes to its digest;
* every ``withdrawn``/``duplicate``/``superseded`` status has the event or newer version that
  made it, and no record is active while its newest withdraw event stands; no duplicate or near duplicate
  relies on a survivor or representative that is withdrawn or superseded (:mod:`provenance.dedup_release`);
* derived columns stored in place agree with the newest event that set them: ``script`` with the
  ``script_detected`` event (normalise), ``near_duplicate_of`` with the ``near_duplicate_of`` event
  (dedup policy);
* what the export, annotation and portal gates read (``pii_state``, sources' ``pii_expected`` and licence, the PII
  allow-list, licence terms in metadata): :mod:`provenance.crosscheck_gates`;
* every ``exports`` and ``withdrawals`` row points at the event (by seq) that recorded it, with
  matching fields, and every such event has its row; exported items still match the records;
* every finished run's ledger head (``runs.ledger_seq``/``ledger_hash``, migration 0013) is still
  in the chain, so cutting events off the end is noticed while a later run exists;
* an *anchor* (``curate audit anchor``: a head kept outside the database) is still in the chain
  (:mod:`provenance.anchors`), which catches truncation and a recomputed chain even when the tables were cut too.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from provenance.batches import BATCH_ACTION, verify_batches
from provenance.crosscheck_base import (
    CrossCheck,
    events_view,
    has_column,
    ids,
    rekeyed_id,
    verdicts_view,
)
from provenance.crosscheck_gates import check_gates
from provenance.crosscheck_rows import check_rows
from provenance.crosscheck_vault import check_vault
from provenance.dedup_release import NEWER_OF_ITS_DOCUMENT, survivors
from provenance.holds import verify_holds
from provenance.records import KEYED_PREFIX, SEALED_ID_SQL, VERSION_ROW_V, version_row_sql
from provenance.terms_seal import VaultTerms
from provenance.verdicts import verify_verdicts

#: actions of the ingest events that create a record version (``ingest``: test and legacy builders)
INGEST_ACTIONS = ("ingested", "new_version", "historical_version", "licence_terms_changed", "ingest")
#: the action of a licence-terms correction's version (curate/ingest_terms.py; the kernel does not import curate)
TERMS_CHANGED = "licence_terms_changed"
_CREATORS = f"""
    WITH ev AS (
        SELECT seq, record_id AS rid, 'ingest' AS kind, detail, run_id AS ev_run, action AS ev_action
        FROM provenance_events
        WHERE stage = 'ingest' AND action IN {INGEST_ACTIONS} AND record_id IS NOT NULL
        UNION ALL
        SELECT seq, json_extract_string(detail, '$.new_record_id') AS rid, 'derived' AS kind, detail, run_id AS ev_run,
               action AS ev_action
        FROM provenance_events WHERE json_extract_string(detail, '$.new_record_id') IS NOT NULL
        UNION ALL
        -- bulk ingest: one event per batch; members by run and creation time, checked by the batch digest
        SELECT e.seq, r.record_id AS rid, 'batch' AS kind, e.detail, e.run_id AS ev_run, e.action AS ev_action
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
    SELECT r.record_id, r.content_sha256, r.licence_id, r.run_id, c.ev_run, c.ev_action,
           r.text IS NOT NULL AND NOT starts_with(coalesce(r.content_sha256, ''), '{KEYED_PREFIX}')
               AND sha256(r.text) IS DISTINCT FROM r.content_sha256 AND r.content_sha256 IS NOT NULL AS text_differs,
           r.text IS NOT NULL AS has_text,
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

#: a stage's version whose sealed columns (``records.SEALED_COLUMNS``) differ from its creating event's
#: ``new_row_sha256`` (only the writers of a new version seal one: the first such event naming it)
_ROW_SEALS = f"""
    SELECT r.record_id || CASE WHEN s.v <> '{VERSION_ROW_V}'
                               THEN ' (sealed by row version ' || s.v || ', unknown to this curate)' ELSE '' END
    FROM records r JOIN (
        SELECT {SEALED_ID_SQL} AS rid,
               arg_min(json_extract_string(detail, '$.new_row_sha256'), seq) AS sha,
               arg_min(json_extract_string(detail, '$.new_row_v'), seq) AS v
        FROM provenance_events WHERE json_exists(detail, '$.new_row_sha256') GROUP BY 1) s ON s.rid = r.record_id
    WHERE s.v IS DISTINCT FROM '{VERSION_ROW_V}' OR s.sha IS DISTINCT FROM sha256({version_row_sql("r")})"""

#: the columns of ``records`` that every version has (schema 0001 says NOT NULL; a comparison with NULL is never
#: true, so an erased value would slip past the checks that compare it)
_REQUIRED = ("record_id", "doc_key", "source_id", "locator", "status", "run_id", "created_at", "stage")

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
        *ids(con, "SELECT record_id FROM records GROUP BY record_id HAVING count(*) > 1"),
    )
    res.add(
        "records",
        "a column every version needs is NULL (NOT NULL dropped by hand and the value erased)",
        *ids(
            con,
            "SELECT coalesce(record_id, '(no record_id)') || ': ' || concat_ws(', ', "
            + ", ".join(f"CASE WHEN {c} IS NULL THEN '{c}' END" for c in _REQUIRED)
            + ") FROM records WHERE "
            + " OR ".join(f"{c} IS NULL" for c in _REQUIRED),
        ),
    )
    res.add(
        "records", "no creating event in the ledger", *ids(con, f"SELECT record_id FROM ({base}) WHERE seq IS NULL")
    )
    res.add(
        "records",
        "text does not hash to its content_sha256 (edited in place)",
        *ids(con, f"SELECT record_id FROM ({base}) WHERE text_differs"),
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
        *ids(
            con,
            f"SELECT record_id FROM ({base}) WHERE ev_sha IS NOT NULL AND content_sha256 IS NOT NULL"
            " AND ev_sha <> content_sha256",
        ),
    )
    res.add(
        "records",
        "content_sha256 removed (NULL) although the version has text or its creating event records a digest",
        *ids(
            con,
            f"SELECT record_id FROM ({base}) WHERE content_sha256 IS NULL AND (has_text OR ev_sha IS NOT NULL)",
        ),
    )
    res.add(
        "records",
        "licence_id differs from the licence in its creating event",
        *ids(
            con,
            f"SELECT record_id FROM ({base}) WHERE ev_has_licence AND ev_licence IS DISTINCT FROM licence_id",
        ),
    )
    # the run that made a version (its config, code version, who ran it) is its provenance; a rekey or a sealing
    # (record_rekeyed, under its own run) keeps the version's run but names the old id only by a keyed digest, so
    # such versions are not compared here (that would need the PII key): every other creating event's run is
    res.add(
        "records",
        "run_id differs from the run of its creating event (moved to another run by hand)",
        *ids(
            con,
            f"SELECT record_id FROM ({base}) WHERE seq IS NOT NULL AND ev_action <> 'record_rekeyed'"
            " AND ev_run IS DISTINCT FROM run_id",
        ),
    )
    # a stage's version: the columns no step changes after it is written (records.SEALED_COLUMNS), as its creating
    # event sealed them (events from before the seal carry none: not compared)
    res.add(
        "records",
        "doc_key, source_id, locator, lang, container, stage or created_at differs from the row its creating event"
        " sealed (edited in place)",
        *ids(
            con,
            _ROW_SEALS,
        ),
    )
    batches = verify_batches(con)
    res.checked["ingest_batches"] = batches.checked
    if not batches.ok:
        res.add("records", batches.reason, [f"event seq {batches.first_bad_seq}"])
    elif batches.identity_unchecked:
        res.notes.append(
            f"{batches.identity_unchecked} ingest batch events predate identity digests: their members' doc keys, "
            "sources and locators are checked only against the other versions of their documents"
        )
    # catalogues from before batch events: one ingest event per version, recording its digest and licence but no
    # identity (a licence-terms correction's identity is its parent's, checked below)
    per_record = con.execute(
        f"SELECT count(*) FROM ({base}) WHERE kind = 'ingest' AND record_id NOT IN (SELECT record_id"
        f" FROM provenance_events WHERE action = '{TERMS_CHANGED}' AND record_id IS NOT NULL)"
    ).fetchall()[0][0]
    if per_record:
        res.notes.append(
            f"{per_record} record versions were created by per-record ingest events (before ingest batches), which "
            "record no identity: their doc keys, sources and locators are checked only against the other versions "
            "of their documents"
        )
    _check_identity(con, res)
    unsealed = con.execute(
        f"SELECT count(*) FROM ({base}) WHERE seq IS NOT NULL AND ev_sha IS NULL AND kind <> 'batch'"
    ).fetchall()[0][0]
    if unsealed:
        res.notes.append(
            f"{unsealed} record versions were created by events without a content digest (before this check "
            "existed); their text and licence are not checked against the ledger"
        )


def _check_identity(con: duckdb.DuckDBPyConnection, res: CrossCheck) -> None:
    """A version's identity (``doc_key``, ``source_id``; ``locator`` too for a stage's version or a licence-terms
    correction, which inherit it) equals its parent's. The ingest batch digests cover the first versions' identities, so an edit anywhere in a
    document's chain of versions is caught by one or the other."""
    res.add(
        "records",
        "version_of names no record (the version it derives from was deleted)",
        *ids(
            con,
            "SELECT r.record_id FROM records r WHERE r.version_of IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM records p WHERE p.record_id = r.version_of)",
        ),
    )
    res.add(
        "records",
        "doc_key, source_id or locator differs from the version it derives from (edited in place)",
        *ids(
            con,
            "SELECT r.record_id FROM records r JOIN records p ON p.record_id = r.version_of"
            " WHERE r.doc_key IS DISTINCT FROM p.doc_key OR r.source_id IS DISTINCT FROM p.source_id"
            " OR (r.locator IS DISTINCT FROM p.locator AND (r.stage <> 'ingest' OR r.record_id IN ("
            # a licence-terms correction keeps its parent's locator too (it is written outside any ingest batch); a
            # new ingest version with the same text under other terms (`text_reused` false: the rows of a renamed
            # file, in an ingest batch whose digest covers its locator) has its own
            f"    SELECT record_id FROM provenance_events WHERE action = '{TERMS_CHANGED}'"
            "     AND coalesce(TRY_CAST(json_extract(detail, '$.text_reused') AS BOOLEAN), true))))",
        ),
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
            *ids(
                con,
                f"SELECT b.record_id FROM ({base}) b JOIN records t USING (record_id)"
                f" WHERE b.keyed AND {_KEYED_UDF}(t.text) IS DISTINCT FROM b.content_sha256",
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


#: per record, the seq of its newest ``duplicate_of`` event (``d``) and of its newest release (``u``: a withdrawal of
#: its survivor made it active again, :mod:`provenance.withdraw`)
_LAST_DUPLICATE = """
    SELECT record_id, max(seq) FILTER (WHERE action = 'duplicate_of') AS d,
           max(seq) FILTER (WHERE action = 'duplicate_released') AS u
    FROM {ev} WHERE action IN ('duplicate_of', 'duplicate_released') AND record_id IS NOT NULL GROUP BY record_id
"""


#: active versions whose parent stands withdrawn and that were never withdrawn or reinstated themselves (a
#: reinstatement of the version alone is a user's decision, with its event): usually none
_UNDER_WITHDRAWN = """
    SELECT c.record_id, c.version_of FROM records c JOIN records p ON p.record_id = c.version_of
    WHERE c.status = 'active' AND p.status = 'withdrawn'
      AND NOT EXISTS (SELECT 1 FROM provenance_events e WHERE e.record_id = c.record_id
                      AND e.action IN ('withdraw', 'reinstate'))
"""
#: of those, the ones made after their parent's newest withdraw event (or by no event that names them)
_MADE_UNDER_WITHDRAWN = f"""
    WITH cand AS ({_UNDER_WITHDRAWN}),
    pw AS (
        SELECT record_id, max(seq) AS wseq FROM provenance_events
        WHERE action = 'withdraw' AND record_id IN (SELECT version_of FROM cand) GROUP BY 1),
    made AS (
        SELECT json_extract_string(detail, '$.new_record_id') AS rid, min(seq) AS cseq FROM provenance_events
        WHERE json_extract_string(detail, '$.new_record_id') IN (SELECT record_id FROM cand) GROUP BY 1)
    SELECT c.record_id FROM cand c JOIN pw ON pw.record_id = c.version_of LEFT JOIN made m ON m.rid = c.record_id
    WHERE m.cseq IS NULL OR m.cseq > pw.wseq
"""


#: per record, the newest of its ``removed_from_source`` (superseded: its source no longer holds it; a container's
#: snapshot, ``ingest moda --complete``) and ``returned_to_source`` (active again: curate/ingest_absent.py) events
_SOURCE_PRESENCE = """
    SELECT record_id, arg_max(action, seq) AS newest FROM {ev}
    WHERE action IN ('removed_from_source', 'returned_to_source') AND record_id IS NOT NULL GROUP BY record_id
"""


def _removed_then(ev: str, rid: str) -> str:
    """SQL: whether the record ``rid`` stood removed from its source (superseded) when the event ``e`` was written:
    its newest ``removed_from_source``/``returned_to_source`` before ``e`` is a removal. A release judged by the
    survivor's status now failed once ``ingest moda --complete`` could make a removed survivor active again
    (curate/ingest_absent.py)."""
    return (
        f"coalesce((SELECT arg_max(x.action, x.seq) FROM {ev} x WHERE x.record_id = {rid} AND x.seq < e.seq"
        " AND x.action IN ('removed_from_source', 'returned_to_source')) = 'removed_from_source', false)"
    )


def _check_status(con: duckdb.DuckDBPyConnection, res: CrossCheck) -> None:
    ev = events_view(con)
    last_withdraw = _LAST_WITHDRAW.format(ev=ev)
    res.add(
        "status",
        "withdrawn without a withdraw event",
        *ids(
            con,
            f"SELECT r.record_id FROM records r LEFT JOIN ({last_withdraw}) w USING (record_id)"
            " WHERE r.status = 'withdrawn' AND (w.w IS NULL OR w.u > w.w)",
        ),
    )
    res.add(
        "status",
        "active although its newest withdraw event was never reinstated",
        *ids(
            con,
            f"SELECT r.record_id FROM records r JOIN ({last_withdraw}) w USING (record_id)"
            " WHERE r.status = 'active' AND w.w IS NOT NULL AND (w.u IS NULL OR w.u < w.w)",
        ),
    )
    if con.execute(f"SELECT count(*) FROM ({_UNDER_WITHDRAWN})").fetchone()[0]:  # events' details: candidates only
        res.add(
            "status",
            "active although the version it derives from was withdrawn before it was made (a withdrawal sticks)",
            *ids(con, _MADE_UNDER_WITHDRAWN),
        )
    last_dup = _LAST_DUPLICATE.format(ev=ev)
    res.add(
        "status",
        "duplicate without a duplicate_of event after its newest release",
        *ids(
            con,
            f"SELECT r.record_id FROM records r LEFT JOIN ({last_dup}) d USING (record_id)"
            " WHERE r.status = 'duplicate' AND (d.d IS NULL OR d.u > d.d)",
        ),
    )
    res.add(
        "status",
        "active although a duplicate_of event made it a duplicate (the export would include it)",
        *ids(
            con,
            f"SELECT r.record_id FROM records r JOIN ({last_dup}) d USING (record_id)"
            " WHERE r.status = 'active' AND d.d IS NOT NULL AND (d.u IS NULL OR d.u < d.d)",
        ),
    )
    survivor = rekeyed_id(ev, "json_extract_string(e.detail, '$.survivor')")
    matched = rekeyed_id(ev, "json_extract_string(e.detail, '$.matched')")
    res.add(
        "status",
        "released from duplicate although its survivor was neither withdrawn then nor superseded",
        *ids(
            con,
            f"SELECT e.record_id FROM {ev} e WHERE e.action = 'duplicate_released' AND coalesce(("
            f" SELECT arg_max(w.action, w.seq) FROM {ev} w WHERE w.action IN ('withdraw', 'reinstate')"
            f" AND w.seq < e.seq AND w.record_id = {survivor}), '') <> 'withdraw' AND NOT EXISTS ("
            f" SELECT 1 FROM records s WHERE s.record_id = {survivor} AND s.status = 'superseded')"
            f" AND NOT {_removed_then(ev, survivor)}"
            # dedup's own re-decision (another survivor rule keeps it) and a chain whose link went (review 14)
            " AND NOT (e.stage = 'dedup' AND json_extract_string(e.detail, '$.reason') LIKE 'clustered again with records%')"
            f" AND NOT EXISTS (SELECT 1 FROM {ev} m WHERE m.seq < e.seq AND m.record_id = {matched}"
            " AND m.action IN ('withdraw', 'duplicate_released'))"
            f" AND NOT EXISTS (SELECT 1 FROM records s WHERE s.record_id = {matched} AND s.status = 'superseded')"
            f" AND NOT {_removed_then(ev, matched)}",
        ),
    )
    # what provenance/dedup_release.py releases when a survivor or representative stops being active
    res.add(
        "status",
        "duplicate of a withdrawn or superseded survivor (never released: it is in no export)",
        *ids(
            con,
            f"SELECT r.record_id FROM records r JOIN ({survivors(con)}) d USING (record_id)"
            " JOIN records s ON s.record_id = d.survivor"
            " WHERE r.status = 'duplicate' AND s.status IN ('withdrawn', 'superseded')"
            f" AND NOT {NEWER_OF_ITS_DOCUMENT}",
        ),
    )
    if has_column(con, "records", "near_duplicate_of"):
        res.add(
            "status",
            "near_duplicate_of names a record that is not active (never released)",
            *ids(
                con,
                "SELECT r.record_id FROM records r JOIN records p ON p.record_id = r.near_duplicate_of"
                " WHERE r.near_duplicate_of IS NOT NULL AND r.status = 'active' AND p.status IS DISTINCT FROM 'active'",
            ),
        )
    res.add(
        "status",
        "superseded without a newer version or a supersede event",
        *ids(
            con,
            "SELECT r.record_id FROM records r WHERE r.status = 'superseded'"
            " AND NOT EXISTS (SELECT 1 FROM records c WHERE c.version_of = r.record_id)"
            f" AND NOT EXISTS (SELECT 1 FROM {ev} e WHERE e.record_id = r.record_id"
            "   AND (e.action IN ('historical_version', 'superseded_on_reinstatement')"
            "        OR (e.action = 'reinstate' AND json_extract_string(e.detail, '$.status') = 'superseded')))"
            f" AND NOT EXISTS (SELECT 1 FROM ({_SOURCE_PRESENCE.format(ev=ev)}) p"
            "   WHERE p.record_id = r.record_id AND p.newest = 'removed_from_source')",
        ),
    )
    res.add(
        "status",
        "active although removed from its source (removed_from_source) and not returned since (returned_to_source)",
        *ids(
            con,
            f"SELECT r.record_id FROM records r JOIN ({_SOURCE_PRESENCE.format(ev=ev)}) p USING (record_id)"
            " WHERE r.status = 'active' AND p.newest = 'removed_from_source'",
        ),
    )
    res.add(
        "status",
        "active beside another active version of the same document (one of them was made from an old text)",
        *ids(
            con,
            "SELECT record_id FROM records WHERE status = 'active'"
            " QUALIFY count(*) OVER (PARTITION BY source_id, doc_key) > 1",
        ),
    )
    res.add(
        "status",
        "active although a newer version replaced it",
        *ids(
            con,
            "SELECT r.record_id FROM records r WHERE r.status = 'active'"
            " AND EXISTS (SELECT 1 FROM records c WHERE c.version_of = r.record_id AND c.status IS DISTINCT FROM 'withdrawn')",
        ),
    )


def crosscheck(
    con: duckdb.DuckDBPyConnection,
    *,
    keyed_digest: Callable[[str], str] | None = None,
    vault_terms: VaultTerms | None = None,
) -> CrossCheck:
    """Check records, statuses, exports, withdrawals and runs against the ledger (read-only).

    ``keyed_digest`` (``text -> "hmac:..."``, from the PII key; the kernel never holds the key) lets the
    texts of records with keyed content digests be checked too; without it they are named as not checked.
    ``vault_terms`` (from the PII key too) reads the raw licence terms the vault holds for terms sealed before they
    went there (:func:`provenance.terms_seal.check`).
    """
    res = CrossCheck()
    events = con.execute("SELECT count(*) FROM provenance_events").fetchall()[0][0]
    records = con.execute("SELECT count(*) FROM records").fetchall()[0][0]
    if records and not events:
        res.add("ledger", "the ledger is empty although the catalogue has records (events deleted)", ["all"])
    _check_records(con, res, keyed_digest)
    check_vault(con, res)
    _check_status(con, res)
    _check_derived(con, res)
    check_gates(con, res, keyed_digest, vault_terms)
    check_rows(con, res)
    holds = verify_holds(con)
    res.add("holds", "licence_holds differs from its licence_disputed/released events", [f"{c}: {p}" for c, p in holds])
    return res


def _check_derived(con: duckdb.DuckDBPyConnection, res: CrossCheck) -> None:
    """Derived columns changed in place (no new version) against the event that set them."""
    ev = events_view(con)
    rep = rekeyed_id(ev, "e.rep")
    res.add(
        "derived",
        "script differs from its newest script_detected verdict (edited in place)",
        *ids(
            con,
            "SELECT r.record_id FROM records r JOIN (SELECT record_id, arg_max(verdict, seq) AS script"
            f" FROM {verdicts_view(con)} WHERE action = 'script_detected' GROUP BY record_id) e USING (record_id)"
            " WHERE r.script IS DISTINCT FROM e.script",
        ),
    )
    verdicts = verify_verdicts(con)
    res.checked["verdict_batches"] = verdicts.checked
    if not verdicts.ok:
        res.add("derived", verdicts.reason, [f"event seq {verdicts.first_bad_seq}"])

    if has_column(con, "records", "near_duplicate_of"):
        res.add(
            "derived",
            "near_duplicate_of differs from its newest near_duplicate_of event",
            *ids(
                con,
                "SELECT r.record_id FROM records r LEFT JOIN (SELECT record_id,"
                f" arg_max(json_extract_string(detail, '$.representative'), seq) AS rep FROM {ev}"
                " WHERE action = 'near_duplicate_of' AND record_id IS NOT NULL GROUP BY record_id) e"
                f" USING (record_id) WHERE r.near_duplicate_of IS NOT NULL AND r.near_duplicate_of IS DISTINCT FROM {rep}",
            ),
        )
