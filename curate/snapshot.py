"""A stage run's input: the records it would process now, written as Parquet shards once per run.

:func:`write_snapshot` writes one shard per task (``hash(record_id) % shards``; no more than the input needs:
:func:`useful_shards`), each one ``COPY`` in the
table's order under a small DuckDB cap, several at once when the run has several workers; a ``_SUCCESS``
marker makes a resumed run reuse them. :func:`input_where` is the one definition of a stage's input.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

from curate.stages.base import RECORD_METADATA, SNAPSHOT_ROW, Stage
from provenance import db
from provenance.envsettings import env_size
from provenance.pii_rule import pii_unchecked_sql, typed_unchecked_sql

#: DuckDB settings while the snapshot is written (the cap: :func:`snapshot_memory_limit`): each shard is
#: one ``COPY`` streamed in the table's order by one thread, so its memory does not grow with the input. With
#: the run's 1 GB cap, two threads and ``ORDER BY record_id`` the snapshot filled the pool (0.23 GiB at 25k,
#: 0.47 at 100k, 1.6 at 400k and 1M); now ~0.11 / 0.15 / 0.16 GiB at 25k / 100k / 1M (the COPY alone). A 64 MB
#: cap took the 400k snapshot phase from 343 to 295 MiB but is not the run's peak, and one of two 400k
#: `run dedup` snapshots ran out of it (a 5.9 MiB allocation), so the cap stays at the runner's 128 MB.
SNAPSHOT_THREADS = 1
#: rows per Parquet row group of a snapshot shard: a rank reads one row group at a time, so its memory is
#: bounded by this instead of by the shard (DuckDB's default is 122,880 rows)
SNAPSHOT_ROW_GROUP = 8_192


#: fewest records a shard is cut to once the run has a shard per core: each shard costs a task, a file, a
#: results file and the load's events of its batches whatever it holds (``--tasks 100000`` on 1,065 records made
#: 649 one- or two-record shards: `run pii` 78 s instead of 2 s, 676 ledger events instead of 10, and `run
#: dedup --workers 1000` ran out of DuckDB's memory reading them all at once)
MIN_SHARD_RECORDS = 64


def useful_shards(rows: int, asked: int, cores: int | None = None) -> int:
    """The shards a run of ``rows`` input records is cut into when ``asked`` for (``--tasks``, else ``--workers``):
    never more than the records, nor more than one per core or per :data:`MIN_SHARD_RECORDS` records, whichever
    allows more (``cores``: this machine's, by default).

    >>> useful_shards(1065, 100_000, cores=2), useful_shards(1065, 4, cores=2), useful_shards(8, 2, cores=2)
    (17, 4, 2)
    """
    import math
    import os

    cores = cores or os.cpu_count() or 1
    return max(1, min(asked, rows, max(min(asked, cores), math.ceil(rows / MIN_SHARD_RECORDS))))


def capped_note(rows: int, workers: int | None, tasks: int | None) -> str:
    """The line a run's summary adds when ``--tasks`` (else ``--workers``) asked for more shards than its ``rows``
    input records need (:func:`useful_shards`); empty otherwise."""
    asked = tasks or workers
    if not asked or not rows or useful_shards(rows, asked) >= asked:
        return ""
    option = "--tasks" if tasks else "--workers"
    return (
        f"{option} {asked}: {rows} records need no more than {useful_shards(rows, asked)} shards (one per core, or"
        f" at least {MIN_SHARD_RECORDS} records each), so the run used that many"
    )


def snapshot_memory_limit() -> str:
    """``$CURATE_SNAPSHOT_MEMORY`` (checked), else the runner's cap (``$CURATE_DUCKDB_MEMORY``, default
    128 MB), so that the one setting the out-of-memory advice names raises both: DuckDB
    writes Parquet a vector of 2,048 rows at a time, so very large records (a textbook chapter per record) need
    a cap of about 2,048 times their mean size."""
    return env_size("CURATE_SNAPSHOT_MEMORY", db.bulk_memory_limit())


def input_where(
    stage: Stage, cfg_hash: str | None = None, *, any_marked: bool = True, pii_waits: bool = False
) -> tuple[str, dict[str, str]]:
    """SQL condition over ``records r`` selecting what ``stage`` would process now, and its parameters:
    active records with text, the stage's own condition, not yet marked under this config.

    ``any_marked=False``: the caller found no mark of this stage and config, so the anti-join against
    ``stage_marks`` is left out (the same rows; on a stage's first run it cost a third of each shard's COPY).
    ``pii_waits=True``: instead the records it would take but leaves to the PII stage (:func:`pii_wait_sql`)."""
    cfg_hash = cfg_hash or stage.config_hash
    skip_marked = stage.skip_marked and any_marked
    skip = (
        (
            "AND NOT EXISTS (SELECT 1 FROM stage_marks m WHERE m.record_id = r.record_id"
            " AND m.stage = $stage AND m.config_hash = $cfg)"
        )
        if skip_marked
        else ""
    )
    where = f"r.status = 'active' AND r.text IS NOT NULL AND ({stage.select_where}) {skip}"
    if waits := pii_wait_sql(stage):
        where += f" AND {'' if pii_waits else 'NOT '}{waits}"
    elif pii_waits:
        where += " AND FALSE"
    return where, ({"stage": stage.name, "cfg": cfg_hash} if skip_marked else {})


def pii_wait_sql(stage: Stage) -> str:
    """SQL over ``records r``: a version ``stage`` leaves to the PII stage (empty for the PII stage itself).

    An annotator's correction is the PII stage's first (dedup indexed it: review 15). A stage that writes no version
    (dedup) also leaves every other version not PII-checked, e.g. a raw version of a ``pii_expected`` source: its
    index kept unkeyed blake2b digests (``exact_key``, ``strict_key``) and MinHash signatures of the raw text, read
    by ``curate sql``, and it marked copies duplicates on text the PII stage had not seen. Hygiene and normalise still
    take such a version (their version stays hidden under its source's ``pii_expected``, and the pipeline runs them
    before the PII stage)."""
    if stage.name == "pii":
        return ""
    if "version" in stage.writes:
        return typed_unchecked_sql("r")
    return pii_unchecked_sql("r", "(SELECT s.pii_expected FROM sources s WHERE s.source_id = r.source_id)")


def pii_waiting(con, stage: Stage) -> int:
    """How many records ``stage`` would take now but leaves to the PII stage (:func:`pii_wait_sql`)."""
    if not pii_wait_sql(stage):
        return 0
    where, params = input_where(stage, pii_waits=True)
    return con.execute(f"SELECT count(*) FROM records r WHERE {where}", params).fetchone()[0]


def pii_wait_note(db_path: str | Path, stage: Stage) -> str:
    """The line a run's output adds when ``stage`` left records to the PII stage (:func:`pii_waiting`); else empty
    (also when another process holds the catalogue past the lock wait: the run is finished and recorded)."""
    from provenance.errors import CatalogueBusyError

    if not pii_wait_sql(stage):
        return ""
    try:
        con = db.connect_readonly(db_path)
    except CatalogueBusyError:
        return ""
    try:
        n = pii_waiting(con, stage)
    finally:
        con.close()
    if not n:
        return ""
    return (
        f"{n} records wait for the PII stage (not PII-checked yet: `{stage.name}` leaves them alone); run"
        f" `curate run pii`, then `curate run {stage.name}` again to take them"
    )


def write_snapshot(
    con,
    stage: Stage,
    cfg_hash: str,
    snap_dir: Path,
    n_shards: int,
    on_inputs: Callable[[], object] = lambda: None,
    parallel: int = 1,
) -> tuple[int, int, int]:
    """Write the stage's input as Parquet shards once per run; returns (rows, shard files, text bytes).

    ``parallel``: shards written at once (the run's workers).

    ``on_inputs`` is called once the input is counted and not empty, before the shards are written."""
    marker = snap_dir / "_SUCCESS"
    from curate.workfiles import snapshot_intact

    if snapshot_intact(snap_dir):
        info = json.loads(marker.read_text())
        return info["rows"], info["files"], info.get("bytes", 0)
    shutil.rmtree(snap_dir, ignore_errors=True)
    snap_dir.mkdir(parents=True, exist_ok=True)
    cols = list(dict.fromkeys(("record_id", "text", *stage.reads)))
    # datatrove's reader merges a column named `metadata` into Document.metadata: ship it as JSON text
    # under its own name (stages read ``doc.metadata[RECORD_METADATA]``)
    select = ", ".join(f"CAST(r.{c} AS VARCHAR) AS {RECORD_METADATA}" if c == "metadata" else f"r.{c}" for c in cols)
    select += f", r.rowid AS {SNAPSHOT_ROW}"  # where the load finds the record again (curate.load)
    any_marked = stage.skip_marked and bool(
        con.execute(
            "SELECT count(*) FROM (SELECT 1 FROM stage_marks WHERE stage = ? AND config_hash = ? LIMIT 1)",
            [stage.name, cfg_hash],
        ).fetchone()[0]
    )
    where, params = input_where(stage, cfg_hash, any_marked=any_marked)
    files = 0
    waiting = pii_waiting(con, stage)  # what this run leaves to the PII stage, kept with its input (see below)
    # the count reads every input text too: under the snapshot's cap, or the pool caches the whole column
    restore = {"memory_limit": db.bulk_memory_limit()}  # the runner's connections are opened with it
    with db.settings(con, restore, memory_limit=snapshot_memory_limit(), threads=SNAPSHOT_THREADS):
        n, n_bytes = con.execute(
            f"SELECT count(*), coalesce(sum(strlen(r.text)), 0) FROM records r WHERE {where}", params
        ).fetchone()
        if n:
            on_inputs()
            shards = useful_shards(n, n_shards)

            # one COPY per shard, in the table's order (deterministic for a catalogue file: DuckDB preserves
            # insertion order; a resumed run reuses the files), in small row groups. No ORDER BY: a sort of the
            # whole input needs memory that grows with it (PARTITION_BY keeps every partition's buffers in memory).
            # The shards are written by up to ``parallel`` threads at once, each on its own cursor (one DuckDB
            # thread per COPY, so each shard keeps the table's order): the snapshot uses the run's cores too.
            # LZ4: a shard is read once, by its rank, right after; snappy (the default) was the snapshot's largest
            # CPU cost and decompressing it a rank's. Uncompressed was as fast but 2.2x the disk (474 MiB at 400k
            # with metadata, whose law-level fields repeat); LZ4 keeps snappy's size (216 MiB) and decodes fastest.
            def copy_shard(k: int) -> None:
                part = snap_dir / f"_shard={k}"
                part.mkdir(parents=True, exist_ok=True)
                out = str(part / "data_0.parquet").replace("'", "''")  # a work root under `O'Brien/`
                cur = con.cursor()
                try:
                    written = cur.execute(
                        f"COPY (SELECT {select} FROM records r WHERE {where} AND hash(r.record_id) % {shards} = {k}"
                        f") TO '{out}' (FORMAT parquet, ROW_GROUP_SIZE {SNAPSHOT_ROW_GROUP}, COMPRESSION lz4)",
                        params,
                    ).fetchall()[0][0]
                finally:
                    cur.close()
                if not written:
                    shutil.rmtree(part, ignore_errors=True)

            if min(parallel, shards) > 1:
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(max_workers=min(parallel, shards), thread_name_prefix="snapshot") as pool:
                    list(pool.map(copy_shard, range(shards)))  # re-raises a shard's error
            else:
                for k in range(shards):
                    copy_shard(k)
        files = len(list(snap_dir.rglob("*.parquet")))
    marker.write_text(json.dumps({"rows": n, "files": files, "bytes": n_bytes, "pii_waiting": waiting}))
    return n, files, n_bytes


def snapshot_pii_waiting(con, stage: Stage, snap_dir: Path) -> int:
    """How many records the run of this snapshot left to the PII stage: counted with its input (its ``_SUCCESS``
    marker), not when the load comes. A run killed and resumed after a PII run (or an ingest) in between recorded
    what waited then (0 after the PII run) where its input still left those records out. A snapshot written before
    the count was kept (or gone): counted now, as before."""
    try:
        info = json.loads((Path(snap_dir) / "_SUCCESS").read_text())
    except (OSError, ValueError):
        info = {}
    waiting = info.get("pii_waiting") if isinstance(info, dict) else None
    return waiting if isinstance(waiting, int) else pii_waiting(con, stage)


def released_inputs(db_path: str | Path, stage: Stage, run_id: str) -> int:
    """How many records run ``run_id`` of ``stage`` released from dedup (a ``duplicate_released`` event of the run: it
    superseded their survivor) that the stage would take now (:func:`input_where`), e.g. raw duplicates a PII run
    made active again by scrubbing their survivor. 0 when another process holds the catalogue past the lock wait (the
    run is finished and recorded; the next run of the stage takes them), with a warning."""
    from provenance.errors import CatalogueBusyError

    where, params = input_where(stage)
    try:
        con = db.connect_readonly(db_path)
    except CatalogueBusyError:
        logging.getLogger(__name__).warning(
            "run %s: another process holds the catalogue, so the records it released were not looked for; run"
            " `curate run %s` again to take them",
            run_id,
            stage.name,
        )
        return 0
    try:
        return con.execute(
            f"""SELECT count(*) FROM records r WHERE {where} AND r.record_id IN (SELECT record_id
                FROM provenance_events WHERE action = 'duplicate_released' AND run_id = $run)""",
            {**params, "run": run_id},
        ).fetchone()[0]
    finally:
        con.close()
