"""Which past exports hold records that the licence rules refuse now: the licence side of :mod:`provenance.recall`.

The rules refuse a record an export shipped when its licence was corrected since, its file is held, or the licence
engine gained a rule since the export (an upgrade: OGDL-Taiwan-1.0 needs the providing agency; the exported version
itself is then judged and refused with the engine's reason, no correction involved: review 8, F5). A licence
correction (``ingest moda`` again under a corrected ``--licence``, a manifest with corrected terms:
``licence_terms_changed``) makes new versions of the records it re-licenses; an export made before holds the
earlier versions. A manifest whose rows for one file disagree holds the file (:mod:`provenance.holds`): its
records, exported before the dispute, are named too (code ``licence_disputed``) until an ingest releases it. For each past export, every exported record's document is followed down ``version_of`` to its
current versions (active, or made a near duplicate since: the export still ships the document; a stage version made
after the correction included), and each is judged by the export's own
licence rule (:meth:`provenance._selection.Decider.licensed`: the licence engine, :mod:`provenance.licences`) for
that export's purpose, audience, commercial choice and date (``as_of``, or the day it was made when a past ``--as-of``
was given: expiry is judged on the day it was made).
A correction to an earlier expiry that still lies after that day is named too (``expiry_shortened``): the export's
NOTICE named the old expiry to its recipients.
What the engine refuses now is named with the engine's reason, and the export's folders with it: their recipients
must be told.

Withdrawn documents have no active version and are left to ``audit withdrawn``; a record the shipped licence
catalogue does not know is named as ``unknown_licence`` (an export made with ``--catalogue`` is judged by the
catalogue given here). Used by ``curate audit licences``, ``audit exports`` and ``audit export``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import duckdb

from provenance._selection import ID, LICENCE, LICENCE_ROWS_OF, TERMS, Decider, ExportVerdict
from provenance.licence_recall_catalogue import catalogue_shortened, recorded_expiries, shortened_expiry
from provenance.licence_terms import licence_today
from provenance.licences import LicenceCatalogue, default_licence_catalogue
from provenance.version_chain import descendants_cte

#: rows read from DuckDB per step
FETCH_ROWS = 5_000


def current_versions(export_filter: str = "") -> str:
    """SQL (exported_id, record_id): each exported record and the active versions of its document now, found by
    walking ``version_of`` down from it (the exported record itself while it is still active). A few scans of
    ``records`` (a chain is a few versions long; no index: migration 0101); ``UNION`` ends a cycle a tampered table
    might hold. ``export_filter``: a condition on ``export_items`` (e.g. one export's id)."""
    where = f" WHERE {export_filter}" if export_filter else ""
    seeds = f"SELECT DISTINCT record_id, record_id FROM export_items{where}"
    return (
        f"WITH RECURSIVE {descendants_cte('down', seeds, start='exported_id')}"
        " SELECT d.exported_id, d.record_id FROM down d JOIN records a USING (record_id)"
        " WHERE a.status IN ('active', 'duplicate')"
    )


@dataclass(frozen=True, slots=True)
class _Use:
    """What an export was made for: the parts of :class:`provenance.export.ExportParams` the licence rule reads."""

    purpose: str
    audience: str
    commercial: bool
    at: dt.date
    pii_gate: str = "all"
    drop_near_duplicates: bool = False
    include_deleted_stubs: bool = False


_EXPORTS = (
    "SELECT export_id, min(created_at) AS exported_at, any_value(purpose) AS purpose, any_value(audience) AS audience,"
    " bool_or(commercial) AS commercial, min(as_of) AS as_of, list(DISTINCT out_dir ORDER BY out_dir) AS out_dirs,"
    " list((created_at, as_of) ORDER BY export_seq) AS _folders"
    " FROM exports {where} GROUP BY export_id ORDER BY min(export_seq)"
)


def licence_refused(
    con: duckdb.DuckDBPyConnection, licence_catalogue: LicenceCatalogue | None = None, *, export_id: str | None = None
) -> list[dict[str, Any]]:
    """The past exports (oldest first; only ``export_id`` when given) that hold records whose document the licence
    engine refuses now for the export's own use, each with every folder it was written to (``out_dirs``), the
    number of such records (``refused_records``), the count per refusal code (``reasons``) and the records:
    ``record_id`` (as exported), ``current_id`` (its document's active version judged now), ``licence_then`` (as
    exported), ``licence_now``, ``code`` and ``reason`` (the engine's). Exports with none are left out.

    Reads only: one walk of the exported records' chains, one read of their active versions (no texts), and the
    items of the records refused for some export's use."""
    cat = licence_catalogue or default_licence_catalogue()
    where, params = ("WHERE export_id = $eid", {"eid": export_id}) if export_id is not None else ("", {})
    exports = _dicts(con.execute(_EXPORTS.format(where=where), params))
    if not exports:
        return []
    for e in exports:
        e["judged_on"] = _judged_on(e.pop("_folders"))
    uses = {e["export_id"]: _Use(e["purpose"], e["audience"], bool(e["commercial"]), e["judged_on"]) for e in exports}
    for e in exports:
        e["judged_on"] = e["judged_on"].isoformat()
    current: dict[str, list[str]] = {}
    for exported_id, record_id in con.execute(
        current_versions("export_id = $eid" if export_id is not None else ""), params
    ).fetchall():
        current.setdefault(exported_id, []).append(record_id)
    refused = _refused_now(con, cat, set(uses.values()), sorted({r for ids in current.values() for r in ids}))
    shortened = _shortened(con, cat, set(uses.values()), current)
    recorded = recorded_expiries(con, list(uses))  # each entry's expiry as the export's NOTICE stated it
    by_catalogue = catalogue_shortened(con, cat, [(e, uses[e], r) for e, r in recorded.items()], current)
    refused_now = {record_id for _, record_id in refused}
    suspects = sorted(
        {rid for rid, ids in current.items() if refused_now.intersection(ids)}
        | {e for _, e, _ in shortened}
        | {e for _, e, _ in by_catalogue}
    )
    if not suspects:
        return []
    # only the items of records refused for some use (none, usually): each is then judged for its export's use
    items = con.execute(
        "SELECT export_id, record_id, licence_id FROM export_items WHERE record_id IN (SELECT unnest($ids))"
        f"{' AND export_id = $eid' if export_id is not None else ''} ORDER BY export_id, record_id",
        {**params, "ids": suspects},
    ).fetchall()
    found: dict[str, list[dict[str, Any]]] = {}
    for eid, record_id, licence_then in items:
        use = uses.get(eid)
        for now_id in current.get(record_id, ()) if use is not None else ():
            verdict = (
                refused.get((use, now_id))
                or shortened.get((use, record_id, now_id))
                or by_catalogue.get((eid, record_id, now_id))
            )
            if verdict is not None:
                found.setdefault(eid, []).append(
                    {
                        "record_id": record_id,
                        "current_id": now_id,
                        "licence_then": licence_then,
                        "licence_now": verdict.licence,
                        "code": verdict.code,
                        "reason": verdict.reason,
                    }
                )
    out = []
    for e in exports:
        records = found.get(e["export_id"])
        if records:
            reasons = Counter(r["code"] for r in records)
            out.append(
                {
                    **e,
                    "refused_records": len({r["record_id"] for r in records}),
                    "reasons": dict(sorted(reasons.items())),
                    "records": records,
                }
            )
    return out


def _refused_now(
    con: duckdb.DuckDBPyConnection, cat: LicenceCatalogue, uses: set[_Use], record_ids: list[str]
) -> dict[tuple[_Use, str], ExportVerdict]:
    """The licence engine's refusals of ``record_ids`` for each use, keyed by (use, record id): the export's own
    rule, asked once per distinct licence, terms and credit (:meth:`Decider.licensed` caches), and the hold of a
    file whose manifest rows disagree now (:meth:`Decider.held`, code ``licence_disputed``)."""
    if not record_ids:
        return {}
    deciders = {use: Decider(con, cat, use) for use in uses}  # each reads its own tables before the rows' cursor
    out: dict[tuple[_Use, str], ExportVerdict] = {}
    cur = con.execute(LICENCE_ROWS_OF, {"ids": record_ids})
    while batch := cur.fetchmany(FETCH_ROWS):
        for row in batch:
            for use, decider in deciders.items():
                verdict = decider.held(row) or decider.licensed(row)
                if not verdict.ok:
                    out[(use, row[ID])] = verdict if verdict.licence else _with_licence(verdict, row[LICENCE])
    return out


def _judged_on(folders: list[tuple[dt.datetime, dt.date]]) -> dt.date:
    """The day an export id is judged on: the latest day any of its folders (``(created_at, as_of)``, oldest first)
    was used from. A folder is used from its ``as_of``, or from the day (in Taiwan) it was made when that is later:
    a past ``--as-of`` (allowed when nothing had ended since) judged on that day named no export when a licence was
    found later to have ended between it and the day it was made (review 14). A reproduction (an ``as_of`` an
    earlier folder was made on or before) keeps that day. The id leaves the day out: the same export made again
    into another folder on a later day shares it, and is judged on that later day (review of the fixes 14)."""
    days, own = [], set()
    for created, at in folders:
        made = licence_today(created.replace(tzinfo=dt.UTC) if created.tzinfo is None else created)
        days.append(at if at in own or made <= at else made)
        if made <= at:
            own.add(at)
    return max(days)


#: (exported id, current id) of the pairs given whose licence or own terms differ (the ``r_terms`` of
#: :func:`provenance.record_licence.terms_columns`, compared again on the rows read)
_CHANGED = (
    "SELECT p.e, p.n FROM (SELECT unnest($e) AS e, unnest($n) AS n) p"
    " JOIN records a ON a.record_id = p.e JOIN records b ON b.record_id = p.n"
    " WHERE a.licence_id IS DISTINCT FROM b.licence_id"
    " OR CAST(json_extract(a.metadata, '$.licence_terms') AS VARCHAR)"
    " IS DISTINCT FROM CAST(json_extract(b.metadata, '$.licence_terms') AS VARCHAR)"
)


def _shortened(
    con: duckdb.DuckDBPyConnection, cat: LicenceCatalogue, uses: set[_Use], current: dict[str, list[str]]
) -> dict[tuple[_Use, str, str], ExportVerdict]:
    """Exported records whose document's terms were corrected since to an earlier expiry, one the rules still allow
    on the export's own day, keyed by (use, exported id, current id): code ``expiry_shortened``. The export's NOTICE
    and card told its recipients they may use the record until the old day (or with no end): judged on the export's
    day only, such a correction named no export, then or after the new day had passed (review 14). Only versions
    whose licence or terms differ from the exported one's are read (a correction; a stage's version keeps both:
    found in SQL, :data:`_CHANGED`)."""
    pairs = [(e, n) for e, ids in current.items() for n in ids if n != e]
    if not pairs:
        return {}
    # the pairs are narrowed in SQL: a stage's versions (most of them) keep licence and terms, and reading every
    # exported version's row and its current one's held two rows a record in memory (review of the fixes 14)
    pairs = con.execute(_CHANGED, {"e": [e for e, _ in pairs], "n": [n for _, n in pairs]}).fetchall()
    if not pairs:
        return {}
    rows: dict[str, tuple] = {}
    cur = con.execute(LICENCE_ROWS_OF, {"ids": sorted({x for pair in pairs for x in pair})})
    while batch := cur.fetchmany(FETCH_ROWS):
        rows.update((row[ID], row) for row in batch)
    pairs = [
        (e, n)
        for e, n in pairs
        if e in rows and n in rows and (rows[e][LICENCE], rows[e][TERMS]) != (rows[n][LICENCE], rows[n][TERMS])
    ]
    out: dict[tuple[_Use, str, str], ExportVerdict] = {}
    for use in uses if pairs else ():
        decider = Decider(con, cat, use)
        for exported, now_id in pairs:
            then, now = decider.licensed(rows[exported]), decider.licensed(rows[now_id])
            if ends := shortened_expiry(then, now):
                ends_now, ends_then = ends
                out[(use, exported, now_id)] = ExportVerdict(
                    False,
                    "expiry_shortened",
                    f"expiry corrected: {now.licence} now ends {ends_now}, the exported version's terms"
                    f" {f'ended {ends_then}' if ends_then else 'had no end date'} (as its NOTICE told the"
                    f" recipients): no use after {ends_now}",
                    now.licence,
                )
    return out


def _with_licence(verdict: ExportVerdict, licence_id: str | None) -> ExportVerdict:
    return ExportVerdict(verdict.ok, verdict.code, verdict.reason, licence_id or "", verdict.attributions)


def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Rows as dicts, dates as ISO text (JSON-ready)."""
    cols = [d[0] for d in cur.description]
    return [
        {c: v.isoformat() if isinstance(v, dt.date) else v for c, v in zip(cols, row, strict=True)}
        for row in cur.fetchall()
    ]


def with_recall(
    con: duckdb.DuckDBPyConnection,
    rows: list[dict[str, Any]],
    refused: list[dict[str, Any]],
    licence_catalogue: LicenceCatalogue | None = None,
) -> list[dict[str, Any]]:
    """``audit licences --json``: the per-licence rows of :func:`provenance.audit.licences_report`, each with
    ``recall``: the past exports of :func:`licence_refused` that hold records of that row (by their licence now,
    ``(none)`` when they have none, and the source of their document's current version), each export with its
    folders, its own count and reasons, and only those records. A licence and source that no active record has any
    more (a near duplicate's) gets a row of its own with 0 records. The list and its keys are those scripts read
    before review 13; ``recall`` is added."""
    cat = licence_catalogue or default_licence_catalogue()
    current = sorted({r["current_id"] for e in refused for r in e["records"]})
    source: dict[str, str] = {}
    if current:
        sql = "SELECT record_id, source_id FROM records WHERE record_id IN (SELECT unnest($ids))"
        source = dict(con.execute(sql, {"ids": current}).fetchall())
    out = [{**row, "recall": []} for row in rows]
    index = {(row["licence_id"], row["source_id"]): row for row in out}
    for e in refused:
        per_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in e["records"]:
            key = (r["licence_now"] or "(none)", source.get(r["current_id"], "(unknown)"))
            per_key.setdefault(key, []).append(r)
        head = {k: v for k, v in e.items() if k not in ("records", "refused_records", "reasons")}
        for key, records in per_key.items():
            if key not in index:
                known = cat.get(key[0]) is not None
                index[key] = {"licence_id": key[0], "source_id": key[1], "records": 0, "characters": 0}
                index[key] |= {"known": known, "recall": []}
                out.append(index[key])
            index[key]["recall"].append(
                {
                    **head,
                    "refused_records": len({r["record_id"] for r in records}),
                    "reasons": dict(sorted(Counter(r["code"] for r in records).items())),
                    "records": records,
                }
            )
    return out
