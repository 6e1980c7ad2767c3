"""Read-only audit queries over the catalogue.

Every function takes a connection the caller opened with :func:`provenance.db.connect_readonly`
and only reads. Results are plain dicts/lists (JSON-ready) for ``--json`` and tables.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from provenance import db, ledger
from provenance.anchors import Anchor, check_anchors
from provenance.batches import batch_event_sql, verify_batches
from provenance.crosscheck import CrossCheck, crosscheck
from provenance.db import run_readonly_sql
from provenance.errors import CatalogueError, UsageError
from provenance.holds import held_reason
from provenance.licence_recall import licence_refused
from provenance.licences import LicenceCatalogue, default_licence_catalogue, licence_today
from provenance.recall import recalled_items, removed_from_source, withdrawn_by
from provenance.sqlguard import SEALED_TABLES
from provenance.terms_seal import VaultTerms
from provenance.verdicts import has_members, members_as_events, verify_verdicts

#: tables the auditor's free SQL may never read (raw personal data, keys); the guard's own list
FORBIDDEN_TABLES: tuple[str, ...] = tuple(sorted(SEALED_TABLES))


def _iso(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _rows(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cols = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        item = {}
        for c, v in zip(cols, row, strict=True):
            if c in ("detail", "params", "counts", "metadata") and isinstance(v, str):
                v = json.loads(v)
            item[c] = _iso(v)
        out.append(item)
    return out


def _lit(value: str) -> str:
    """A SQL string literal (quotes doubled), for ids read from the catalogue itself.

    The lineage lookups inline such ids (literals let DuckDB prune the ledger's row groups, see
    :func:`provenance.batches.batch_event_sql`); what the user typed is bound as a parameter through
    :func:`provenance.db.execute`, which also keeps DuckDB from importing pandas to bind it.

    >>> _lit("it's")
    "'it''s'"
    """
    return "'" + str(value).replace("'", "''") + "'"


def require_provenance_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Raise a clear error when the catalogue predates migration 0002 (exports, withdrawals)."""
    from provenance.db import schema_version

    if schema_version(con) < 2:
        raise CatalogueError(
            "this catalogue has no exports/withdrawals tables yet (schema < 0002); open it once "
            "for writing to migrate it, e.g. `curate init`"
        )


def verify(con: duckdb.DuckDBPyConnection) -> ledger.VerifyResult:
    """Check the whole hash chain (see :func:`provenance.ledger.verify`), then every ingest batch
    event's member count and digest against the records table (:func:`provenance.batches.verify_batches`), and
    every verdict batch's against its members (:func:`provenance.verdicts.verify_verdicts`)."""
    result = ledger.verify(con)
    if not result.ok:
        return result
    for check in (verify_batches(con), verify_verdicts(con)):
        if not check.ok:
            return ledger.VerifyResult(
                False, result.checked, check.first_bad_seq, check.first_bad_event_id, check.reason
            )
    return result


@dataclass(slots=True)
class FullVerify:
    """What ``curate audit verify`` proves: the chain, the tables against it, and anchored heads."""

    chain: ledger.VerifyResult
    cross: CrossCheck
    head: tuple[int, str]
    anchors_checked: int = 0
    anchor_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.cross.ok and not self.anchor_problems

    def as_dict(self) -> dict[str, Any]:
        c = self.chain
        return {
            "ok": self.ok,
            "checked": c.checked,
            "first_bad_seq": c.first_bad_seq,
            "first_bad_event_id": c.first_bad_event_id,
            "reason": c.reason,
            "head": {"seq": self.head[0], "hash": self.head[1]},
            "crosscheck": self.cross.as_dict(),
            "anchors": {"checked": self.anchors_checked, "problems": self.anchor_problems},
        }


def verify_all(
    con: duckdb.DuckDBPyConnection,
    anchors: list[Anchor] | None = None,
    *,
    keyed_digest: Callable[[str], str] | None = None,
    vault_terms: VaultTerms | None = None,
) -> FullVerify:
    """Chain + cross-checks (:mod:`provenance.crosscheck`) + every anchor in ``anchors``.

    ``keyed_digest``, ``vault_terms``: see :func:`provenance.crosscheck.crosscheck` (both need the PII key)."""
    cross = crosscheck(con, keyed_digest=keyed_digest, vault_terms=vault_terms)
    res = FullVerify(chain=ledger.verify(con), cross=cross, head=ledger.head(con))
    if anchors is not None:
        res.anchors_checked = len(anchors)
        res.anchor_problems = check_anchors(con, anchors)
    return res


#: a record's row as ``audit record`` and the portal show it: ``r`` joined to its source ``s``, title and metadata
#: masked by the rule of ``curate sql`` (:func:`provenance.db.unchecked_masked`)
_RECORD_COLS = (
    f"r.record_id, r.doc_key, r.source_id, r.locator, {db.unchecked_masked('title')}, r.licence_id, r.version_of,"
    " r.status, r.stage, r.run_id, r.created_at, r.content_sha256, r.pii_state, r.lang, r.script,"
    f" length(r.text) AS characters, {db.unchecked_masked('metadata')}"
)


_VERSION_COLS = "record_id, version_of, stage, status, licence_id, pii_state, created_at, run_id"


def _lineage(
    con: duckdb.DuckDBPyConnection, record_id: str, doc_key: str
) -> tuple[list[tuple[str, int]], dict[str, dict[str, Any]]]:
    """``(record_id, depth)`` of every version in the chain (ancestors < 0, the record 0, derived > 0) and
    each version's row (``_VERSION_COLS``).

    ``records`` has no index (migration 0101), so the chain is read in sets, not one lookup per version:
    the versions of the record's ``doc_key`` in one scan (a new version inherits its parent's doc_key),
    then, until nothing new turns up, versions derived from the chain under another doc_key (one scan
    that normally finds none) and any ancestor outside the doc_key (one lookup each, rare).
    """
    rows = {
        r["record_id"]: r
        for r in _rows(con.execute(f"SELECT {_VERSION_COLS} FROM records WHERE doc_key = {_lit(doc_key)}"))
    }
    frontier = list(rows)
    while frontier:
        found = _rows(
            con.execute(
                f"SELECT {_VERSION_COLS} FROM records WHERE version_of IN (SELECT unnest($ids))"
                " AND doc_key IS DISTINCT FROM $dk",
                {"ids": frontier, "dk": doc_key},
            )
        )
        frontier = [r["record_id"] for r in found if r["record_id"] not in rows]
        rows.update((r["record_id"], r) for r in found)
    chain = [(record_id, 0)]
    seen = {record_id}
    cur, depth = record_id, 0
    while True:
        if cur not in rows:
            got = _rows(con.execute(f"SELECT {_VERSION_COLS} FROM records WHERE record_id = {_lit(cur)}"))
            if not got:
                break
            rows[cur] = got[0]
        parent = rows[cur]["version_of"]
        if parent is None or parent in seen:
            break
        depth -= 1
        chain.append((parent, depth))
        seen.add(parent)
        cur = parent
    children: dict[str, list[str]] = {}
    for rid, r in rows.items():
        if r["version_of"] is not None:
            children.setdefault(r["version_of"], []).append(rid)
    frontier, depth = [record_id], 0
    while frontier:
        depth += 1
        nxt = []
        for rid in frontier:
            for child in sorted(children.get(rid, ())):
                if child not in seen:
                    seen.add(child)
                    chain.append((child, depth))
                    nxt.append(child)
        frontier = nxt
    chain.sort(key=lambda x: (x[1], x[0]))
    return chain, {rid: rows[rid] for rid, _ in chain if rid in rows}


def export_not_found(export_id: str) -> UsageError:
    """The error for an export id or number that names no export (the portal gives it for one a bank may not see)."""
    return UsageError(f"export `{export_id}` not found; list exports with `curate audit exports`")


def record_report(con: duckdb.DuckDBPyConnection, record_id: str) -> dict[str, Any]:
    """Where a record came from, under which terms, what was done to it, which exports had it.

    Returns source (origin, kind), locator, licence, the version chain (ancestors and derived
    versions), every ledger event of the chain in ledger order, the stage marks (stages that
    checked a version and left it unchanged, e.g. hygiene or dedup) and every export that
    included any version. A few scans whatever the chain's length (records and ledger have no index on
    record_id: see :func:`_lineage`). The title and metadata of a ``pii_expected`` source's record that has not
    passed the PII stage read as NULL, as in ``curate sql`` (:func:`provenance.db.unchecked_masked`).
    """
    require_provenance_schema(con)
    rec = _rows(
        db.execute(
            con,
            f"SELECT {_RECORD_COLS} FROM records r LEFT JOIN sources s ON s.source_id = r.source_id"
            " WHERE r.record_id = ?",
            [record_id],
        )
    )
    if not rec:
        raise UsageError(f"record `{record_id}` is not in the catalogue; see `curate audit sql` or the portal")
    record = rec[0]
    source = _rows(
        con.execute(
            "SELECT source_id, kind, title, origin, licence_id, pii_expected, metadata"
            f" FROM sources WHERE source_id = {_lit(record['source_id'])}"
        )
    )
    chain, version_rows = _lineage(con, record_id, record["doc_key"])
    versions, events, exports = [], [], []
    export_rows: dict[str, list[dict[str, Any]]] = {}
    marks: list[dict[str, Any]] = []
    # every event of the chain in one scan of the ledger: the inner query reads only record_id and seq
    # (record ids are random, so no index or zone map helps; one scan instead of one per version)
    id_list = ", ".join(_lit(rid) for rid, _ in chain)
    events.extend(
        _rows(
            con.execute(
                "SELECT seq, event_id, record_id, stage, action, run_id, actor, created_at, detail"
                " FROM provenance_events WHERE seq IN"
                f" (SELECT seq FROM provenance_events WHERE record_id IN ({id_list}))"
            )
        )
    )
    if has_members(con):  # per-record verdicts written as members of a verdict batch (provenance.verdicts)
        cols = "seq, event_id, record_id, stage, action, run_id, actor, created_at, detail"
        events.extend(_rows(con.execute(f"SELECT {cols} FROM ({members_as_events(f'record_id IN ({id_list})')})")))
    # "checked, unchanged": stages that processed a version and left it as it was (one scan for the chain)
    chain_marks: dict[str, list[dict[str, Any]]] = {}
    for m in _rows(
        con.execute(
            "SELECT m.record_id, m.stage, m.outcome, m.config_hash, m.run_id, r.finished_at"
            f" FROM stage_marks m LEFT JOIN runs r USING (run_id) WHERE m.record_id IN ({id_list})"
            " ORDER BY r.finished_at NULLS LAST, m.stage"
        )
    ):
        chain_marks.setdefault(m["record_id"], []).append(m)
    for rid, depth in chain:
        v = [dict(version_rows[rid])] if rid in version_rows else []
        for x in v:
            run_id = x.pop("run_id")
            # a bulk-ingested version is covered by its batch's event (provenance.batches)
            if x["stage"] == "ingest" and run_id is not None and x["created_at"] is not None:
                ts = f"CAST({_lit(x['created_at'])} AS TIMESTAMP)"
                events.extend(_rows(con.execute(batch_event_sql(_lit(run_id), ts))))
        versions.extend({**x, "depth": depth} for x in v)
        marks.extend(chain_marks.get(rid, ()))
        for (eid,) in con.execute(f"SELECT export_id FROM export_items WHERE record_id = {_lit(rid)}").fetchall():
            if eid not in export_rows:
                export_rows[eid] = _rows(
                    con.execute(
                        "SELECT export_id, purpose, audience, commercial, created_at, out_dir FROM exports"
                        f" WHERE export_id = {_lit(eid)} ORDER BY export_seq"
                    )
                )
            exports.extend({**x, "record_id": rid} for x in export_rows[eid])
    events.sort(key=lambda e: e["seq"])
    exports.sort(key=lambda e: (e["created_at"], e["export_id"], e["record_id"]))
    derived = [v for v in versions if v["depth"] > 0]
    # issue 13: events written before `curate pii rekey` name the old ids; the old->new map is sealed
    # (pii_rekey_map), so they are counted here, not shown (showing them would hand out the mapping)
    before_rekey = 0
    if con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'pii_rekey_map'").fetchall()[0][0]:
        old_ids = [
            r[0] for r in con.execute(f"SELECT old_id FROM pii_rekey_map WHERE new_id IN ({id_list})").fetchall()
        ]
        if old_ids:  # a second ledger scan only for a chain that was rekeyed
            before_rekey = con.execute(
                "SELECT count(*) FROM provenance_events WHERE record_id IN (SELECT unnest($ids))", {"ids": old_ids}
            ).fetchall()[0][0]
    return {
        "record": record,
        "hold": held_reason(con, record_id),  # held from export while its file's manifest rows disagree
        "source": source[0] if source else None,
        "versions": versions,
        "derived": derived,
        "events": events,
        "events_before_rekey": before_rekey,
        "marks": marks,
        "exports": exports,
    }


def export_report(
    con: duckdb.DuckDBPyConnection, export_id: str, licence_catalogue: LicenceCatalogue | None = None
) -> dict[str, Any]:
    """An export's parameters, licence breakdown and blocked counts by reason; its records the licence rules of
    ``licence_catalogue`` (default: the shipped one) refuse now."""
    require_provenance_schema(con)
    runs = _rows(
        con.execute(
            "SELECT * FROM exports WHERE export_id = ? OR CAST(export_seq AS VARCHAR) = ? ORDER BY export_seq",
            [export_id, export_id],
        )
    )
    if not runs:
        raise export_not_found(export_id)
    eid = runs[0]["export_id"]
    # withdrawn since: items holding any version of a document withdrawn now (provenance.recall)
    licences = _rows(
        con.execute(
            "SELECT i.licence_id, r.source_id, count(*) AS records, sum(length(r.text)) AS characters,"
            " count(w.record_id) AS withdrawn_since FROM export_items i JOIN records r USING (record_id)"
            f" LEFT JOIN (SELECT DISTINCT record_id FROM ({recalled_items()}) WHERE export_id = $eid) w"
            " ON w.record_id = i.record_id WHERE i.export_id = $eid"
            " GROUP BY ALL ORDER BY i.licence_id, r.source_id",
            {"eid": eid},
        )
    )
    counts = runs[-1]["counts"] or {}
    for run in runs:
        run["overrides"] = export_overrides(con, run)
    return {
        "export_id": eid,
        "overrides": sorted({o for run in runs for o in run["overrides"]}),
        "runs": runs,
        "licences": licences,
        "blocked": counts.get("blocked", {}),
        "records": runs[-1]["records"],
        "blocked_total": runs[-1]["blocked"],
        # records whose document the licence rules refuse now for this export's use (a correction, a hold, a new rule)
        "licence_refused": [r for e in licence_refused(con, licence_catalogue, export_id=eid) for r in e["records"]],
    }


def export_overrides(con: duckdb.DuckDBPyConnection, run: dict[str, Any]) -> list[str]:
    """What an export run changed from the defaults an auditor assumes: licences evaluated at a past
    date (``--as-of``), a licence catalogue other than the shipped one, the looser PII gate."""
    out = []
    # the default `as_of` is the Taiwan date (licence_today): the UTC date of created_at missed an earlier Taiwan
    # date given between 00:00 and 08:00 there (created_at is naive UTC)
    at = run["created_at"]
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    created = licence_today(at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at).isoformat()
    if str(run["as_of"]) < created:
        out.append(f"--as-of {run['as_of']}: licences were evaluated at a past date (exported {created}, Taiwan date)")
    rows = con.execute(f"SELECT detail FROM provenance_events WHERE seq = {int(run['export_seq'])}").fetchall()
    detail = json.loads(rows[0][0]) if rows and rows[0][0] else {}
    cat = detail.get("licence_catalogue")
    if cat and not cat.get("shipped", True):
        out.append(f"--catalogue: a custom licence catalogue (sha256 {str(cat.get('sha256'))[:16]}…)")
    if (detail.get("params") or {}).get("pii_gate") not in (None, "all"):
        out.append(f"--pii-gate {detail['params']['pii_gate']}: the looser PII rule")
    return out


def licences_report(
    con: duckdb.DuckDBPyConnection, licence_catalogue: LicenceCatalogue | None = None
) -> list[dict[str, Any]]:
    """Active records and characters per licence per source, flagging licences not in the catalogue."""
    cat = licence_catalogue or default_licence_catalogue()
    rows = _rows(
        con.execute(
            "SELECT coalesce(licence_id, '(none)') AS licence_id, source_id, count(*) AS records,"
            " coalesce(sum(length(text)), 0) AS characters FROM records WHERE status = 'active'"
            " GROUP BY ALL ORDER BY licence_id, source_id"
        )
    )
    for r in rows:
        r["known"] = cat.get(r["licence_id"]) is not None
    return rows


def withdrawn_report(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Past exports that hold a version of a document withdrawn since (recipients must be told: an earlier
    version counts, :mod:`provenance.recall`), each with every folder it was written to (``out_dirs``: one export id
    can be written to several, and each copy must be recalled)."""
    require_provenance_schema(con)
    return _rows(
        con.execute(
            "SELECT e.export_id, min(e.created_at) AS exported_at, any_value(e.purpose) AS purpose,"
            " any_value(e.audience) AS audience, list(DISTINCT e.out_dir ORDER BY e.out_dir) AS out_dirs,"
            " count(DISTINCT i.record_id) AS withdrawn_records, list(DISTINCT r.source_id ORDER BY r.source_id) AS sources"
            f" FROM exports e JOIN ({recalled_items()}) i USING (export_id) JOIN records r USING (record_id)"
            " GROUP BY e.export_id ORDER BY exported_at, e.export_id"
        )
    )


def withdrawn_tasks(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Label Studio tasks of withdrawn records, of records removed from their source
    (:func:`provenance.recall.removed_from_source`), and tasks taken out because the licence gate no longer opens
    their document to the bank (:mod:`annotation.retract`), per instance, bank and project: ``deleted`` there,
    ``kept_annotated`` (annotated: delete them by hand) and ``not_taken_out`` yet (withdrawn and removed records only:
    the next `curate annotate push` or `pull` of the bank deletes them); ``on_server``: the task ids of the last two."""
    return _rows(
        con.execute(
            "SELECT t.instance, t.bank, t.project, count(*) FILTER (WHERE t.task_deleted) AS deleted,"
            " count(*) FILTER (WHERE t.retracted_at IS NOT NULL AND NOT t.task_deleted) AS kept_annotated,"
            " count(*) FILTER (WHERE t.retracted_at IS NULL) AS not_taken_out,"
            " coalesce(list(t.ls_task_id ORDER BY t.ls_task_id) FILTER (WHERE NOT coalesce(t.task_deleted, false)),"
            " []) AS on_server"
            " FROM annotation_tasks t JOIN records r USING (record_id)"
            " WHERE r.status = 'withdrawn' OR t.retracted_at IS NOT NULL"
            f" OR (t.superseded_by IS NULL AND r.status = 'superseded' AND {removed_from_source('r')})"
            " GROUP BY ALL ORDER BY t.instance, t.bank, t.project"
        )
    )


def withdrawn_records(con: duckdb.DuckDBPyConnection, export_id: str) -> list[str]:
    """Ids of an export's records that hold a version of a document withdrawn now (:mod:`provenance.recall`)."""
    return [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT record_id FROM ({recalled_items()}) WHERE export_id = ? ORDER BY 1", [export_id]
        ).fetchall()
    ]


def sql(db_path: str | Path, query: str) -> tuple[list[str], list[tuple]]:
    """Run one read-only query; refuses anything but one SELECT over readable tables (exit code 2)."""
    return run_readonly_sql(db_path, query)


def withdrawals_report(
    con: duckdb.DuckDBPyConnection, *, limit: int = 200, skip: int = 0, count: int | None = None
) -> list[dict[str, Any]]:
    """Each withdrawal (newest first; ``count`` of them after the newest ``skip``, all when None): scope, target,
    reason, when, by whom, the records it withdrew (up to ``limit`` each, from its ledger events) and the past
    exports that held any version of them (:mod:`provenance.recall`: one query per withdrawal)."""
    require_provenance_schema(con)
    rows = _rows(
        con.execute(
            "SELECT withdrawal_seq, scope, target, reason, records, created_at, actor FROM withdrawals"
            " ORDER BY withdrawal_seq DESC LIMIT $count OFFSET $skip",
            {"count": count, "skip": int(skip)},
        )
    )
    for w in rows:
        seq, n = w["withdrawal_seq"], w["records"]
        w["record_ids"] = [
            r[0]
            for r in con.execute(
                "SELECT record_id FROM provenance_events WHERE action = 'withdraw' AND seq BETWEEN ? AND ?"
                " ORDER BY seq LIMIT ?",
                [seq - n, seq - 1, limit],
            ).fetchall()
        ]
        w["exports"] = _rows(
            con.execute(
                "SELECT i.export_id, any_value(e.purpose) AS purpose, any_value(e.audience) AS audience,"
                " count(DISTINCT i.record_id) AS records, list(DISTINCT e.out_dir ORDER BY e.out_dir) AS out_dirs"
                f" FROM ({recalled_items(withdrawn_by(seq - n, seq - 1))}) i JOIN exports e USING (export_id)"
                " GROUP BY i.export_id ORDER BY 1"
            )
        )
    return rows


#: shortest record id prefix `audit record` accepts
MIN_PREFIX = 8


def resolve_record_id(con: duckdb.DuckDBPyConnection, ref: str) -> str:
    """A full record id from an id or an unambiguous prefix of at least 8 hex characters.

    An ambiguous prefix raises :class:`UsageError` listing the candidates (2, as every id the catalogue lacks).
    """
    import re

    ref = (ref or "").strip()
    if len(ref) == 64 or not re.fullmatch(r"[0-9a-fA-F]+", ref):
        return ref  # a full id, or not an id at all (the report says it is not in the catalogue)
    ref = ref.lower()
    if len(ref) < MIN_PREFIX:
        raise UsageError(f"record id prefix `{ref}` is too short; give at least {MIN_PREFIX} hex characters")
    found = [
        r[0]
        for r in db.execute(
            con, "SELECT record_id FROM records WHERE starts_with(record_id, ?) ORDER BY 1 LIMIT 21", [ref]
        ).fetchall()
    ]
    if not found:
        raise UsageError(f"no record id starts with `{ref}`; search with `curate audit sql` or the portal")
    if len(found) > 1:
        more = " ..." if len(found) > 20 else ""
        raise UsageError(
            f"record id prefix `{ref}` is ambiguous; candidates: {', '.join(found[:20])}{more}; give more characters"
        )
    return found[0]


def licence_permits(
    con: duckdb.DuckDBPyConnection, record_id: str, licence_catalogue: LicenceCatalogue | None = None
) -> dict[str, Any]:
    """What the record's licence permits now, by the export rule: per purpose and audience
    (non-commercial and commercial), plus a one-line summary."""
    from provenance.export import ExportParams, iter_verdicts
    from provenance.licences import PURPOSES

    cat = licence_catalogue or default_licence_catalogue()
    allowed: list[dict[str, Any]] = []
    reason = ""
    for purpose in PURPOSES:
        for audience in ("public", "consortium"):
            for commercial in (False, True):
                params = ExportParams(purpose=purpose, audience=audience, commercial=commercial)
                for rv in iter_verdicts(con, params, licence_catalogue=cat, record_ids=[record_id]):
                    allowed.append(
                        {"purpose": purpose, "audience": audience, "commercial": commercial, "ok": rv.verdict.ok}
                    )
                    if not rv.verdict.ok and not reason:
                        reason = f"{rv.verdict.code}: {rv.verdict.reason}"
    ok = [a for a in allowed if a["ok"]]
    if not allowed:
        summary = "not an export candidate (superseded or duplicate version)"
    elif not ok:
        summary = f"permits nothing now ({reason})"
    else:
        parts = []
        for purpose in PURPOSES:
            auds = sorted({a["audience"] for a in ok if a["purpose"] == purpose})
            if auds:
                com = any(a["commercial"] for a in ok if a["purpose"] == purpose)
                parts.append(f"{purpose} ({'/'.join(auds)}{', commercial' if com else ', non-commercial'})")
        summary = "permits " + "; ".join(parts)
    return {"summary": summary, "decisions": allowed}


def replaced_dirs(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Per export id, the folders it was written to that a later export of another id replaced (``--overwrite``):
    folder -> the export now there. Its copy there is gone (recipients who had it are still to be told).

    ``out_dirs`` keep naming such a folder: a recall is for every copy made."""
    require_provenance_schema(con)
    out: dict[str, dict[str, str]] = {}
    for export_id, out_dir, now in con.execute(
        "SELECT e.export_id, e.out_dir, l.now FROM (SELECT DISTINCT export_id, out_dir FROM exports) e JOIN"
        " (SELECT out_dir, arg_max(export_id, export_seq) AS now FROM exports WHERE out_dir IS NOT NULL"
        " GROUP BY out_dir) l USING (out_dir) WHERE l.now <> e.export_id ORDER BY 1, 2"
    ).fetchall():
        out.setdefault(export_id, {})[out_dir] = now
    return out


def exports_report(
    con: duckdb.DuckDBPyConnection, licence_catalogue: LicenceCatalogue | None = None
) -> list[dict[str, Any]]:
    """Every export (one row per export id, newest first), with how often it was written, every folder it was
    written to (``out_dirs``) and how many of its records the licence rules of ``licence_catalogue`` (default: the
    shipped one) refuse now for its use (``licence_refused``, :mod:`provenance.licence_recall`)."""
    require_provenance_schema(con)
    refused = {e["export_id"]: e["refused_records"] for e in licence_refused(con, licence_catalogue)}
    rows = _rows(
        con.execute(
            "SELECT export_id, min(created_at) AS created_at, any_value(purpose) AS purpose,"
            " any_value(audience) AS audience, bool_or(commercial) AS commercial, max(records) AS records,"
            " max(blocked) AS blocked, count(*) AS runs, list(DISTINCT out_dir ORDER BY out_dir) AS out_dirs"
            " FROM exports GROUP BY export_id ORDER BY min(export_seq) DESC"
        )
    )
    return [{**r, "licence_refused": refused.get(r["export_id"], 0)} for r in rows]
