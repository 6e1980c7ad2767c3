"""Loading a stage run's results into the catalogue, in bounded batches that each commit.

The results of a run are its ranks' files ``results/NNNNN.parquet`` and ``results/final.parquet``
(:mod:`curate.runner`), in ``ord`` order: the files sorted by name, rows in file order. They are
read back in batches of :func:`batch_rows` rows (``CURATE_LOAD_BATCH``, default :data:`LOAD_BATCH`; a
record's results are never cut between two batches, :func:`result_batches`); each batch is one transaction that applies its decisions (new versions, status
changes, ledger events, verdict batches (:mod:`provenance.verdicts`), stage marks, :meth:`Stage.after_batch`) and records itself in
``run_load_batches`` (migration 0070). So the load's memory is bounded by the batch, not by the run.

Then :meth:`Stage.after_batches` runs whole-run work that commits in steps of its own (the PII
stage's scrub of a source's labelled names, a transaction per batch's worth of new versions), and
one last transaction runs what must commit with the run's end: :meth:`Stage.after_load` (dedup's
index update, the PII stage's new source names), the statistics (:mod:`curate.stats`) and the
run's end. Both see ``_res`` as a view over the run's result files (DuckDB streams them per query;
nothing is held per result), so their memory does not grow with the run either.

A run killed at any point resumes to the same catalogue: each file is loaded in order, so what
``run_load_batches`` lists of a file is a prefix of its rows (:func:`loaded_rows`); the resumed load
goes on after it (whatever ``CURATE_LOAD_BATCH`` is now: a batch's id is ``<file>:<first row>``), a
batch that was interrupted rolled back as a whole, and ``after_batches`` is called again (it is idempotent).
Counts are summed from ``run_load_batches``, so a resumed run reports the same counts as an
uninterrupted one.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from curate.faults import fault
from curate.stages.base import Stage
from curate.workfiles import RunKey, drop_run_key, unsigned
from provenance import db, ledger, runs, verdicts
from provenance.dedup_release import release_superseded
from provenance.envsettings import env_int
from provenance.errors import StageError
from provenance.records import insert_versions, version_row_sql, version_seal
from provenance.withdraw import hold_withdrawn_versions

#: result rows per load batch (one transaction each); ``CURATE_LOAD_BATCH`` overrides it
LOAD_BATCH = 50_000
#: ledger events appended per page while loading a batch (Python objects per event live for one page)
EVENT_PAGE = 5_000
COUNTS = ("results", "new_versions", "status_changes", "events")


def batch_rows() -> int:
    """Rows per load batch: ``CURATE_LOAD_BATCH`` if set, else :data:`LOAD_BATCH`."""
    return env_int("CURATE_LOAD_BATCH", LOAD_BATCH, unit="rows")


def result_batches(path: Path, rows: int, start: int = 0) -> Iterator[tuple[str, pa.Table]]:
    """``(batch id, rows)`` of one results file from row ``start`` on, about ``rows`` rows each.

    A batch's id is ``<file>:<first row>``. The rows before ``start`` are the ones already loaded
    (:func:`loaded_rows`): a resumed load goes on from there whatever ``rows`` is now, so changing
    ``CURATE_LOAD_BATCH`` between a kill and the resume neither skips nor repeats a result.

    A record's results (a rank writes them one after the other) are never cut between two batches: the results of
    a batch's last record wait for the next batch (:func:`_cut`; so a batch before a file's last may hold a few rows
    fewer than ``rows``). Cut, the record's first result (normalise's
    new version) superseded it in one batch, and the next batch took its other results (normalise's ``flag``)
    for a record changed after the snapshot and dropped them (:func:`_drop_stale`). Since every batch ends
    after a record's last result, so does every loaded prefix, and a resume starts at a record's first."""
    pos, pending = 0, None  # pending: rows read but not yet yielded (the trailing record's results)
    with pq.ParquetFile(path, pre_buffer=False) as pf:  # no read-ahead cache held until the file closes
        total = pf.metadata.num_rows
        for batch in pf.iter_batches(batch_size=rows):
            n = batch.num_rows
            if pos + n > start:
                cut = max(0, start - pos)
                table = pa.Table.from_batches([batch.slice(cut)])
                if pending is None:
                    first, pending = pos + cut, table
                else:
                    pending = pa.concat_tables([pending, table])
                end = pending.num_rows if pos + n == total else _cut(pending)  # the file's end ends every record
                if end:
                    yield f"{path.name}:{first}", pending.slice(0, end)
                    first, pending = first + end, pending.slice(end)
            pos += n


def _cut(table: pa.Table) -> int:
    """Rows of ``table`` before its last record's results (which may go on in the next rows); 0 if only that."""
    ids = table.column("record_id")
    last = ids[-1]
    differs = pc.not_equal(ids, last).to_numpy(zero_copy_only=False)
    where = differs.nonzero()[0]
    return int(where[-1]) + 1 if len(where) else 0


def loaded_rows(con, run_id: str) -> dict[str, int]:
    """``{results file name: rows loaded}`` of a run: each file is loaded in order, so its loaded rows are a prefix.

    Batches are counted by their ``results`` (the rows of the batch), so ids of either form (``<file>:<first row>``,
    or ``<file>:<batch number>`` of catalogues before 2026-12-04, cut by the then ``CURATE_LOAD_BATCH``) add up."""
    rows = con.execute(
        "SELECT split_part(batch, ':', 1), sum(results) FROM run_load_batches WHERE run_id = ? GROUP BY 1", [run_id]
    ).fetchall()
    return {name: int(n) for name, n in rows}


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def load_results(
    con,
    stage: Stage,
    run_id: str,
    cfg_hash: str,
    res_dir: Path,
    stats_args: dict[str, Any] | None = None,
    key: RunKey | None = None,
) -> dict[str, int]:
    """Load the run's results batch by batch, then finish the run (see the module docstring).

    Every results file must carry this run's MAC (:mod:`curate.workfiles`); one that does not was
    not written by the run's workers and nothing (more) is loaded.
    """
    t_load = time.monotonic()
    c_load = _cpu()
    if key is not None:
        bad = unsigned(res_dir, key)
        if bad:
            raise StageError(
                f"stage `{stage.name}`: results in {res_dir} were not written by run {run_id}'s workers: "
                f"{', '.join(bad[:5])}; nothing was loaded. Remove those files, or `curate runs abandon {run_id}`"
            )
    files = sorted(res_dir.glob("*.parquet"))
    loaded = loaded_rows(con, run_id)
    n = _n_batches(con, run_id)  # the batch's position in the run's load (what the crash-test kill points name)
    for path in files:
        for batch_id, table in result_batches(path, batch_rows(), loaded.get(path.name, 0)):
            with db.transaction(con):
                counts = _apply_batch(con, stage, run_id, cfg_hash, table)
                fault(f"mid_batch_{n}")
                con.execute(
                    "INSERT INTO run_load_batches (run_id, batch, results, new_versions, status_changes, events)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [run_id, batch_id, *(counts[c] for c in COUNTS)],
                )
                if counts["stale"]:
                    con.execute("INSERT INTO run_load_stale VALUES (?, ?, ?)", [run_id, batch_id, counts["stale"]])
            del table
            fault(f"after_batch_{n}")
            n += 1
    # the whole run's results for after_batches, after_load and the statistics (a view: DuckDB streams the
    # files per query), without the new texts (they are in `records` now)
    _run_results_view(con, files)
    stage.after_batches(con, run_id, batch_rows())  # commits in steps of its own; a resumed run calls it again
    fault("before_last_transaction")
    with db.transaction(con):
        row = con.execute(
            "SELECT " + ", ".join(f"coalesce(sum({c}), 0)" for c in COUNTS) + " FROM run_load_batches WHERE run_id = ?",
            [run_id],
        ).fetchone()
        counts = dict(zip(COUNTS, (int(v) for v in row), strict=True))
        for k, v in stage.after_batches_counts(con, run_id).items():  # e.g. the PII name pass's versions
            counts[k] += v
        stale = con.execute("SELECT coalesce(sum(stale), 0) FROM run_load_stale WHERE run_id = ?", [run_id]).fetchone()
        if stale[0]:
            counts["stale"] = int(stale[0])
        stage.after_load(con, run_id)
        if stats_args is not None:
            from curate import stats

            stale_records = _without_stale(con, files, run_id)

            seconds = dict(stats_args["seconds"])
            seconds["load"] = time.monotonic() - t_load
            seconds["total"] = time.monotonic() - stats_args["started"]
            cpu = dict(stats_args.get("cpu") or {})
            cpu["load"] = _cpu() - c_load
            extra = {
                **stage.run_statistics(),
                "cpu_seconds": cpu,
                "load": {"batches": _n_batches(con, run_id), "batch_rows": batch_rows()},
            }
            from curate.snapshot import snapshot_pii_waiting

            # the records it left to the PII stage (dedup before pii): in the run's record, not only a printed line;
            # counted with its snapshot (a resumed run's may be days old)
            if waiting := snapshot_pii_waiting(con, stage, res_dir.parent / "snapshot"):
                extra["records"] = {"pii_waiting": waiting}
            stats.collect(
                con,
                stage.name,
                run_id,
                inputs=stats_args["inputs"],
                bytes_in=stats_args["bytes_in"],
                counts=counts,
                seconds=seconds,
                extra=extra,
                stale=stale_records,
            )
        con.execute("DELETE FROM run_load_stale_records WHERE run_id = ?", [run_id])
        fault("during_load")
        runs.finish_run(con, run_id, "finished", counts)
        drop_run_key(con, run_id)
        con.execute("DROP VIEW IF EXISTS _res")
    fault("after_load")  # crash tests: the last transaction committed (the run finished), the runner not yet told
    return counts


def _n_batches(con, run_id: str) -> int:
    return con.execute("SELECT count(*) FROM run_load_batches WHERE run_id = ?", [run_id]).fetchone()[0]


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _run_results_view(con, files: list[Path]) -> None:
    """``_res`` as a view over all of the run's result files, for :meth:`Stage.after_load` and the statistics.

    A view, not a table: DuckDB streams the signed files for each query, so the run's last transaction
    holds nothing per result (a temp table of a 1M-record run's results and their details was the largest
    part of its memory). The new texts are left out (they are in ``records`` now); ids are the files' own
    (versions whose id the load keyed are found by ``records.run_id``)."""
    con.execute("DROP TABLE IF EXISTS _res")  # a batch's
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _res AS SELECT * REPLACE (CAST(NULL AS VARCHAR) AS new_text)"
        f" FROM read_parquet({_sql_list(files)}, union_by_name = true)"
    )


def _without_stale(con, files: list[Path], run_id: str) -> int:
    """``_res`` without the results of the records the batches left out as stale, so that the statistics count
    what was loaded; returns how many records that left out."""
    n = con.execute("SELECT count(DISTINCT record_id) FROM run_load_stale_records WHERE run_id = ?", [run_id])
    n = n.fetchone()[0]
    if n:
        run = run_id.replace("'", "''")
        con.execute(
            "CREATE OR REPLACE TEMP VIEW _res AS SELECT * REPLACE (CAST(NULL AS VARCHAR) AS new_text)"
            f" FROM read_parquet({_sql_list(files)}, union_by_name = true) WHERE record_id NOT IN"
            f" (SELECT record_id FROM run_load_stale_records WHERE run_id = '{run}')"
        )
    return int(n)


def _apply_batch(con, stage: Stage, run_id: str, cfg_hash: str, table: pa.Table) -> dict[str, int]:
    """Apply one batch of results (inside the caller's transaction); returns its counts.

    ``_res`` holds the batch in ``ord`` order, with keyed ids and digests where versions derived before the PII
    stage need them (issue 13)."""
    from curate.pii.keyed_ids import key_pre_pii_results

    # the batch's texts are freed once in _res, not at the commit. A batch is a run of one results file's rows, which
    # its writer numbered in order (`ord`), and DuckDB keeps a scan's order (preserve_insertion_order): no sort
    with db.arrow_scan(con, "_res_in", table):
        con.execute("CREATE OR REPLACE TEMP TABLE _res AS SELECT * FROM _res_in")
    # where the batch's records lie in `records` (row positions, stable inside this transaction): the statements
    # below read and update only those row groups, and the new versions after `start`, instead of every row group
    # of the catalogue (a batch's records are a run of one rank's snapshot shard, in the table's order)
    lo, hi = _locate(con, "row" in table.schema.names)
    start = con.execute("SELECT count(*) FROM records").fetchone()[0]
    n_stale = _drop_stale(con, stage, run_id)
    keyed = key_pre_pii_results(con, stage.name, within=(lo, hi))
    con.execute("""
        CREATE OR REPLACE TEMP VIEW _res_versions AS
        SELECT x.new_id AS record_id, x.record_id AS parent_id, x.new_text AS text, x.k_sha AS content_sha256,
               json_extract_string(x.fields, '$.title') AS title, json_extract_string(x.fields, '$.lang') AS lang,
               json_extract_string(x.fields, '$.script') AS script,
               json_extract_string(x.fields, '$.licence_id') AS licence_id,
               json_extract(x.fields, '$.metadata') AS metadata,
               json_extract_string(x.fields, '$.pii_state') AS pii_state
        FROM _res x WHERE x.new_text IS NOT NULL""")  # changed texts only (Stage._emit); parents: insert_versions
    n_versions = insert_versions(
        con, "_res_versions", run_id=run_id, stage=stage.name, parents_within=(lo, hi), terms_digest=keyed
    )
    within = "records.rowid BETWEEN $lo AND $hi"
    bounds = {"lo": lo, "hi": hi}
    con.execute(
        f"""UPDATE records SET status = 'superseded' WHERE status = 'active' AND {within} AND record_id IN (
                SELECT x.record_id FROM _res x JOIN (SELECT * FROM records WHERE rowid >= $start) n
                ON n.record_id = x.new_id WHERE n.version_of = x.record_id)""",
        {**bounds, "start": start},
    )
    n_status = con.execute(
        f"""UPDATE records SET status = x.set_status FROM _res x
            WHERE {within} AND records.record_id = x.record_id AND x.set_status IS NOT NULL
              AND records.status IS DISTINCT FROM x.set_status
              AND records.status <> 'withdrawn'""",  # withdrawn after the snapshot: it stays withdrawn
        bounds,
    ).fetchone()[0]
    con.execute(
        f"""UPDATE records SET pii_state = x.set_pii_state FROM _res x
            WHERE {within} AND records.record_id = x.record_id AND x.set_pii_state IS NOT NULL""",
        bounds,
    )
    con.execute(
        f"""UPDATE records SET script = x.set_script FROM _res x
            WHERE {within} AND records.record_id = x.record_id AND x.set_script IS NOT NULL
              AND records.script IS DISTINCT FROM x.set_script""",
        bounds,
    )
    # per-record verdicts that leave the text as it is: one verdict batch per action (provenance.verdicts)
    n_events, as_verdict = 0, ["FALSE"]
    for action, column in stage.verdicts.items():
        cond = f"x.action = '{action}' AND x.new_id IS NULL AND x.{column} IS NOT NULL"
        rows = f"SELECT x.ord AS pos, x.record_id, x.{column} AS verdict, x.detail FROM _res x WHERE {cond}"
        n_events += bool(verdicts.append_batch(con, stage=stage.name, action=action, run_id=run_id, rows_sql=rows))
        as_verdict.append(f"({cond})")
    # the other events in bounded pages, in result order
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _res_ev AS
           SELECT row_number() OVER (ORDER BY x.ord) AS _n, x.record_id, x.action, x.detail, x.new_id,
                  (n.record_id IS NOT NULL) AS created, n.content_sha256, n.licence_id, n.row_sha
           FROM _res x LEFT JOIN (SELECT r.record_id, r.content_sha256, r.licence_id,
                                         sha256({version_row_sql("r")}) AS row_sha FROM records r
                                  WHERE r.rowid >= $start AND r.run_id = $run) n ON n.record_id = x.new_id
           WHERE x.action IS NOT NULL AND NOT ({" OR ".join(as_verdict)})""",
        {"run": run_id, "start": start},
    )
    n_ev = con.execute("SELECT count(*) FROM _res_ev").fetchall()[0][0]
    for lo in range(0, n_ev, EVENT_PAGE):
        rows = con.execute(
            "SELECT record_id, action, detail, new_id, created, content_sha256, licence_id, row_sha FROM _res_ev"
            f" WHERE _n > {lo} AND _n <= {lo + EVENT_PAGE} ORDER BY _n"
        ).fetchall()
        events = []
        for rid, action, detail, new_id, created, digest, licence, row_sha in rows:
            # the workers wrote the detail as canonical JSON already: parsed again only to add the seal
            d: dict[str, Any] | str = detail or "{}"
            if new_id and created:
                d = json.loads(detail) if detail else {}
                d.update(version_seal(new_id, digest, licence, row_sha))
            events.append(ledger.Event(stage=stage.name, action=action, record_id=rid, run_id=run_id, detail=d))
        n_events += ledger.append(con, events)
    con.execute("DROP TABLE IF EXISTS _res_ev")
    # a withdrawal made after the run's snapshot covers the new versions of what it withdrew (it sticks)
    n_events += hold_withdrawn_versions(con, start=start, run_id=run_id)
    # a record dedup kept in place of others that a new version superseded: they are clustered again
    n_events += release_superseded(con, "SELECT record_id FROM _res WHERE new_id IS NOT NULL", run_id=run_id)
    # a record the run read had no mark of this stage and config when the snapshot was written (the snapshot leaves
    # marked records out, :func:`curate.snapshot.input_where`), and no other run of the stage and config can mark it
    # since (one live run per stage, and an unfinished run of a config is resumed, not run beside: curate.runner):
    # so only this run's own marks are compared, not every mark of the stage (an anti-join against all of them
    # built a hash table of the whole stage's marks in every batch: the load's time grew with the catalogue)
    con.execute(
        """INSERT INTO stage_marks SELECT DISTINCT ON (record_id) record_id, $stage, $cfg, $run, outcome
                   FROM _res x WHERE mark AND NOT EXISTS (
                       SELECT 1 FROM stage_marks m WHERE m.run_id = $run
                       AND m.record_id = x.record_id AND m.stage = $stage AND m.config_hash = $cfg)""",
        {"stage": stage.name, "cfg": cfg_hash, "run": run_id},
    )
    n_results = con.execute("SELECT count(*) FROM _res").fetchone()[0]
    stage.after_batch(con, run_id)
    con.execute("DROP VIEW IF EXISTS _res_versions")
    con.execute("DROP TABLE IF EXISTS _res")
    return {
        "results": n_results + n_stale,
        "new_versions": n_versions,
        "status_changes": n_status,
        "events": n_events + bool(n_stale),
        "stale": n_stale,
    }


#: a batch's rows are read as a range of their own (materialized) when they span fewer than this many rows per
#: result: a rank's one shard spans ~(shards x batch) rows; beyond, the range could be the whole table
NARROW_SPAN = 16


def _locate(con, has_rows: bool) -> tuple[int, int]:
    """The row positions ``(lo, hi)`` in ``records`` between which the batch's records lie, and ``_res_at``: a temp
    table of those records as they are now (``record_id``, ``status``), the batch's records only.

    The results carry each record's row at the snapshot (``row``; records are never deleted, so it still holds);
    the records are then read from those row groups alone. If any result has no row (the finalize step's results,
    results written before rows were kept) or its record is not there (renamed since, e.g. by a rekey), the batch's
    records are searched in the whole table as before: a scan of every record id per batch, which made the load's
    time grow with the catalogue (~70 ms a batch at 400k records)."""
    bounds = None
    if has_rows:
        lo, hi, known, n = con.execute("SELECT min(row), max(row), count(row), count(*) FROM _res").fetchone()
        if n and known == n:
            bounds = (int(lo), int(hi))
    if bounds is not None:
        # a rank with several shards (--tasks above --workers) writes one results file for all of them, so a batch
        # may span the whole table: then its records are found without reading every id of the range at once
        _records_at(con, *bounds, narrow=bounds[1] - bounds[0] < NARROW_SPAN * n)
        missing = con.execute(
            "SELECT count(*) FROM _res WHERE record_id NOT IN (SELECT record_id FROM _res_at)"
        ).fetchone()[0]
        if not missing:
            return bounds
    lo, hi = con.execute(
        "SELECT coalesce(min(rowid), 0), coalesce(max(rowid), -1) FROM records"
        " WHERE record_id IN (SELECT record_id FROM _res)"
    ).fetchone()
    _records_at(con, lo, hi, narrow=False)
    return lo, hi


def _records_at(con, lo: int, hi: int, *, narrow: bool) -> None:
    """``_res_at``: the batch's records between rows ``lo`` and ``hi``.

    ``narrow`` (the rows of a run of one shard): the range is read first, on its own (materialized), which reads
    only its row groups; joined in one statement DuckDB read every row group of the table. Otherwise (the range
    may be the whole table: dedup's results) the batch's records are the join's build side, so that no set of
    every record id in the range is held (~50 MB at 400k)."""
    if narrow:
        sql = """WITH r AS MATERIALIZED (SELECT record_id, status FROM records WHERE rowid BETWEEN $lo AND $hi)
                 SELECT record_id, status FROM r WHERE record_id IN (SELECT record_id FROM _res)"""
    else:
        sql = """SELECT r.record_id, r.status FROM records r SEMI JOIN _res x ON x.record_id = r.record_id
                 WHERE r.rowid BETWEEN $lo AND $hi"""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _res_at AS {sql}", {"lo": lo, "hi": hi})


def _drop_stale(con, stage: Stage, run_id: str) -> int:
    """Drop from ``_res`` the results whose record is no longer what the run's snapshot read; returns how many.

    A stage reads active records; between its snapshot and this load (workers running, or a killed run resumed
    later) an ingest, another stage or a rekey may have replaced one (superseded, marked duplicate) or renamed it
    (gone). Its result was computed on a text that is no longer the record's head: applied, it would make a
    second active version of the document from the old text (after the PII stage sealed it: the raw personal data
    in the clear again). Such results are left out, with no stage mark, so the next run of the stage takes the
    current version; one ``stale_results_skipped`` event per batch says how many. A record withdrawn since the
    snapshot is not stale: its results load and stay withdrawn (:func:`hold_withdrawn_versions`)."""
    con.execute("CREATE OR REPLACE TEMP TABLE _res_ids AS SELECT DISTINCT record_id FROM _res")
    # the batch's records as they are now (`_res_at`, from :func:`_locate`)
    n = con.execute(
        """DELETE FROM _res WHERE record_id NOT IN (
               SELECT record_id FROM _res_at WHERE status IN ('active', 'withdrawn'))"""
    ).fetchone()[0]
    withdrawn = "SELECT record_id FROM _res_at WHERE status = 'withdrawn'"
    if con.execute(f"SELECT count(*) FROM _res WHERE record_id IN ({withdrawn})").fetchone()[0]:
        # withdrawn since the snapshot, but replaced before that (an ingest's new version, withdrawn with it): stale
        n += con.execute(
            f"""DELETE FROM _res WHERE record_id IN ({withdrawn})
                AND record_id IN (SELECT version_of FROM records WHERE version_of IS NOT NULL)"""
        ).fetchone()[0]
    con.execute("DROP TABLE _res_at")
    # a duplicate whose survivor is no longer active (withdrawn, replaced) since the snapshot: the next dedup run
    # chooses again, instead of the copy staying a duplicate of a record that left the corpus
    if con.execute("SELECT count(*) FROM _res WHERE set_status = 'duplicate'").fetchone()[0]:
        # the batch's survivors (a few) against `records` (not every active id: a set of 400k ids cost ~50 MB)
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _res_surv AS
               SELECT DISTINCT json_extract_string(detail, '$.survivor') AS id FROM _res WHERE set_status = 'duplicate'"""
        )
        n += con.execute(
            """DELETE FROM _res WHERE set_status = 'duplicate' AND json_extract_string(detail, '$.survivor') NOT IN (
                   SELECT s.id FROM _res_surv s SEMI JOIN records r ON r.record_id = s.id AND r.status = 'active')"""
        ).fetchone()[0]
        con.execute("DROP TABLE _res_surv")
    if n:  # the records none of whose results is left: what the run's statistics do not count as loaded
        con.execute(
            "INSERT INTO run_load_stale_records SELECT $run, record_id FROM _res_ids"
            " WHERE record_id NOT IN (SELECT record_id FROM _res)",
            {"run": run_id},
        )
    con.execute("DROP TABLE _res_ids")
    if n:
        ledger.append(
            con,
            [
                ledger.Event(
                    stage=stage.name,
                    action="stale_results_skipped",
                    run_id=run_id,
                    detail={"results": int(n), "reason": "record changed after the run's snapshot"},
                )
            ],
        )
    return int(n)
