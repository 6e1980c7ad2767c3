"""Stage runner: snapshot -> datatrove executor -> batched load.

1. The stage's input (active records it has not processed under this config) is written from
   DuckDB to Parquet shards in the run's folder (``<db dir>/.curate/<db name>/runs/<run_id>``).
2. A datatrove pipeline ``SnapshotReader -> stage -> ResultWriter`` runs on the chosen executor
   (local by default, forked worker processes; Ray; or Slurm); each rank writes its decisions to
   ``results/NNNNN.parquet`` and datatrove marks the rank complete.
3. ``Stage.finalize`` runs once (global work such as dedup clustering) and its decisions are
   written to ``results/final.parquet``.
4. The results are loaded back in batches that each commit (new versions, status changes, ledger
   events, stage marks), then one last transaction runs ``Stage.after_load``, stores the run's
   statistics (``run_stats``: wall and CPU seconds per phase) and ends the run (:mod:`curate.load`).

A run interrupted at any point (even ``kill -9``) stays ``running``; the next invocation of the
same stage and config resumes it: the snapshot is reused, completed ranks are skipped, loaded
batches (``run_load_batches``) are skipped and an interrupted batch rolled back. The catalogue ends
as after an uninterrupted run.
"""

from __future__ import annotations

import json
import logging
import math
import os
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
from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from curate.faults import fault as _fault  # crash-test kill points (CURATE_FAULT)
from curate.interrupts import join_or_stop, stop_if_asked
from curate.load import load_results
from curate.pipeline_checks import list_value
from curate.runfailed import ended_by
from curate.runlock import RunLock
from curate.snapshot import released_inputs
from curate.snapshot import write_snapshot as _snapshot
from curate.stages.base import SNAPSHOT_ROW, FinalizeContext, Stage, StageResult, settled
from curate.watched import run_watched
from curate.workfiles import (
    RunKey,
    plain_tracebacks,
    private_umask,
    recheck_work,
    remove_work,
    run_key,
    secure_dir,
    sign_as,
    sweep_done_runs,
    work_root,
)
from provenance import db, ledger, runs
from provenance.errors import ConfigError, StageError, UsageError
from provenance.records import derived_record_id

log = logging.getLogger(__name__)

EXECUTORS = ("local", "ray", "slurm")
# The runner's connections (snapshot, load) are capped at :func:`provenance.db.bulk_memory_limit`: peak memory
# independent of the catalogue's size; DuckDB spills to its temp directory beyond it. ``CURATE_DUCKDB_MEMORY``
# overrides it (e.g. ``4GB``) should a very large load need more than DuckDB can spill. They checkpoint every
# :func:`provenance.db.checkpoint_threshold` of WAL.


def check_settings(stage: Stage) -> None:
    """Every environment setting a run reads, read once up front (:mod:`provenance.envsettings` raises on a bad one),
    and the stage's own (:meth:`curate.stages.base.Stage.check_settings`); a pipeline file checks them first."""
    from curate.load import batch_rows
    from curate.snapshot import snapshot_memory_limit

    for read in (
        db.bulk_memory_limit,
        db.checkpoint_threshold,
        snapshot_memory_limit,
        batch_rows,
        stage.check_settings,
    ):
        read()


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
        ("row", pa.int64()),  # the record's row in `records` at the snapshot (SNAPSHOT_ROW); null: not known
    ]
)


@dataclass
class RunReport:
    """What a stage run did; ``followed_by``: the runs that took the records it released (``Stage.takes_released``)."""

    run_id: str
    stage: str
    status: str
    resumed: bool = False
    inputs: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    message: str = ""
    followed_by: list[RunReport] = field(default_factory=list)


def _results_to_table(
    results: list[StageResult], stage_name: str, start: int, rows: list[int | None] | None = None
) -> pa.Table:
    cols: dict[str, list[Any]] = {name: [] for name in RESULT_SCHEMA.names}
    cols["row"] = list(rows) if rows is not None else [None] * len(results)
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


def _settled(results: list[StageResult], db_path: str | Path) -> list[StageResult]:
    """Finalize's results in the form the load expects (:func:`curate.stages.base.settled`): an unchanged
    new text without fields dropped, its parent's text read from the catalogue (only when there is one)."""
    ids = [r.record_id for r in results if r.new_text is not None and not r.fields]
    if not ids:
        return results
    ro = db.connect_readonly(db_path)
    try:
        texts = dict(
            ro.execute(
                "SELECT record_id, text FROM records WHERE list_contains($ids, record_id)", {"ids": ids}
            ).fetchall()
        )
    finally:
        ro.close()
    return [settled(r, texts.get(r.record_id)) for r in results]


class SnapshotReader(PipelineStep):
    """First pipeline step: this rank's snapshot shards as Documents (``record_id`` -> id, other columns -> metadata).

    Rank ``r`` of ``world_size`` reads the shard files (sorted by name) ``r, r + world_size, ...`` (as datatrove's
    readers shard files) in Arrow batches. Unlike datatrove's ``ParquetReader`` it does not resolve the
    file path of every document through fsspec (a third of hygiene's per-record CPU time) and needs
    neither ``datatrove.io`` nor pandas. Unlike datatrove's readers it skips no record with an empty text (a text
    hygiene emptied): the run's input count is the snapshot's, and each stage decides about every record in it,
    so the PII stage still scrubs such a record's title and metadata.
    """

    name = "curate snapshot reader"
    type = "curate"

    def __init__(self, folder: str, batch_rows: int = 2048) -> None:
        super().__init__()
        self.folder = folder
        self.batch_rows = batch_rows

    def files(self) -> list[Path]:
        from curate.workfiles import snapshot_files, snapshot_intact

        if not snapshot_intact(Path(self.folder)):  # a rank must not read a cut snapshot as a smaller input
            raise StageError(
                f"the run's snapshot {self.folder} is missing files (its work folder was changed while it ran);"
                " run the same command again: it writes the snapshot again"
            )
        return snapshot_files(Path(self.folder))

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        for path in self.files()[rank::world_size]:
            self.stat_update("input_files")
            # pre_buffer off: Arrow's read-ahead cache kept every row group read until the file closed (a rank's
            # memory grew with its shard: 100 MiB at 200k records)
            with pq.ParquetFile(path, pre_buffer=False) as pf:
                for batch in pf.iter_batches(batch_size=self.batch_rows):
                    cols = batch.to_pydict()
                    ids, texts = cols.pop("record_id"), cols.pop("text")
                    names = list(cols)
                    for i, text in enumerate(texts):
                        yield Document(text=text or "", id=ids[i], metadata={k: cols[k][i] for k in names})


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
        n, chunk, rows = 0, [], []
        with pq.ParquetWriter(tmp, RESULT_SCHEMA) as writer:  # streamed: memory bounded by the chunk
            for doc in data:
                chunk.append(doc.metadata["_result"])
                rows.append(doc.metadata.get(SNAPSHOT_ROW))
                if len(chunk) >= 10_000:
                    writer.write_table(_results_to_table(chunk, self.stage_name, rank * 10**9 + n, rows))
                    n += len(chunk)
                    chunk, rows = [], []
            if chunk:
                writer.write_table(_results_to_table(chunk, self.stage_name, rank * 10**9 + n, rows))
                n += len(chunk)
        if self.key is not None:
            sign_as(self.key, tmp, final)  # the loader refuses results without this run's MAC
        else:
            os.replace(tmp, final)
        self.stat_update("results", value=n)
        _fault(f"after_rank_{rank}")
        return iter(())


def parse_sets(sets: dict[str, str], config_class: type | None) -> Any:
    """Build ``config_class`` from ``--set key=value`` strings, converting to each field's type; a key, value or
    config the class refuses is a :class:`UsageError` (exit 2)."""
    if config_class is None:
        if sets:
            raise UsageError("this stage takes no --set options")
        return None
    import dataclasses

    fields_ = {f.name: f for f in dataclasses.fields(config_class)}
    kwargs: dict[str, Any] = {}
    for key, value in sets.items():
        if key not in fields_:
            raise UsageError(f"unknown option `{key}` for {config_class.__name__}; valid: {', '.join(sorted(fields_))}")
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
                if not math.isfinite(kwargs[key]):  # nan compares false with every bound a config checks
                    raise UsageError(f"option `{key}` must be a finite number, got {value!r}")
            elif isinstance(default, tuple):
                kwargs[key] = list_value(key, value)
            else:
                kwargs[key] = value
        except ValueError as exc:
            raise UsageError(f"option `{key}`: cannot read {value!r} as {type(default).__name__}") from exc
    try:
        return config_class(**kwargs)
    except ConfigError as exc:  # a value out of range (threshold 1.5, an unknown OpenCC config): the command line's
        raise UsageError(str(exc)) from exc


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
    """Run ``stage`` over the catalogue (see module docstring). ``progress`` shows a progress bar (count, rate, ETA)
    on stderr over all workers' records, off when stderr is no terminal. Statistics of the run go to ``run_stats``."""
    if executor not in EXECUTORS:
        raise ConfigError(f"unknown executor `{executor}`; valid: {', '.join(EXECUTORS)}")
    check_settings(stage)  # a bad tuning setting stops the command before anything changes
    workers = max(1, workers or os.cpu_count() or 1)
    root = secure_dir(work_root(db_path))
    # one live process per stage: a second one is refused, a dead one's run is resumed
    args = (executor, workers, tasks, ray_address, slurm_options, verbose, progress)
    with RunLock(root, f"run {stage.name}") as lock, private_umask():
        report = last = _run_locked(db_path, stage, lock, *args)
        while stage.takes_released and last.status == "finished" and len(report.followed_by) < 3:
            if not released_inputs(db_path, stage, last.run_id):  # raw duplicates a PII run made active again
                break
            last = _run_locked(db_path, type(stage)(stage.config), lock, *args)  # a new one: its attributes are logged
            report.followed_by.append(last)
        return report


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
    preload: list[threading.Thread] = []  # the executor's modules, imported while the snapshot is written
    con = db.connect(db_path, memory_limit=db.bulk_memory_limit())
    try:  # before a run row exists: a refusal here (e.g. another PII key) leaves no run behind
        from curate.pii.keyed_ids import refuse_other_set_key

        refuse_other_set_key(con, f"`curate run {stage.name}`")
        sweep_done_runs(con, work_root(db_path))  # a run killed after its last commit left its work files
        stage.prepare(con)
    except BaseException:
        con.close()
        raise
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
    cpu: dict[str, float] = {}  # CPU seconds per phase: this process and its (reaped) workers
    t0, c0 = time.monotonic(), cpu_seconds()
    try:
        if resumed_id:
            recheck_work(con, run_id, run_dir, stage)
        n_inputs, n_shards, bytes_in = _snapshot(
            con,
            stage,
            cfg_hash,
            snap_dir,
            tasks or workers,
            on_inputs=lambda: preload.append(_preload(executor)),
            parallel=workers,
        )
        seconds["snapshot"], cpu["snapshot"] = time.monotonic() - t0, cpu_seconds() - c0
        report.inputs = n_inputs
        con.close()  # executors (and finalize) may open the catalogue themselves
        stage.run_dir = run_dir
        _fault("snapshot_written")
        for thread in preload:  # before the executor forks: no thread may hold an import lock then
            join_or_stop(thread)  # a stop whose exception was lost (an import lock left held): raised, no hang
        if n_shards:
            t, c = time.monotonic(), cpu_seconds()
            plain_tracebacks()  # a worker's traceback never shows the records it held
            with (
                _progress(run_dir / "progress", n_inputs, f"{stage.name}", enabled=progress),
                _console_to_file(run_dir / "console.log", enabled=not verbose),
            ):
                waiting = _execute(
                    stage, snap_dir, res_dir, run_dir, n_shards, executor, workers, ray_address, slurm_options, key
                )
            seconds["execute"], cpu["execute"] = time.monotonic() - t, cpu_seconds() - c
            if waiting:  # Slurm: submitted, or still queued (curate.slurm_submit)
                report.message = waiting
                return report
        missing = [r for r in range(n_shards) if not (res_dir / f"{r:05d}.parquet").exists()]
        if missing:
            raise StageError(
                f"stage `{stage.name}`: the results of ranks {missing[:10]} are missing from {res_dir} (the run's work"
                " folder was changed while it ran); nothing more was loaded. Run the same command again: it computes"
                " them again"
            )
        final = res_dir / "final.parquet"
        if not final.exists():
            t, c = time.monotonic(), cpu_seconds()
            extra = _settled(list(stage.finalize(FinalizeContext(run_id, run_dir, Path(db_path), n_shards))), db_path)
            res_dir.mkdir(parents=True, exist_ok=True)
            tmp = final.with_suffix(".tmp")
            pq.write_table(_results_to_table(extra, stage.name, 10**15), tmp)
            sign_as(key, tmp, final)
            seconds["finalize"], cpu["finalize"] = time.monotonic() - t, cpu_seconds() - c
        _fault("before_load")
        stop_if_asked()  # a stop whose exception was lost while the workers ran: no load begun
        con = db.connect(db_path, memory_limit=db.bulk_memory_limit())
        con.execute(f"SET checkpoint_threshold = '{db.checkpoint_threshold()}'")
        stats_args = {"inputs": n_inputs, "bytes_in": bytes_in, "seconds": seconds, "started": t0, "cpu": cpu}
        report.counts = load_results(con, stage, run_id, cfg_hash, res_dir, stats_args, key)
        report.status = "finished"
    except BaseException as exc:  # the run is marked failed (resumable): only a kill -9 leaves it `running`
        con.close()
        instead = ended_by(exc, db_path, stage, run_id, run_dir / "logs")
        if instead is None:
            raise
        raise instead from exc
    finally:
        con.close()  # closing an already closed DuckDB connection is a no-op
    # snapshot and results (text not yet through PII) do not outlive the load (a kill here: sweep_done_runs)
    remove_work(run_dir)
    return report


#: modules each executor needs, imported in a thread during the snapshot (:func:`_preload`)
#: (local only: importing Ray outside the main thread is not something to rely on)
_EXECUTOR_MODULES = {"local": ("datatrove.executor.local",)}


def _preload(executor: str) -> threading.Thread:
    """Import the executor's modules (datatrove's executors pull in ``datatrove.io`` and through it
    ``huggingface_hub``, ~0.3 s) in a thread while the main thread writes the snapshot (DuckDB releases the
    GIL), so start-up overlaps the snapshot instead of adding to it. Started only once the snapshot has
    counted its input: a run with nothing to process imports no executor.
    A failed import is left to the main thread, which imports the same modules again and reports it."""

    def work() -> None:
        import importlib

        for name in _EXECUTOR_MODULES.get(executor, ()):
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - reported by the main thread's own import
                return

    thread = threading.Thread(target=work, name="curate-preload", daemon=True)
    thread.start()
    return thread


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and of its children that have ended (the workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


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


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """The objects alive now (imports, the stage) moved out of the garbage collector's reach while the ranks run.

    The workers are forked: a collection in a worker that walks the parent's objects writes to their pages, and
    each written page is copied (copy-on-write); an in-process rank (1 worker) walks them too. Frozen, 400k
    hygiene on 2 workers took 7.2-7.4 user CPU-s against 7.8-7.9 (wall time within noise). What the ranks create
    is collected as usual; ``gc.freeze`` is what the ``gc`` docs advise before a ``fork`` without ``exec``.
    """
    import gc

    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


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
) -> str:
    """Run the datatrove pipeline; "" when all ranks are complete, else what Slurm is doing (the line to show)."""
    pipeline = [
        SnapshotReader(str(snap_dir)),
        stage,
        ResultWriter(str(res_dir), stage.name, key),
    ]
    logs = str(run_dir / "logs")
    if executor != "slurm":  # a resumed run's earlier Slurm job must not compute the same ranks beside these
        from curate.slurm_submit import refuse_beside_job

        refuse_beside_job(run_dir, executor)
    if executor == "local":
        from datatrove.executor import LocalPipelineExecutor

        ex = LocalPipelineExecutor(
            pipeline, tasks=n_shards, workers=min(workers, n_shards), logging_dir=logs, start_method="fork"
        )
        with _frozen_heap():
            run_watched(ex.run, f"stage `{stage.name}`")  # a killed worker fails the run instead of hanging it
    elif executor == "ray":
        from curate._optional import require

        ray = require("ray", extra="ray", purpose="--executor ray")
        from datatrove.executor import RayPipelineExecutor

        from curate.ray_local import ray_cluster

        workers = min(workers, n_shards)  # no more than the tasks (`--workers 2**63-1` is past what Ray takes)
        ex = RayPipelineExecutor(pipeline, tasks=n_shards, workers=workers, logging_dir=logs, mem_per_cpu_gb=1)
        with ray_cluster(ray, workers, ray_address):  # a cluster started here leaves no logs behind
            ex.run()
    else:
        from curate.slurm_submit import submit

        return submit(stage.name, pipeline, n_shards, run_dir, slurm_options) or ""
    incomplete = [r for r in range(n_shards) if not ex.is_rank_completed(r)]
    if incomplete:
        raise StageError(
            f"stage `{stage.name}`: {len(incomplete)} of {n_shards} tasks failed (ranks "
            f"{incomplete[:10]}); see {logs}/logs; rerun the same command to retry them"
        )
    return ""
