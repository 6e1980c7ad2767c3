"""Statistics of runs: what each stage took in, put out, dropped, rewrote and flagged, and why.

The stage runner calls :func:`collect` inside its load transaction, while the run's results are
in the temporary table ``_res`` (see :mod:`curate.runner`); the rows go to ``run_stats``
(migration 0040), one number per ``(run, metric, key)``. :func:`run_summary` reads them back for
``curate runs show``, ``curate runs list`` and the curation report.

Counts come from the decisions themselves (the ``_res`` rows and their ledger details), so they
agree with the ledger by construction; no raw text is stored, only counts, kinds and types.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb

from curate.zh.ledger import edit_field, flag_field
from provenance import db

#: headline counts shown for every stage run (metric ``records``)
HEADLINE = ("in", "out", "dropped", "rewritten", "flagged")

_GENERIC = [
    "SELECT 'outcome', outcome, count(*) FROM _res WHERE outcome IS NOT NULL GROUP BY ALL",
    "SELECT 'action', action, count(*) FROM _res WHERE action IS NOT NULL GROUP BY ALL",
    "SELECT 'records', 'dropped', count(DISTINCT record_id) FROM _res WHERE set_status IS NOT NULL"
    " AND set_status <> 'active'",
    "SELECT 'records', 'flagged', count(DISTINCT record_id) FROM _res WHERE action = 'flag'",
    # the versions the run wrote (``records.run_id``), whatever ids the load gave them
    "SELECT 'bytes', 'out', coalesce(sum(strlen(n.text)), 0) FROM records n WHERE n.run_id = $run",
]

#: per-stage breakdowns over the results (``_res x``) and the input records (``records p``)
STAGE_QUERIES: dict[str, list[str]] = {
    "hygiene": [
        "SELECT 'change', j.key, sum(CAST(j.value AS BIGINT)) FROM _res x, json_each(x.detail, '$.changes') j"
        " WHERE x.action = 'rewrite' GROUP BY ALL",
    ],
    "pii": [
        "SELECT 'entity', j.key, sum(CAST(j.value AS BIGINT)) FROM _res x, json_each(x.detail, '$.entities') j"
        " WHERE x.action = 'pii_scrubbed' GROUP BY ALL",
        "SELECT 'entity_by_source', p.source_id || ' ' || j.key, sum(CAST(j.value AS BIGINT))"
        " FROM _res x JOIN records p ON p.record_id = x.record_id, json_each(x.detail, '$.entities') j"
        " WHERE x.action = 'pii_scrubbed' GROUP BY ALL",
        "SELECT 'pii_state', set_pii_state, count(*) FROM _res WHERE set_pii_state IS NOT NULL GROUP BY ALL",
    ],
    "normalise": [
        f"SELECT 'edit', kind, count(*) FROM (SELECT unnest({edit_field('by')}) AS kind FROM _res"
        " WHERE action = 'normalise') GROUP BY ALL",
        f"SELECT 'flag', reason, count(*) FROM (SELECT unnest({flag_field('reason')}) AS reason FROM _res"
        " WHERE action = 'flag') GROUP BY ALL",
        "SELECT 'script', json_extract_string(detail, '$.script'), count(*) FROM _res"
        " WHERE action IN ('normalise', 'script_detected', 'detect') GROUP BY ALL",
    ],
    "dedup": [
        "SELECT 'rule', coalesce(json_extract_string(detail, '$.rule'), '-'), count(*) FROM _res"
        " WHERE action = 'duplicate_of' GROUP BY ALL",
        "SELECT 'match', coalesce(json_extract_string(detail, '$.match'), '-'), count(*) FROM _res"
        " WHERE action = 'duplicate_of' GROUP BY ALL",
        "SELECT 'kept_by_policy', coalesce(json_extract_string(detail, '$.kept_by'), '-'), count(*) FROM _res"
        " WHERE action = 'near_duplicate_of' GROUP BY ALL",
        "SELECT 'cluster_size', CAST(size AS VARCHAR), count(*) FROM (SELECT json_extract_string(detail,"
        " '$.survivor') AS s, count(*) + 1 AS size FROM _res WHERE action = 'duplicate_of' GROUP BY s) GROUP BY ALL",
    ],
}


def _name_pass_queries() -> list[str]:
    """The PII stage's source-wide name pass (:func:`curate.pii.source_names.propagate_source_names`) writes versions
    and events after the load's batches, outside ``_res``: its entities and actions are added from its events, and a
    record of the run's input that a batch found clean and the pass scrubbed moves from its outcome and state to
    ``scrubbed`` and ``raw`` (its parent's state, as for a record a batch scrubbed), so the figures are the
    catalogue's. ``name_pass``: its versions, and those of records from earlier runs (no input of this run)."""
    from curate.pii.source_names import NAME_PASS_EVENTS as P

    entities = "json_each(e.detail, '$.entities') j"
    moved = f"FROM ({P}) e JOIN _res x ON x.record_id = e.record_id WHERE x.outcome IS DISTINCT FROM 'scrubbed'"
    return [
        f"SELECT 'entity', j.key, sum(CAST(j.value AS BIGINT)) FROM ({P}) e, {entities} GROUP BY ALL",
        "SELECT 'entity_by_source', p.source_id || ' ' || j.key, sum(CAST(j.value AS BIGINT))"
        f" FROM ({P}) e JOIN records p ON p.record_id = e.record_id, {entities} GROUP BY ALL",
        f"SELECT 'action', 'pii_scrubbed', count(*) FROM ({P}) HAVING count(*) > 0",
        f"SELECT 'outcome', x.outcome, -count(*) {moved} AND x.outcome IS NOT NULL GROUP BY ALL",
        f"SELECT 'outcome', 'scrubbed', count(*) {moved} AND x.outcome IS NOT NULL HAVING count(*) > 0",
        f"SELECT 'pii_state', x.set_pii_state, -count(*) {moved} AND x.set_pii_state IS NOT NULL GROUP BY ALL",
        f"SELECT 'pii_state', 'raw', count(*) {moved} AND x.set_pii_state IS NOT NULL HAVING count(*) > 0",
        f"SELECT 'name_pass', 'versions', count(*) FROM ({P}) HAVING count(*) > 0",
        f"SELECT 'name_pass', 'records_of_earlier_runs', count(*) FROM ({P}) e WHERE e.record_id NOT IN"
        " (SELECT record_id FROM _res) AND e.record_id NOT IN (SELECT new_id FROM _res WHERE new_id IS NOT NULL)"
        " HAVING count(*) > 0",
    ]


def collect(
    con: duckdb.DuckDBPyConnection,
    stage: str,
    run_id: str,
    *,
    inputs: int,
    bytes_in: int,
    counts: Mapping[str, int],
    seconds: Mapping[str, float],
    extra: Mapping[str, Mapping[str, float]] | None = None,
    stale: int = 0,
) -> int:
    """Compute and store the statistics of one stage run (inside the runner's load transaction).

    ``counts`` are the runner's load counts (``new_versions``, ``events``, ``results``); ``extra`` is
    what the stage reported itself (:meth:`curate.stages.base.Stage.run_statistics`); ``stale``: the records of
    the input whose results the load left out (their record changed after the snapshot), already out of ``_res``:
    ``in`` counts what was loaded, and ``stale`` says how many were not. Returns rows written.
    """
    rows: dict[tuple[str, str], float] = {}
    extra_queries = _name_pass_queries() if stage == "pii" else []
    for sql in [*_GENERIC, *STAGE_QUERIES.get(stage, []), *extra_queries]:
        params = {"run": run_id} if "$run" in sql else {}
        for metric, key, value in con.execute(sql, params).fetchall():
            if key is not None and value is not None:  # summed: the name pass adds to the batches' figures
                rows[(metric, str(key))] = rows.get((metric, str(key)), 0.0) + float(value)
    dropped = int(rows.get(("records", "dropped"), 0))
    rows[("records", "in")] = inputs - stale
    rows[("records", "out")] = max(inputs - stale - dropped, 0)
    if stale:
        rows[("records", "stale")] = stale
    rows[("records", "rewritten")] = counts.get("new_versions", 0)
    rows[("records", "events")] = counts.get("events", 0)
    rows[("records", "results")] = counts.get("results", 0)
    rows[("bytes", "in")] = bytes_in
    for k, v in seconds.items():
        rows[("seconds", k)] = round(float(v), 3)
    for metric, values in (extra or {}).items():
        for k, v in values.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                rows[(metric, str(k))] = float(v)
    return store(con, run_id, stage, ((m, k, v) for (m, k), v in rows.items()))


def store(con: duckdb.DuckDBPyConnection, run_id: str, stage: str, rows: Iterable[tuple[str, str, float]]) -> int:
    """Write ``(metric, key, value)`` rows of a run, replacing earlier ones of the same keys."""
    data = [(run_id, stage, m, k, float(v)) for m, k, v in rows]
    if data:
        con.executemany("INSERT OR REPLACE INTO run_stats VALUES (?, ?, ?, ?, ?)", data)
    return len(data)


@dataclass
class RunSummary:
    """One run as ``curate runs show`` prints it."""

    run: dict[str, Any]
    stage: str | None
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    quarantine: list[dict[str, Any]] = field(default_factory=list)

    def headline(self) -> dict[str, float]:
        """The headline counts, and how many records' results the load left out as stale when it left any."""
        rec = self.metrics.get("records", {})
        return {k: rec[k] for k in (*HEADLINE, "stale") if k in rec}


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        db.execute(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()[0]
    )


def resolve_run(con: duckdb.DuckDBPyConnection, run: str) -> str:
    """A full run id from an id or an unambiguous prefix (``latest`` = the newest run); an id that names no run, or
    several, is a usage error (exit 2)."""
    from provenance.errors import CatalogueError, UsageError

    if run == "latest":
        row = con.execute("SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
        if not row:
            raise CatalogueError("the catalogue has no runs yet; start one with `curate ingest` or `curate run`")
        return row[0]
    found = [
        r[0] for r in db.execute(con, "SELECT run_id FROM runs WHERE starts_with(run_id, ?) LIMIT 11", [run]).fetchall()
    ]
    if run in found:
        return run
    if not found:
        raise UsageError(f"run `{run}` not found; list runs with `curate runs list`")
    if len(found) > 1:
        shown = ", ".join(found[:10]) + (" ..." if len(found) > 10 else "")
        raise UsageError(f"run prefix `{run}` is ambiguous: {shown}; give more characters")
    return found[0]


def run_summary(con: duckdb.DuckDBPyConnection, run: str) -> RunSummary:
    """The run row, its statistics by metric and its quarantine reasons with file names."""
    run_id = resolve_run(con, run)
    cur = db.execute(con, "SELECT * FROM runs WHERE run_id = ?", [run_id])
    cols = [d[0] for d in cur.description]
    row = dict(zip(cols, cur.fetchone(), strict=True))
    metrics: dict[str, dict[str, float]] = {}
    stage = None
    if _has_table(con, "run_stats"):
        for st, metric, key, value in db.execute(
            con,
            "SELECT stage, metric, key, value FROM run_stats WHERE run_id = ? ORDER BY metric, value DESC, key",
            [run_id],
        ).fetchall():
            stage = st
            metrics.setdefault(metric, {})[key] = value
    quarantine = [
        {"reason": r, "locator": loc, "items": n}
        for r, loc, n in db.execute(
            con,
            "SELECT reason, coalesce(locator, '-'), count(*) FROM quarantine WHERE run_id = ?"
            " GROUP BY ALL ORDER BY 3 DESC, 1, 2 LIMIT 200",
            [run_id],
        ).fetchall()
    ]
    if stage is None:
        cmd = row.get("command") or ""
        stage = cmd.split(" ", 1)[1] if cmd.startswith("run ") else None
    return RunSummary(run=row, stage=stage, metrics=metrics, quarantine=quarantine)


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[tuple]:
    """``(run_id, command, status, started, finished)`` of the newest ``limit`` runs."""
    return db.execute(
        con,
        "SELECT run_id, command, status, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started,"
        " strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished FROM runs ORDER BY started_at DESC LIMIT ?",
        [limit],
    ).fetchall()


def headlines(con: duckdb.DuckDBPyConnection, run_ids: Iterable[str]) -> dict[str, dict[str, float]]:
    """``{run_id: {in, out, dropped, rewritten, flagged, seconds}}`` for the runs that have statistics."""
    ids = list(run_ids)
    if not ids or not _has_table(con, "run_stats"):
        return {}
    out: dict[str, dict[str, float]] = {}
    for run_id, metric, key, value in db.execute(
        con,
        "SELECT run_id, metric, key, value FROM run_stats WHERE list_contains(?, run_id)"
        " AND ((metric = 'records' AND list_contains(?, key)) OR (metric = 'seconds' AND key = 'total'))",
        [ids, list(HEADLINE)],
    ).fetchall():
        out.setdefault(run_id, {})["seconds" if metric == "seconds" else key] = value
    return out


def fmt_number(value: float) -> str:
    """``12`` for whole numbers, ``1.25`` otherwise.

    >>> fmt_number(3.0), fmt_number(0.125)
    ('3', '0.125')
    """
    return str(int(value)) if float(value).is_integer() else f"{value:.3g}"


def summary_lines(summary: RunSummary, *, quarantine: bool = True) -> list[str]:
    """The short end-of-run table: headline counts, then each breakdown sorted by size."""
    lines = []
    head = summary.headline()
    if head:
        lines.append("  ".join(f"{k} {fmt_number(v)}" for k, v in head.items()))
    secs = summary.metrics.get("seconds", {})
    if secs:
        order = ["snapshot", "execute", "finalize", "load", "total"]
        keys = sorted(secs, key=lambda k: (order.index(k) if k in order else len(order), k))
        lines.append("seconds: " + "  ".join(f"{k} {secs[k]:.2f}" for k in keys))
    by = summary.metrics.get("bytes", {})
    if by:
        lines.append("bytes: " + "  ".join(f"{k} {fmt_number(v)}" for k, v in by.items()))
    for metric, values in summary.metrics.items():
        if metric in ("records", "seconds", "bytes"):
            continue
        items = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
        lines.append(f"{metric}: " + ", ".join(f"{k} {fmt_number(v)}" for k, v in items))
    if quarantine and summary.quarantine:
        lines.append(
            "quarantine: " + ", ".join(f"{q['reason']} ({q['locator']}) {q['items']}" for q in summary.quarantine)
        )
    return lines


def stale_note(counts: Mapping[str, Any]) -> str:
    """The run line's note on results left out because their record changed after the snapshot (``curate.load``)."""
    n = int(counts.get("stale") or 0)
    if not n:
        return ""
    return (
        f"; {n} results left out: their record changed after the run's snapshot"
        " (a next run of the stage takes the current versions)"
    )
