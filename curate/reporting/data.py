"""What the curation report shows, read from the catalogue (read-only connection).

Every figure comes from the catalogue's own facts: records, the ledger's decisions (PII
entities, duplicates, normalise edits), ``run_stats``, quarantine, exports and the export
decision of :func:`provenance.export.preview`. No text of any record is read into the report.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb

from curate.catalogue_check import CatalogueCheck, check_catalogue
from curate.zh.ledger import edit_field, flag_field
from provenance import ledger
from provenance.db import require_schema
from provenance.dedup_release import current_duplicates, current_near_links
from provenance.licence_terms import refuse_bank_case
from provenance.records import PII_PASSED
from provenance.schema_check import require_unaltered

if TYPE_CHECKING:
    from provenance.licences import LicenceCatalogue


@dataclass
class ReportData:
    """Plain tables (lists of dicts) per section; JSON-ready."""

    overview: dict[str, Any] = field(default_factory=dict)
    by: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    funnel: list[dict[str, Any]] = field(default_factory=list)
    pii_entities: list[dict[str, Any]] = field(default_factory=list)
    dedup_sizes: list[dict[str, Any]] = field(default_factory=list)
    dedup_rules: list[dict[str, Any]] = field(default_factory=list)
    dedup_kept: list[dict[str, Any]] = field(default_factory=list)
    normalise_edits: list[dict[str, Any]] = field(default_factory=list)
    normalise_pairs: list[dict[str, Any]] = field(default_factory=list)
    normalise_flags: list[dict[str, Any]] = field(default_factory=list)
    hygiene_changes: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    exports: list[dict[str, Any]] = field(default_factory=list)
    stage_runs: list[dict[str, Any]] = field(default_factory=list)
    unfinished: list[dict[str, Any]] = field(default_factory=list)
    ledger: dict[str, Any] = field(default_factory=dict)


#: the oldest catalogue the report reads: the export rule of its funnel and its dedup figures read the near-duplicate
#: links (``records.near_duplicate_of``, migration 0027)
REPORT_SCHEMA = 27


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchone()[0]
    )


def _events(action: str) -> str:
    return f"(SELECT record_id, detail FROM provenance_events WHERE action = '{action}')"


def gather(
    con: duckdb.DuckDBPyConnection,
    *,
    purpose: str = "training",
    audience: str = "consortium",
    commercial: bool = False,
    check: CatalogueCheck | None = None,
    licence_catalogue: LicenceCatalogue | None = None,
) -> ReportData:
    """Everything the report shows; ``purpose``/``audience``/``commercial`` select the funnel's "exportable" step.

    The ledger section is what ``curate audit verify`` proves (:func:`curate.catalogue_check.check_catalogue`, run
    here unless the caller passes its ``check`` of this same catalogue), not the hash chain alone. The funnel's
    exportable step follows ``licence_catalogue`` (a corrected copy exports are made with; default: the shipped
    one)."""
    refuse_bank_case(audience, "report")  # `member:esun` counted public and consortium records: no export makes it
    require_schema(con, REPORT_SCHEMA, "`curate report`")
    require_unaltered(con)  # before any section reads a table that may be gone (one line, as `audit verify`)
    d = ReportData()
    total, active, sources = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE status = 'active'), count(DISTINCT source_id) FROM records"
    ).fetchone()
    d.overview = {"records": total, "active": active, "sources": sources}
    for name, col in (
        ("source", "source_id"),
        ("status", "status"),
        ("script", "coalesce(script, '(unknown)')"),
        ("licence", "coalesce(licence_id, '(none)')"),
        ("pii_state", "coalesce(pii_state, '(unchecked)')"),
    ):
        where = "" if name == "status" else "WHERE status = 'active'"
        d.by[name] = _dicts(
            con, f"SELECT {col} AS key, count(*) AS records FROM records {where} GROUP BY ALL ORDER BY 2 DESC, 1"
        )
    d.by["source_status"] = _dicts(
        con, "SELECT source_id, status, count(*) AS records FROM records GROUP BY ALL ORDER BY 1, 2"
    )
    d.funnel = _funnel(con, purpose, audience, commercial, licence_catalogue)
    d.pii_entities = _dicts(
        con,
        f"SELECT j.key AS entity, sum(CAST(j.value AS BIGINT)) AS count FROM {_events('pii_scrubbed')} e,"
        " json_each(e.detail, '$.entities') j GROUP BY ALL ORDER BY 2 DESC, 1",
    )
    # dedup as it stands now: duplicates and links a withdrawal or new version released are not counted
    dups, links = current_duplicates(con), current_near_links(con)
    d.dedup_sizes = _dicts(
        con,
        "SELECT size, count(*) AS clusters FROM (SELECT survivor, count(*) + 1 AS size"
        f" FROM ({dups}) GROUP BY survivor) GROUP BY ALL ORDER BY 1",
    )
    d.dedup_rules = _dicts(
        con,
        "SELECT coalesce(json_extract_string(detail, '$.rule'), '-') AS rule,"
        " coalesce(json_extract_string(detail, '$.match'), '-') AS match, count(*) AS duplicates"
        f" FROM ({dups}) GROUP BY ALL ORDER BY 3 DESC, 1",
    )
    d.dedup_kept = _dicts(
        con,
        "SELECT coalesce(json_extract_string(detail, '$.kept_by'), '-') AS policy, count(*) AS pairs"
        f" FROM ({links}) GROUP BY ALL ORDER BY 2 DESC",
    )
    d.normalise_edits = _dicts(
        con,
        f"SELECT kind, count(*) AS edits FROM (SELECT unnest({edit_field('by')}) AS kind"
        f" FROM {_events('normalise')}) GROUP BY ALL ORDER BY 2 DESC",
    )
    # the most frequent conversions, only short ones (characters and terms, never passages)
    d.normalise_pairs = _dicts(
        con,
        f"SELECT before, after, count(*) AS edits FROM (SELECT unnest({edit_field('before')}) AS before,"
        f" unnest({edit_field('after')}) AS after FROM {_events('normalise')})"
        " WHERE length(before) <= 6 GROUP BY ALL ORDER BY 3 DESC, 1 LIMIT 25",
    )
    d.normalise_flags = _dicts(
        con,
        f"SELECT reason, count(*) AS flags FROM (SELECT unnest({flag_field('reason')}) AS reason"
        f" FROM {_events('flag')}) GROUP BY ALL ORDER BY 2 DESC",
    )
    d.hygiene_changes = _dicts(
        con,
        "SELECT j.key AS change, sum(CAST(j.value AS BIGINT)) AS count"
        f" FROM {_events('rewrite')} e, json_each(e.detail, '$.changes') j GROUP BY ALL ORDER BY 2 DESC",
    )
    d.quarantine = _dicts(
        con,
        "SELECT coalesce(stage, '-') AS stage, coalesce(source_id, '-') AS source_id, reason, count(*) AS items,"
        " list(DISTINCT coalesce(locator, '-') ORDER BY coalesce(locator, '-'))[1:5] AS files"
        " FROM quarantine GROUP BY ALL ORDER BY items DESC, reason LIMIT 50",
    )
    d.exports = _exports(con)
    d.stage_runs = _stage_runs(con)
    # a run killed or failed half-way: the figures above hold part of its work (its records are not all through it).
    # Only the commands that commit in steps (a stage run's load batches, an ingest's batches): a failed export
    # discards its files and a rekey is one transaction, so nothing of theirs is in the figures (listed, they read
    # as a warning for good). A killed ingest is marked failed by the next ingest of its source, a new run that
    # reads it all again: once one has finished, the figures are whole
    d.unfinished = _dicts(
        con,
        "SELECT run_id, command, status, strftime(started_at, '%Y-%m-%d %H:%M') AS started FROM runs u"
        " WHERE status IN ('running', 'failed') AND (command LIKE 'run %' OR (command LIKE 'ingest %' AND NOT EXISTS"
        " (SELECT 1 FROM runs l WHERE l.command = u.command AND l.status = 'finished' AND l.started_at > u.started_at)))"
        " ORDER BY started_at, run_id",
    )
    check = check or check_catalogue(con)
    res = check.full.chain
    head = con.execute("SELECT seq, hash, created_at FROM provenance_events ORDER BY seq DESC LIMIT 1").fetchone()
    d.ledger = {
        "ok": check.ok,
        "checked": res.checked,
        "first_bad_seq": res.first_bad_seq,
        "reason": res.reason,
        "verify": check.summary(),
        "head_seq": head[0] if head else 0,
        "head_hash": head[1] if head else ledger.GENESIS,
        "head_at": str(head[2]) if head else None,
    }
    return d


def _funnel(
    con: duckdb.DuckDBPyConnection,
    purpose: str,
    audience: str,
    commercial: bool,
    licence_catalogue: LicenceCatalogue | None = None,
) -> list[dict[str, Any]]:
    """Logical items (doc_keys) that reached each step; exportable by the export rule itself."""
    from provenance.export import ExportParams, iter_verdicts

    def marked(stage: str) -> int:
        return con.execute(
            "SELECT count(DISTINCT r.doc_key) FROM stage_marks m JOIN records r USING (record_id) WHERE m.stage = ?",
            [stage],
        ).fetchone()[0]

    ingested = con.execute("SELECT count(DISTINCT doc_key) FROM records").fetchone()[0]
    pii = con.execute(
        "SELECT count(DISTINCT doc_key) FROM records WHERE list_contains(?, pii_state)", [list(PII_PASSED)]
    ).fetchone()[0]
    kept = con.execute(
        "SELECT count(DISTINCT r.doc_key) FROM stage_marks m JOIN records r USING (record_id)"
        " WHERE m.stage = 'dedup' AND r.doc_key NOT IN (SELECT doc_key FROM records WHERE status = 'duplicate')"
    ).fetchone()[0]
    n_export = len(
        {
            rv.doc_key
            for rv in iter_verdicts(
                con,
                ExportParams(purpose=purpose, audience=audience, commercial=commercial),
                licence_catalogue=licence_catalogue,
            )
            if rv.verdict.ok
        }
    )
    return [
        {"step": "ingested", "label": "匯入 ingested", "items": ingested},
        {"step": "hygiene", "label": "清理 hygiene", "items": marked("hygiene")},
        {"step": "pii", "label": "個資 pii", "items": pii},
        {"step": "normalise", "label": "正規化 normalise", "items": marked("normalise")},
        {"step": "dedup", "label": "去重 dedup (kept)", "items": kept},
        {
            "step": "exportable",
            "label": f"可匯出 exportable ({purpose}, {audience}, {'commercial' if commercial else 'non-commercial'})",
            "items": n_export,
        },
    ]


def _exports(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    if not _has(con, "exports"):
        return []
    out = []
    for row in _dicts(
        con,
        "SELECT export_id, export_seq, created_at, purpose, audience, commercial, format, records, blocked, counts,"
        " out_dir FROM exports ORDER BY export_seq",
    ):
        counts = row.pop("counts")
        counts = json.loads(counts) if isinstance(counts, str) else (counts or {})
        row["licences"] = counts.get("licences", {})
        row["blocked_by"] = counts.get("blocked", {})
        row["characters"] = counts.get("characters")
        row["created_at"] = str(row["created_at"])
        out.append(row)
    return out


def _stage_runs(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    if not _has(con, "run_stats"):
        return []
    return _dicts(
        con,
        "SELECT s.run_id, any_value(s.stage) AS stage, strftime(any_value(r.started_at), '%Y-%m-%d %H:%M') AS started,"
        " max(value) FILTER (WHERE metric = 'records' AND key = 'in') AS \"in\","
        " max(value) FILTER (WHERE metric = 'records' AND key = 'out') AS out,"
        " max(value) FILTER (WHERE metric = 'records' AND key = 'dropped') AS dropped,"
        " max(value) FILTER (WHERE metric = 'records' AND key = 'rewritten') AS rewritten,"
        " max(value) FILTER (WHERE metric = 'records' AND key = 'flagged') AS flagged,"
        " max(value) FILTER (WHERE metric = 'seconds' AND key = 'total') AS seconds"
        " FROM run_stats s JOIN runs r USING (run_id) GROUP BY s.run_id ORDER BY started, s.run_id",
    )


def chart_text(value: Any) -> str:
    """A label for a plotly figure, shown as the text it is: plotly renders its own subset of HTML in labels
    and hover text (links, styles, line breaks) and turns entities back into characters.

    >>> chart_text('<a href="https://x.example">ok</a> & <br>')
    '&lt;a href="https://x.example"&gt;ok&lt;/a&gt; &amp; &lt;br&gt;'
    """
    return html.escape(str(value), quote=False)
