"""Cross-checks of the rows that point at the ledger: ``exports``, ``withdrawals``, ``reinstatements``, ``runs``.

Split from :mod:`provenance.crosscheck`. Each row must match the event at its seq in every field the audit
commands print (the recall lists send an auditor to ``exports.out_dir``), and every such event must have its
row. The heads the ledger records about itself (a run's ``ledger_seq``/``ledger_hash``, an export event's
``state_seq``/``state_hash``) must still be in the chain. Every comparison is NULL-safe (``IS DISTINCT FROM``):
a value erased by hand is a difference, never "not different".
"""

from __future__ import annotations

import duckdb

from provenance import db, ledger
from provenance.crosscheck_base import CrossCheck, has_column, has_table, ids
from provenance.export_items import SEALED_EXPORT_IDS, verify_items
from provenance.licences import default_licence_catalogue
from provenance.runs import ROW_SQL, RUN_FINISHED, UNSEALED_SQL

#: the export event's detail at ``path`` differs from the row's ``col`` (checked only where the event records it)
_EXPORT_FIELDS = (
    ("$.export_id", "x.export_id"),
    ("$.manifest_sha256", "x.manifest_sha256"),
    ("$.state_hash", "x.state_hash"),
    ("$.out_dir", "x.out_dir"),
)

_EXPORT_ROW = (
    "SELECT x.export_id || ' (seq ' || x.export_seq || ')' FROM exports x"
    " LEFT JOIN provenance_events e ON e.seq = x.export_seq"
    " WHERE e.seq IS NULL OR e.action IS DISTINCT FROM 'export'"
    + "".join(
        f" OR (json_exists(e.detail, '{p}') AND json_extract_string(e.detail, '{p}') IS DISTINCT FROM {c})"
        for p, c in _EXPORT_FIELDS
    )
    + " OR CAST(json_extract(e.detail, '$.records') AS BIGINT) IS DISTINCT FROM x.records"
    # who made it, when, in which run: the event's own columns
    " OR e.actor IS DISTINCT FROM x.actor OR e.created_at IS DISTINCT FROM x.created_at"
    " OR e.run_id IS DISTINCT FROM x.run_id"
    # the blocked counts by reason (the event's) against the row's total and its counts
    " OR (json_exists(e.detail, '$.blocked') AND ("
    "     coalesce(list_sum(CAST(json_extract(e.detail, '$.blocked.*') AS BIGINT[])), 0) IS DISTINCT FROM x.blocked"
    "  OR CAST(json_extract(e.detail, '$.blocked') AS VARCHAR)"
    "     IS DISTINCT FROM CAST(json_extract(x.counts, '$.blocked') AS VARCHAR)))"
    # the parameters the export was made under (audience, purpose...): what `audit exports` shows
    " OR (json_extract(e.detail, '$.params') IS NOT NULL AND ("
    "     json_extract_string(e.detail, '$.params.purpose') IS DISTINCT FROM x.purpose"
    "  OR json_extract_string(e.detail, '$.params.audience') IS DISTINCT FROM x.audience"
    "  OR CAST(json_extract(e.detail, '$.params.commercial') AS BOOLEAN) IS DISTINCT FROM x.commercial"
    "  OR json_extract_string(e.detail, '$.params.as_of') IS DISTINCT FROM CAST(x.as_of AS VARCHAR)"
    "  OR json_extract_string(e.detail, '$.params.format') IS DISTINCT FROM x.format))"
)

#: exports rows whose records per licence (``counts.licences``, what the report charts) differ from their items by
#: licence (sealed by the event's ``items_digest``); exports made before export_items existed have none: only
#: those with items, or after the first itemised one, are compared
_EXPORT_LICENCES = """
    WITH c AS (SELECT x.export_seq AS s, j.key AS licence, TRY_CAST(j.value AS BIGINT) AS n
               FROM exports x, json_each(x.counts, '$.licences') j),
         i AS (SELECT x.export_seq AS s, i.licence_id AS licence, count(*) AS n
               FROM exports x JOIN export_items i USING (export_id) GROUP BY ALL),
         bad AS (SELECT coalesce(c.s, i.s) AS s FROM c FULL JOIN i ON c.s = i.s AND c.licence = i.licence
                 WHERE c.n IS DISTINCT FROM i.n)
    SELECT x.export_id || ' (seq ' || x.export_seq || ')' FROM exports x
    WHERE (x.export_seq IN (SELECT s FROM bad) OR json_type(x.counts, '$.licences') IS DISTINCT FROM 'OBJECT')
      AND (EXISTS (SELECT 1 FROM export_items j WHERE j.export_id = x.export_id)
           OR x.export_seq > (SELECT min(y.export_seq) FROM exports y
                              WHERE EXISTS (SELECT 1 FROM export_items j WHERE j.export_id = y.export_id)))
"""

#: export events whose recorded ledger state (``state_seq``/``state_hash``) the chain no longer has: events before
#: the export were rewritten (``curate audit verify-export`` would say so of its folder)
EXPORT_STATE = f"""
    WITH x AS (
        SELECT seq, json_extract_string(detail, '$.state_hash') AS h,
               TRY_CAST(json_extract_string(detail, '$.state_seq') AS BIGINT) AS s,
               json_exists(detail, '$.state_seq') AS has_s
        FROM provenance_events WHERE stage = 'export' AND action = 'export' AND json_exists(detail, '$.state_hash'))
    SELECT 'seq ' || x.seq || ' (state seq ' || coalesce(CAST(x.s AS VARCHAR), '?') || ')'
    FROM x LEFT JOIN provenance_events p ON p.seq = x.s
    WHERE CASE WHEN NOT x.has_s THEN x.h IS DISTINCT FROM '{ledger.GENESIS}' AND NOT EXISTS (
                   SELECT 1 FROM provenance_events q WHERE q.hash = x.h AND q.seq < x.seq)
               WHEN x.s = 0 THEN x.h IS DISTINCT FROM '{ledger.GENESIS}'
               ELSE x.s IS NULL OR x.s >= x.seq OR p.hash IS DISTINCT FROM x.h END
"""


def _legacy_item_licence() -> str:
    """SQL naming the items of exports whose event seals no items digest (made before b62aa75) whose licence is not
    the exported version's: the record's ``licence_id`` and those of the parents it was merged from
    (``metadata.licences``), as the export labels them (``A AND B``, the record's own first; an alias as the shipped
    licence catalogue's own id). A version's licence never changes (a correction makes a new version), and the
    record's licence is checked against its creating event, so an item that differs was edited."""
    aliases = default_licence_catalogue().aliases
    pairs = ", ".join(f"'{a}': '{i}'" for a, i in sorted(aliases.items()) if "'" not in a + i)
    canon = f"x -> coalesce(map_extract(MAP {{{pairs}}}, x)[1], x)" if pairs else "x -> x"
    return f"""
        WITH i AS (
            SELECT i.export_id, i.record_id,
                   list_transform(string_split(i.licence_id, ' AND '), {canon}) AS got,
                   list_transform(list_prepend(r.licence_id, coalesce(
                       json_extract_string(r.metadata, '$.licences[*].licence_id'), [])), {canon}) AS want
            FROM export_items i JOIN records r USING (record_id)
            WHERE i.export_id NOT IN ({SEALED_EXPORT_IDS}))
        SELECT export_id || ':' || record_id FROM i
        WHERE got IS NULL OR got[1] IS DISTINCT FROM want[1]
           OR list_sort(list_distinct(got)) IS DISTINCT FROM list_sort(list_distinct(want))"""


def _row_matches_event(table: str, seq_col: str, action: str, fields: tuple[str, ...]) -> str:
    """SQL naming ``table``'s rows that differ from the ``action`` event at their ``seq_col`` in ``fields`` (detail
    keys), ``records``, ``actor`` or ``created_at``."""
    conds = "".join(f" OR json_extract_string(e.detail, '$.{f}') IS DISTINCT FROM t.{f}" for f in fields)
    return (
        f"SELECT t.scope || ':' || t.target || ' (seq ' || t.{seq_col} || ')' FROM {table} t"
        f" LEFT JOIN provenance_events e ON e.seq = t.{seq_col}"
        f" WHERE e.seq IS NULL OR e.action IS DISTINCT FROM '{action}'{conds}"
        " OR CAST(json_extract(e.detail, '$.records') AS BIGINT) IS DISTINCT FROM t.records"
        " OR e.actor IS DISTINCT FROM t.actor OR e.created_at IS DISTINCT FROM t.created_at"
    )


def check_rows(con: duckdb.DuckDBPyConnection, res: CrossCheck) -> None:
    """Exports, withdrawals, reinstatements and runs against the events that recorded them."""
    if has_table(con, "exports"):
        _check_exports(con, res)
    if has_table(con, "withdrawals"):
        res.checked["withdrawals"] = con.execute("SELECT count(*) FROM withdrawals").fetchall()[0][0]
        res.add(
            "withdrawals",
            "row does not match the withdrawal event at its withdrawal_seq",
            *ids(con, _row_matches_event("withdrawals", "withdrawal_seq", "withdrawal", ("scope", "target", "reason"))),
        )
        res.add(
            "withdrawals",
            "withdrawal event has no withdrawals row (row deleted)",
            *ids(
                con,
                "SELECT 'seq ' || e.seq FROM provenance_events e WHERE e.stage = 'provenance'"
                " AND e.action = 'withdrawal' AND NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.withdrawal_seq = e.seq)",
            ),
        )
    if has_table(con, "reinstatements"):
        res.checked["reinstatements"] = con.execute("SELECT count(*) FROM reinstatements").fetchall()[0][0]
        res.add(
            "reinstatements",
            "row does not match the reinstatement event at its reinstatement_seq",
            *ids(
                con,
                _row_matches_event(
                    "reinstatements", "reinstatement_seq", "reinstatement", ("scope", "target", "reason")
                ),
            ),
        )
        res.add(
            "reinstatements",
            "reinstatement event has no reinstatements row (row deleted)",
            *ids(
                con,
                "SELECT 'seq ' || e.seq FROM provenance_events e WHERE e.action = 'reinstatement'"
                " AND NOT EXISTS (SELECT 1 FROM reinstatements u WHERE u.reinstatement_seq = e.seq)",
            ),
        )
    _check_runs(con, res)


def _check_exports(con: duckdb.DuckDBPyConnection, res: CrossCheck) -> None:
    res.checked["exports"] = con.execute("SELECT count(*) FROM exports").fetchall()[0][0]
    res.add("exports", "row does not match the export event at its export_seq", *ids(con, _EXPORT_ROW))
    res.add(
        "exports",
        "export event names a ledger state (state_seq, state_hash) the chain no longer has: events before it"
        " were rewritten",
        *ids(con, EXPORT_STATE),
    )
    res.add(
        "exports",
        "export has fewer or more items than it exported (export_items rows deleted or added)",
        *ids(
            con,
            "SELECT x.export_id || ' (' || count(i.record_id) || ' items, ' || x.records || ' records)'"
            " FROM exports x LEFT JOIN export_items i USING (export_id)"
            " GROUP BY x.export_id, x.records, x.export_seq HAVING count(i.record_id) IS DISTINCT FROM x.records"
            # exports made before export_items existed have none: only those before the first itemised one
            " AND (count(i.record_id) > 0 OR x.export_seq > (SELECT min(y.export_seq) FROM exports y"
            "      WHERE EXISTS (SELECT 1 FROM export_items j WHERE j.export_id = y.export_id)))",
        ),
    )
    res.add(
        "exports",
        "row's records per licence (counts.licences) do not match the export's items, sealed by its event",
        *ids(con, _EXPORT_LICENCES),
    )
    res.add(
        "exports",
        "export event has no exports row (row deleted)",
        *ids(
            con,
            "SELECT 'seq ' || e.seq FROM provenance_events e WHERE e.stage = 'export' AND e.action = 'export'"
            " AND NOT EXISTS (SELECT 1 FROM exports x WHERE x.export_seq = e.seq)",
        ),
    )
    res.add(  # unique by its one writer, not by an index (0102)
        "exports",
        "export item on more than one row (an export's items written twice or a row inserted by hand)",
        *ids(
            con,
            "SELECT export_id || ':' || record_id FROM export_items GROUP BY export_id, record_id HAVING count(*) > 1",
        ),
    )
    items, unsealed = verify_items(con)
    if not items.ok:
        res.add("exports", items.reason, [f"event seq {items.first_bad_seq}"])
    if unsealed:
        res.notes.append(
            f"{unsealed} exports predate sealed item digests: their items are checked by count and against the "
            "records only, content digest and licence (`curate audit verify-export DIR` checks a folder's files)"
        )
        res.add(
            "exports",
            "exported item's licence is not the licence of the version it exported (export_items.licence_id edited;"
            " the export folder's manifest.jsonl still has the licence it shipped under: `curate audit verify-export"
            " DIR`)",
            *ids(con, _legacy_item_licence()),
        )
    res.add(
        "exports",
        "exported record no longer matches the catalogue (record changed or deleted)",
        *ids(
            con,
            "SELECT i.export_id || ':' || i.record_id FROM export_items i LEFT JOIN records r USING (record_id)"
            " WHERE r.record_id IS NULL OR i.content_sha256 IS DISTINCT FROM r.content_sha256",
        ),
    )


def _check_runs(con: duckdb.DuckDBPyConnection, res: CrossCheck) -> None:
    res.checked["runs"] = con.execute("SELECT count(*) FROM runs").fetchall()[0][0]
    if has_column(con, "runs", "ledger_seq"):
        res.add(
            "runs",
            "finished at a ledger head the chain no longer has (events deleted from the end or rewritten)",
            *ids(
                con,
                "SELECT r.run_id || ' (seq ' || r.ledger_seq || ')' FROM runs r"
                " LEFT JOIN provenance_events e ON e.seq = r.ledger_seq WHERE r.ledger_seq IS NOT NULL AND"
                f" CASE WHEN r.ledger_seq = 0 THEN r.ledger_hash IS DISTINCT FROM '{ledger.GENESIS}'"
                " ELSE e.seq IS NULL OR e.hash IS DISTINCT FROM r.ledger_hash END",
            ),
        )
        # one writer (provenance/runs.py:finish_run) sets finished_at and the head together, since migration 0013
        res.add(
            "runs",
            "finished without its ledger head (ledger_seq or ledger_hash erased) after runs that record theirs",
            *ids(
                con,
                "SELECT run_id FROM runs WHERE finished_at IS NOT NULL AND (ledger_seq IS NULL OR ledger_hash IS NULL)"
                " AND finished_at >= (SELECT min(finished_at) FROM runs WHERE ledger_seq IS NOT NULL)",
            ),
        )
        _check_run_seals(con, res)
    res.add(
        "runs",
        "run id used by events or records has no runs row",
        *ids(
            con,
            "SELECT DISTINCT run_id FROM (SELECT run_id FROM provenance_events UNION ALL SELECT run_id FROM records)"
            " WHERE run_id IS NOT NULL AND run_id NOT IN (SELECT run_id FROM runs)",
        ),
    )


#: per run, its newest ``run_finished`` event (the seal of the row as it ended) and the first such event at all
_SEALS = f"""
    WITH f AS (SELECT run_id, arg_max(seq, seq) AS seq, arg_max(hash, seq) AS hash,
                      arg_max(json_extract_string(detail, '$.row_sha256'), seq) AS sha
               FROM provenance_events WHERE action = '{RUN_FINISHED}' AND stage = 'run' GROUP BY run_id),
         first AS (SELECT min(seq) AS seq FROM provenance_events WHERE action = '{RUN_FINISHED}' AND stage = 'run')
    SELECT r.run_id, f.seq, f.hash, f.sha, sha256({ROW_SQL}) AS now_sha, first.seq AS first_seq
    FROM runs r LEFT JOIN f USING (run_id), first"""


def _check_run_seals(con: duckdb.DuckDBPyConnection, res: CrossCheck) -> None:
    """Each ended run's row against its ``run_finished`` event (:func:`provenance.runs.finish_run`); a run that ended
    after runs were first sealed, without its event, had the event's run id or status changed by hand."""
    res.add(
        "runs",
        "the row differs from what its run_finished event sealed (command, arguments, status, times or counts"
        " edited), or its ledger head is not that event",
        *ids(
            con,
            f"SELECT run_id FROM ({_SEALS}) s JOIN runs r USING (run_id) WHERE s.seq IS NOT NULL"
            " AND (s.sha IS DISTINCT FROM s.now_sha OR r.ledger_seq IS DISTINCT FROM s.seq"
            " OR r.ledger_hash IS DISTINCT FROM s.hash)",
        ),
    )
    res.add(
        "runs",
        "ended (status or finished time) without a run_finished event, after runs were first sealed",
        *ids(
            con,
            f"SELECT run_id FROM ({_SEALS}) s JOIN runs r USING (run_id) WHERE s.seq IS NULL AND s.first_seq IS NOT NULL"
            " AND (r.status IS DISTINCT FROM 'running' OR r.finished_at IS NOT NULL)"
            " AND (coalesce(r.ledger_seq, 0) >= s.first_seq OR EXISTS (SELECT 1 FROM provenance_events e"
            " WHERE e.run_id = r.run_id AND e.seq > s.first_seq))",
        ),
    )
    newest = con.execute(
        "SELECT json_extract(detail, '$.unsealed_runs')::BIGINT, json_extract_string(detail, '$.unsealed_sha256')"
        f" FROM provenance_events WHERE action = '{RUN_FINISHED}' AND stage = 'run' ORDER BY seq DESC LIMIT 1"
    ).fetchall()
    if newest and newest[0][1] is not None:
        n_now, sha_now = db.execute(con, UNSEALED_SQL, [None]).fetchone()
        res.add(
            "runs",
            "the ended runs without a run_finished event are not those the newest seal lists: a run row added"
            " (back-dated), deleted or renamed among the runs ended before runs were sealed",
            [f"{n_now} such runs now, {newest[0][0]} at the newest seal"] if (n_now, sha_now) != newest[0] else [],
        )
