"""Stage runner: snapshot -> datatrove executor -> one-transaction load.

1. The stage's input (active records it has not processed under this config) is written from
   DuckDB to Parquet shards in the run's folder (``<db dir>/.curate/<db name>/runs/<run_id>``).
2. A datatrove pipeline ``ParquetReader -> stage -> ResultWriter`` runs on the chosen executor
   (local by default, Ray, or Slurm); each rank writes its decisions to ``results/NNNNN.parquet``
   and datatrove marks the rank complete.
3. ``Stage.finalize`` runs once (global work such as dedup clustering) and its decisions are
   written to ``results/final.parquet``.
4. Everything is loaded back in one transaction: new versions, status changes, ledger events,
   stage marks, the run row.

A run interrupted at any point (even ``kill -9``) stays ``running``; the next invocation of the
same stage and config resumes it: the snapshot is reused, completed ranks are skipped, and the
load (all or nothing) happens once. The catalogue ends as after an uninterrupted run.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.readers import ParquetReader

from curate.faults import fault
from curate.runlock import RunLock
from curate.stages.base import RECORD_METADATA, FinalizeContext, Stage, StageResult
from curate.watched import run_watched
from curate.workfiles import (
    RunKey,
    drop_run_key,
    private_umask,
    remove_work,
    run_key,
    secure_dir,
    sign_as,
    unsigned,
    work_root,
)
from provenance import db, ledger, runs
from provenance.errors import ConfigError, StageError
from provenance.records import derived_record_id, insert_versions, version_seal

log = logging.getLogger(__name__)

EXECUTORS = ("local", "ray", "slurm")
#: DuckDB buffer pool cap of the runner's connections (snapshot, load): peak memory independent of the
#: catalogue's size; DuckDB spills to its temp directory beyond it. ``CURATE_DUCKDB_MEMORY`` overrides it
#: (e.g. ``4GB``) should a very large load need more than DuckDB can spill.
STAGE_MEMORY_LIMIT = os.environ.get("CURATE_DUCKDB_MEMORY", "1GB")
#: ledger events appended per page while loading results
EVENT_PAGE = 20_000
RESULT_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("action", pa.string()),
        ("new_text", pa.string()),
        ("new_id", pa.string()),
        ("set_status", pa.string()),
        ("set_pii_state", pa.string()),
        ("set_script", pa.string()),
        ("detail", pa.string()),
        ("fields", pa.string()),
        ("mark", pa.bool_()),
        ("outcome", pa.string()),
        ("ord", pa.int64()),
    ]
)


@dataclass
class RunReport:
    """What a stage run did."""

    run_id: str
    stage: str
    status: str
    resumed: bool = False
    inputs: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    message: str = ""


_fault = fault  # crash-test kill points (CURATE_FAULT)


def _results_to_table(results: list[StageResult], stage_name: str, start: int) -> pa.Table:
    cols: dict[str, list[Any]] = {name: [] for name in RESULT_SCHEMA.names}
    for i, r in enumerate(results):
        cols["record_id"].append(r.record_id)
        cols["action"].append(r.action)
        cols["new_text"].append(r.new_text)
        cols["new_id"].append(
            derived_record_id(r.record_id, stage_name, r.new_text) if r.new_text is not None else None
        )
        cols["set_status"].append(r.set_status)
        cols["set_pii_state"].append(r.set_pii_state)
        cols["set_script"].append(r.set_script)
        cols["detail"].append(ledger.canonical_json(r.detail or {}))
        cols["fields"].append(json.dumps(r.fields, ensure_ascii=False, default=str) if r.fields else None)
        cols["mark"].append(bool(r.mark))
        cols["outcome"].append(r.outcome)
        cols["ord"].append(start + i)
    return pa.table(cols, schema=RESULT_SCHEMA)


class ResultWriter(PipelineStep):
    """Last pipeline step: collects a rank's StageResults into ``results/<rank>.parquet``."""

    name = "curate result writer"
    type = "curate"

    def __init__(self, results_dir: str, stage_name: str, key: RunKey | None = None) -> None:
        super().__init__()
        self.results_dir = results_dir
        self.stage_name = stage_name
        self.key = key

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        out = Path(self.results_dir)
        out.mkdir(parents=True, exist_ok=True)
        final, tmp = out / f"{rank:05d}.parquet", out / f"{rank:05d}.parquet.tmp"
        n, chunk = 0, []
        with pq.ParquetWriter(tmp, RESULT_SCHEMA) as writer:  # streamed: memory bounded by the chunk
            for doc in data:
                chunk.append(doc.metadata["_result"])
                if len(chunk) >= 10_000:
                    writer.write_table(_results_to_table(chunk, self.stage_name, rank * 10**9 + n))
                    n += len(chunk)
                    chunk = []
            if chunk:
                writer.write_table(_results_to_table(chunk, self.stage_name, rank * 10**9 + n))
                n += len(chunk)
        if self.key is not None:
            sign_as(self.key, tmp, final)  # the loader refuses results without this run's MAC
        else:
            os.replace(tmp, final)
        self.stat_update("results", value=n)
        _fault(f"after_rank_{rank}")
        return iter(())


def parse_sets(sets: dict[str, str], config_class: type | None) -> Any:
    """Build ``config_class`` from ``--set key=value`` strings, converting to each field's type."""
    if config_class is None:
        if sets:
            raise ConfigError("this stage takes no --set options")
        return None
    import dataclasses

    fields_ = {f.name: f for f in dataclasses.fields(config_class)}
    kwargs: dict[str, Any] = {}
    for key, value in sets.items():
        if key not in fields_:
            raise ConfigError(
                f"unknown option `{key}` for {config_class.__name__}; valid: {', '.join(sorted(fields_))}"
            )
        default = getattr(config_class(), key)
        try:
            if isinstance(default, bool):
                if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(value)
                kwargs[key] = value.lower() in ("true", "1", "yes")
            elif isinstance(default, int):
                kwargs[key] = int(value)
            elif isinstance(default, float):
                kwargs[key] = float(value)
            elif isinstance(default, tuple):
                kwargs[key] = tuple(v.strip() for v in value.split(",") if v.strip())
            else:
                kwargs[key] = value
        except ValueError as exc:
            raise ConfigError(f"option `{key}`: cannot read {value!r} as {type(default).__name__}") from exc
    return config_class(**kwargs)


def make_stage(name: str, sets: dict[str, str] | None = None) -> Stage:
    """Instantiate a registered stage with ``--set key=value`` overrides."""
    from curate.stages import get_stage_class

    cls = get_stage_class(name)
    return cls(parse_sets(sets or {}, getattr(cls, "config_class", None)))


def run_stage(
    db_path: str | Path,
    stage: Stage,
    *,
    executor: str = "local",
    workers: int | None = None,
    tasks: int | None = None,
    ray_address: str | None = None,
    slurm_options: dict[str, Any] | None = None,
    verbose: bool = False,
    progress: bool = False,
) -> RunReport:
    """Run ``stage`` over the catalogue (see module docstring).

    ``progress`` shows a progress bar (count, rate, ETA) on stderr over all workers' records; it
    stays off when stderr is not a terminal. Statistics of the run go to ``run_stats``.
    """
    if executor not in EXECUTORS:
        raise ConfigError(f"unknown executor `{executor}`; valid: {', '.join(EXECUTORS)}")
    workers = max(1, workers or os.cpu_count() or 1)
    root = secure_dir(work_root(db_path))
    # one live process per stage: a second one is refused, a dead one's run is resumed
    with RunLock(root, f"run {stage.name}") as lock, private_umask():
        return _run_locked(
            db_path, stage, lock, executor, workers, tasks, ray_address, slurm_options, verbose, progress
        )


def _run_locked(
    db_path: str | Path,
    stage: Stage,
    lock: RunLock,
    executor: str,
    workers: int,
    tasks: int | None,
    ray_address: str | None,
    slurm_options: dict[str, Any] | None,
    verbose: bool,
    progress: bool,
) -> RunReport:
    con = db.connect(db_path, memory_limit=STAGE_MEMORY_LIMIT)
    command = f"run {stage.name}"
    cfg_hash = stage.config_hash
    resumed_id = runs.find_unfinished(con, command, cfg_hash)
    run_id = resumed_id or runs.start_run(
        con, command, cfg_hash, {"executor": executor, "workers": workers, "config": repr(stage.config)}
    )
    lock.set_run(run_id)
    key = run_key(con, run_id)
    run_dir = secure_dir(work_root(db_path) / "runs" / run_id)
    snap_dir, res_dir = run_dir / "snapshot", run_dir / "results"
    report = RunReport(run_id=run_id, stage=stage.name, status="running", resumed=bool(resumed_id))
    seconds: dict[str, float] = {}
    t0 = time.monotonic()
    try:
        stage.prepare(con)
        n_inputs, n_shards, bytes_in = _snapshot(con, stage, cfg_hash, snap_dir, tasks or workers)
        seconds["snapshot"] = time.monotonic() - t0
        report.inputs = n_inputs
        con.close()  # executors (and finalize) may open the catalogue themselves
        stage.run_dir = run_dir
        if n_shards:
            t = time.monotonic()
            with (
                _progress(run_dir / "progress", n_inputs, f"{stage.name}", enabled=progress),
                _console_to_file(run_dir / "console.log", enabled=not verbose),
            ):
                done = _execute(
                    stage, snap_dir, res_dir, run_dir, n_shards, executor, workers, ray_address, slurm_options, key
                )
            seconds["execute"] = time.monotonic() - t
            if not done:
                report.message = (
                    f"submitted {n_shards} tasks to Slurm; run the same command again when they "
                    f"finish to load the results (logs: {run_dir / 'logs'})"
                )
                return report
        final = res_dir / "final.parquet"
        if not final.exists():
            t = time.monotonic()
            extra = list(stage.finalize(FinalizeContext(run_id, run_dir, Path(db_path), n_shards)))
            res_dir.mkdir(parents=True, exist_ok=True)
            tmp = final.with_suffix(".tmp")
            pq.write_table(_results_to_table(extra, stage.name, 10**15), tmp)
            sign_as(key, tmp, final)
            seconds["finalize"] = time.monotonic() - t
        _fault("before_load")
        con = db.connect(db_path, memory_limit=STAGE_MEMORY_LIMIT)
        stats_args = {"inputs": n_inputs, "bytes_in": bytes_in, "seconds": seconds, "started": t0}
        report.counts = _load(con, stage, run_id, cfg_hash, res_dir, stats_args, key)
        report.status = "finished"
    except StageError:
        con.close()
        _mark_failed(db_path, run_id)
        raise
    finally:
        con.close()  # closing an already closed DuckDB connection is a no-op
    # snapshot and results hold stage output (text of records not yet through PII, names for the PII
    # stage): once loaded they are not needed to resume, so they do not outlive the load
    remove_work(run_dir)
    return report


def _mark_failed(db_path: str | Path, run_id: str) -> None:
    """End a run as failed (it stays resumable: :func:`provenance.runs.find_unfinished`)."""
    con = db.connect(db_path)
    try:
        runs.finish_run(con, run_id, "failed", {"resumable": True})
    finally:
        con.close()


@contextmanager
def _progress(folder: Path, total: int, label: str, *, enabled: bool) -> Iterator[None]:
    """A tqdm bar over every worker's progress file (``<run>/progress/<rank>``), polled twice a second.

    Workers (forked, or remote with a shared folder) write their running count there
    (:meth:`curate.stages.base.Stage.run`); the bar shows the total, rate and ETA. Off when
    ``enabled`` is false or stderr is not a terminal.
    """
    err = sys.stderr
    if not enabled or not err.isatty():
        yield
        return
    from tqdm import tqdm

    folder.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    bar = tqdm(total=total, desc=label, unit="rec", file=err, dynamic_ncols=True, mininterval=0.5)

    def poll() -> None:
        while True:
            stopped = stop.is_set()
            done = 0
            for f in folder.glob("[0-9]*"):
                try:
                    done += int(f.read_text() or 0)
                except (OSError, ValueError):
                    continue
            bar.update(max(0, min(done, total) - bar.n))
            if stopped:
                return
            stop.wait(0.5)

    thread = threading.Thread(target=poll, name="curate-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        bar.close()


@contextmanager
def _console_to_file(path: Path, *, enabled: bool) -> Iterator[None]:
    """Send datatrove's console logging (loguru to stderr) to the run's folder."""
    if not enabled:
        yield
        return
    import sys

    from loguru import logger

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        old = sys.stderr
        sys.stderr = fh
        logger.remove()
        logger.add(fh, level="INFO")
        try:
            yield
        finally:
            sys.stderr = old
            logger.remove()
            logger.add(sys.stderr, level="WARNING")


def input_where(stage: Stage, cfg_hash: str | None = None) -> tuple[str, dict[str, str]]:
    """SQL condition over ``records r`` selecting what ``stage`` would process now, and its parameters:
    active records with text, the stage's own condition, not yet marked under this config."""
    cfg_hash = cfg_hash or stage.config_hash
    skip = (
        (
            "AND NOT EXISTS (SELECT 1 FROM stage_marks m WHERE m.record_id = r.record_id"
            " AND m.stage = $stage AND m.config_hash = $cfg)"
        )
        if stage.skip_marked
        else ""
    )
    where = f"r.status = 'active' AND r.text IS NOT NULL AND ({stage.select_where}) {skip}"
    return where, ({"stage": stage.name, "cfg": cfg_hash} if stage.skip_marked else {})


def _snapshot(con, stage: Stage, cfg_hash: str, snap_dir: Path, n_shards: int) -> tuple[int, int, int]:
    """Write the stage's input as Parquet shards once per run; returns (rows, shard files, text bytes)."""
    marker = snap_dir / "_SUCCESS"
    if marker.exists():
        info = json.loads(marker.read_text())
        return info["rows"], info["files"], info.get("bytes", 0)
    shutil.rmtree(snap_dir, ignore_errors=True)
    snap_dir.mkdir(parents=True, exist_ok=True)
    cols = list(dict.fromkeys(("record_id", "text", *stage.reads)))
    # datatrove's reader merges a column named `metadata` into Document.metadata: ship it as JSON text
    # under its own name (stages read ``doc.metadata[RECORD_METADATA]``)
    select = ", ".join(f"CAST(r.{c} AS VARCHAR) AS {RECORD_METADATA}" if c == "metadata" else f"r.{c}" for c in cols)
    where, params = input_where(stage, cfg_hash)
    n, n_bytes = con.execute(
        f"SELECT count(*), coalesce(sum(strlen(r.text)), 0) FROM records r WHERE {where}", params
    ).fetchone()
    files = 0
    if n:
        shards = max(1, min(n_shards, n))
        # one COPY per shard: each sorts (spilling to disk if needed) and writes one file, so memory stays
        # within the connection's cap (PARTITION_BY keeps every partition's buffers in memory)
        for k in range(shards):
            part = snap_dir / f"_shard={k}"
            part.mkdir(parents=True, exist_ok=True)
            out = part / "data_0.parquet"
            written = con.execute(
                f"COPY (SELECT {select} FROM records r WHERE {where} AND hash(r.record_id) % {shards} = {k}"
                f" ORDER BY r.record_id) TO '{out}' (FORMAT parquet)",
                params,
            ).fetchall()[0][0]
            if not written:
                shutil.rmtree(part, ignore_errors=True)
        files = len(list(snap_dir.rglob("*.parquet")))
    marker.write_text(json.dumps({"rows": n, "files": files, "bytes": n_bytes}))
    return n, files, n_bytes


def _execute(
    stage: Stage,
    snap_dir: Path,
    res_dir: Path,
    run_dir: Path,
    n_shards: int,
    executor: str,
    workers: int,
    ray_address: str | None,
    slurm_options: dict[str, Any] | None,
    key: RunKey | None = None,
) -> bool:
    """Run the datatrove pipeline; True when all ranks are complete."""
    pipeline = [
        ParquetReader(str(snap_dir), glob_pattern="**/*.parquet", text_key="text", id_key="record_id"),
        stage,
        ResultWriter(str(res_dir), stage.name, key),
    ]
    logs = str(run_dir / "logs")
    if executor == "local":
        from datatrove.executor import LocalPipelineExecutor

        ex = LocalPipelineExecutor(
            pipeline, tasks=n_shards, workers=min(workers, n_shards), logging_dir=logs, start_method="fork"
        )
        run_watched(ex.run, f"stage `{stage.name}`")  # a killed worker fails the run instead of hanging it
    elif executor == "ray":
        from curate._optional import require

        ray = require("ray", extra="ray", purpose="--executor ray")
        from datatrove.executor import RayPipelineExecutor

        if not ray.is_initialized():
            if ray_address:
                ray.init(address=ray_address, log_to_driver=False)
            else:
                ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        ex = RayPipelineExecutor(pipeline, tasks=n_shards, workers=workers, logging_dir=logs, mem_per_cpu_gb=1)
        ex.run()
    else:
        from datatrove.executor import SlurmPipelineExecutor

        opts = {"time": "04:00:00", "partition": "cpu", **(slurm_options or {})}
        ex = SlurmPipelineExecutor(pipeline, tasks=n_shards, logging_dir=logs, **opts)
        if all(ex.is_rank_completed(r) for r in range(n_shards)):
            return True
        ex.run()
        return False
    incomplete = [r for r in range(n_shards) if not ex.is_rank_completed(r)]
    if incomplete:
        raise StageError(
            f"stage `{stage.name}`: {len(incomplete)} of {n_shards} tasks failed (ranks "
            f"{incomplete[:10]}); see {logs}/logs; rerun the same command to retry them"
        )
    return True


def _load(
    con,
    stage: Stage,
    run_id: str,
    cfg_hash: str,
    res_dir: Path,
    stats_args: dict[str, Any] | None = None,
    key: RunKey | None = None,
) -> dict[str, int]:
    """Load all results of the run in one transaction (with the run's statistics, :mod:`curate.stats`).

    Every results file must carry this run's MAC (:mod:`curate.workfiles`); one that does not was
    not written by the run's workers and nothing is loaded.
    """
    t_load = time.monotonic()
    if key is not None:
        bad = unsigned(res_dir, key)
        if bad:
            raise StageError(
                f"stage `{stage.name}`: results in {res_dir} were not written by run {run_id}'s workers: "
                f"{', '.join(bad[:5])}; nothing was loaded. Remove those files, or `curate runs abandon {run_id}`"
            )
    files = sorted(str(p) for p in res_dir.glob("*.parquet"))
    with db.transaction(con):
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _res AS SELECT * FROM read_parquet($f, union_by_name = true) ORDER BY ord",
            {"f": files},
        )
        # versions derived before the PII stage from keyed records get keyed ids and digests (issue 13)
        from curate.pii.keyed_ids import key_pre_pii_results

        key_pre_pii_results(con, stage.name)
        con.execute("""
            CREATE OR REPLACE TEMP VIEW _res_versions AS
            SELECT x.new_id AS record_id, x.record_id AS parent_id, x.new_text AS text, x.k_sha AS content_sha256,
                   json_extract_string(x.fields, '$.title') AS title, json_extract_string(x.fields, '$.lang') AS lang,
                   json_extract_string(x.fields, '$.script') AS script,
                   json_extract_string(x.fields, '$.licence_id') AS licence_id,
                   json_extract(x.fields, '$.metadata') AS metadata,
                   json_extract_string(x.fields, '$.pii_state') AS pii_state
            FROM _res x JOIN records p ON p.record_id = x.record_id
            WHERE x.new_text IS NOT NULL AND (x.new_text IS DISTINCT FROM p.text OR x.fields IS NOT NULL)""")
        n_versions = insert_versions(con, "_res_versions", run_id=run_id, stage=stage.name)
        con.execute("""UPDATE records SET status = 'superseded' WHERE status = 'active' AND record_id IN (
                           SELECT x.record_id FROM _res x JOIN records n ON n.record_id = x.new_id
                           WHERE n.version_of = x.record_id)""")
        n_status = con.execute("""UPDATE records SET status = x.set_status FROM _res x
                                  WHERE records.record_id = x.record_id AND x.set_status IS NOT NULL
                                    AND records.status IS DISTINCT FROM x.set_status""").fetchone()[0]
        con.execute("""UPDATE records SET pii_state = x.set_pii_state FROM _res x
                       WHERE records.record_id = x.record_id AND x.set_pii_state IS NOT NULL""")
        con.execute("""UPDATE records SET script = x.set_script FROM _res x
                       WHERE records.record_id = x.record_id AND x.set_script IS NOT NULL
                         AND records.script IS DISTINCT FROM x.set_script""")
        # events in bounded pages (memory flat in the number of results), in result order
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _res_ev AS
               SELECT row_number() OVER (ORDER BY x.ord) AS _n, x.record_id, x.action, x.detail, x.new_id,
                      (n.record_id IS NOT NULL) AS created, n.content_sha256, n.licence_id
               FROM _res x LEFT JOIN records n ON n.record_id = x.new_id AND n.run_id = $run
               WHERE x.action IS NOT NULL""",
            {"run": run_id},
        )
        n_ev = con.execute("SELECT count(*) FROM _res_ev").fetchall()[0][0]
        n_events = 0
        for lo in range(0, n_ev, EVENT_PAGE):
            rows = con.execute(
                "SELECT record_id, action, detail, new_id, created, content_sha256, licence_id FROM _res_ev"
                f" WHERE _n > {lo} AND _n <= {lo + EVENT_PAGE} ORDER BY _n"
            ).fetchall()
            events = []
            for rid, action, detail, new_id, created, digest, licence in rows:
                d = json.loads(detail) if detail else {}
                if new_id and created:
                    d.update(version_seal(new_id, digest, licence))
                events.append(ledger.Event(stage=stage.name, action=action, record_id=rid, run_id=run_id, detail=d))
            n_events += ledger.append(con, events)
        con.execute(
            """INSERT INTO stage_marks SELECT DISTINCT ON (record_id) record_id, $stage, $cfg, $run, outcome
                       FROM _res WHERE mark ON CONFLICT DO NOTHING""",
            {"stage": stage.name, "cfg": cfg_hash, "run": run_id},
        )
        n_results = con.execute("SELECT count(*) FROM _res").fetchone()[0]
        stage.after_load(con, run_id)
        counts = {"results": n_results, "new_versions": n_versions, "status_changes": n_status, "events": n_events}
        if stats_args is not None:
            from curate import stats

            seconds = dict(stats_args["seconds"])
            seconds["load"] = time.monotonic() - t_load
            seconds["total"] = time.monotonic() - stats_args["started"]
            stats.collect(
                con,
                stage.name,
                run_id,
                inputs=stats_args["inputs"],
                bytes_in=stats_args["bytes_in"],
                counts=counts,
                seconds=seconds,
                extra=stage.run_statistics(),
            )
        _fault("during_load")
        runs.finish_run(con, run_id, "finished", counts)
        drop_run_key(con, run_id)
    return counts
