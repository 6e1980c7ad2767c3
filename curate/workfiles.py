"""A stage run's working files: private permissions, signed results, removal after the load.

The run folder (``<db dir>/.curate/<db>/runs/<run>``) holds the input snapshot and the workers'
results, i.e. pre-PII text. So:

* folders are created ``0700`` and files ``0600`` (the runner works under umask ``077``);
* every results file is signed by the worker that wrote it: an HMAC-SHA256 of its name and bytes
  under the run's key (table ``run_keys``, sealed from the SQL surface), in ``<file>.mac``; the
  loader refuses any results file without a valid MAC (a file planted in the folder is never
  loaded);
* snapshot and results are deleted when the run's load commits; after a failure they stay until
  the run is resumed or abandoned (``curate runs abandon RUN``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from curate.faults import fault

MAC_SUFFIX = ".mac"


def plain_tracebacks() -> None:
    """Make every loguru handler added from now on print tracebacks without the values of their variables.

    loguru's default (``diagnose``) shows each frame's variables, and datatrove logs a worker's exception with it
    into ``logs/logs/task_*.log`` (and the runner's ``console.log``): a stage that raised wrote the records it held,
    text before the PII stage (``Document(text='客戶王小明手機0912345678')``), into log files that stay after the
    run's load commits (review 9 of the fixes). ``LOGURU_DIAGNOSE`` carries it to workers that import loguru
    afresh (Slurm, Ray); handlers added in this process (datatrove's task logger, forked local workers) take the
    changed default of ``logger.add``.
    """
    os.environ["LOGURU_DIAGNOSE"] = "NO"
    from loguru._logger import Logger

    if Logger.add.__kwdefaults__ is not None and "diagnose" in Logger.add.__kwdefaults__:
        Logger.add.__kwdefaults__["diagnose"] = False


def secure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and make it ``0700``."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


@contextmanager
def private_umask() -> Iterator[None]:
    """Create files ``0600`` and folders ``0700`` inside the block (workers forked here inherit it)."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


class RunKey:
    """A run's MAC key; shows as ``<run key>`` in reprs and datatrove's ``executor.json``."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        self._key = bytes(key)

    def __repr__(self) -> str:
        return "<run key>"

    __str__ = __repr__

    def __getstate__(self) -> bytes:
        return self._key

    def __setstate__(self, state: bytes) -> None:
        self._key = state

    def mac(self, path: Path) -> str:
        """HMAC-SHA256 of the file's name and bytes."""
        h = hmac.new(self._key, path.name.encode() + b"\0", hashlib.sha256)
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
        return h.hexdigest()


def sign_as(key: RunKey, tmp: Path, final: Path) -> None:
    """Sign ``tmp`` under the name ``final`` and move it there (MAC first, then the file)."""
    h = hmac.new(key._key, final.name.encode() + b"\0", hashlib.sha256)
    with tmp.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    mac_path = final.with_name(final.name + MAC_SUFFIX)
    mac_tmp = mac_path.with_name(mac_path.name + ".tmp")
    mac_tmp.write_text(h.hexdigest())
    os.replace(mac_tmp, mac_path)
    os.replace(tmp, final)


def unsigned(res_dir: Path, key: RunKey) -> list[str]:
    """Results files in ``res_dir`` whose MAC is missing or wrong (names, for the error message)."""
    bad = []
    for p in sorted(res_dir.glob("*.parquet")):
        mac_path = p.with_name(p.name + MAC_SUFFIX)
        if not mac_path.exists():
            bad.append(f"{p.name} (no MAC)")
        elif not hmac.compare_digest(mac_path.read_text().strip(), key.mac(p)):
            bad.append(f"{p.name} (MAC mismatch)")
    return bad


def run_key(con: duckdb.DuckDBPyConnection, run_id: str) -> RunKey:
    """The run's key from ``run_keys``, created on first use."""
    rows = con.execute("SELECT key FROM run_keys WHERE run_id = ?", [run_id]).fetchall()
    if rows:
        return RunKey(rows[0][0])
    key = secrets.token_bytes(32)
    con.execute("INSERT INTO run_keys VALUES (?, ?, now()::TIMESTAMP)", [run_id, key])
    return RunKey(key)


def drop_run_key(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Forget the run's key (its results are loaded or abandoned)."""
    con.execute("DELETE FROM run_keys WHERE run_id = ?", [run_id])


#: what a run's workers logged (datatrove's task logs, the console, Slurm's job logs): a stage's exception there quotes
#: its message, which may hold a record's raw text (a traceback kept for the failed run's report); and the pipeline
#: datatrove pickles for a Slurm job's tasks (``executor.pik``), which holds the stages' keys: the PII stage's sub-keys,
#: the vault's among them, stayed beside the vault after the load (review 9, integration)
WORKER_LOGS = ("console.log", "logs/logs", "logs/slurm_logs", "logs/executor.pik")


def remove_work(run_dir: Path, *, keep_logs: bool = True) -> None:
    """Delete a run's snapshot and results, what its workers logged and the pipeline pickled for them
    (:data:`WORKER_LOGS`: a failed attempt's traceback, raw text in its message, stayed after the resumed run finished;
    a Slurm job's ``executor.pik``, the PII key in it); ``keep_logs`` keeps the executor's statistics and completion
    marks, else everything goes."""
    fault("work_removal")  # crash tests: the run's last commit made (its load, `runs abandon`), its files still there
    if not keep_logs:
        shutil.rmtree(run_dir, ignore_errors=True)
        return
    for name in ("snapshot", "results", "progress"):
        shutil.rmtree(run_dir / name, ignore_errors=True)
    for p in run_dir.glob("*"):
        if p.is_dir() and p.name not in ("logs",):
            shutil.rmtree(p, ignore_errors=True)
    for name in WORKER_LOGS:
        p = run_dir / name
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


def sweep_done_runs(con: duckdb.DuckDBPyConnection, root: Path) -> list[str]:
    """Delete the work files of runs the catalogue calls finished or abandoned (as :func:`remove_work` does at their
    end); returns their ids. A kill between a run's last commit (its load, or ``runs abandon``'s) and that deletion
    left its snapshot, the text before the PII stage, on disk for good: a finished run is never resumed and
    ``runs abandon`` refuses a finished or abandoned run, so no command removed it. Each stage run sweeps first."""
    runs_dir = root / "runs"
    here = {d.name for d in runs_dir.iterdir() if d.is_dir()} if runs_dir.is_dir() else set()
    if not here:
        return []
    done = con.execute("SELECT run_id, status FROM runs WHERE status IN ('finished', 'abandoned')").fetchall()
    swept = []
    for run_id, status in done:
        run_dir = runs_dir / run_id
        if run_id not in here:
            continue
        if status == "abandoned" or any((run_dir / n).exists() for n in ("snapshot", "results", *WORKER_LOGS)):
            remove_work(run_dir, keep_logs=status == "finished")
            swept.append(run_id)
    return swept


def leftover_notes(con: duckdb.DuckDBPyConnection, db_path: str | Path) -> list[str]:
    """One line per run folder still holding parquet files (`curate pii scan`'s ``unchecked``), saying what removes
    them: ``runs abandon`` refuses a finished or abandoned run, and a folder of no run of this catalogue."""
    runs_dir = work_root(db_path) / "runs"
    if not runs_dir.is_dir():
        return []
    status = dict(con.execute("SELECT run_id, status FROM runs").fetchall())
    notes = []
    for d in sorted(runs_dir.iterdir()):
        if not (d.is_dir() and any(p.suffix == ".parquet" for p in d.rglob("*"))):
            continue
        if status.get(d.name) in ("finished", "abandoned"):
            fix = f"the run is {status[d.name]}: the next `curate run` of any stage removes them"
        elif d.name in status:
            fix = f"resume the run or `curate runs abandon {d.name}` to remove them"
        else:
            fix = "no run of this catalogue has that id: delete the folder once you know whose it is"
        notes.append(
            f"workfile {d}: a run's working files (its input snapshot and results) were matched against the known"
            f" values only; {fix}"
        )
    return notes


def work_root(db_path: str | Path) -> Path:
    """Folder for run snapshots and results, beside the catalogue file."""
    p = Path(db_path).resolve()
    return p.parent / ".curate" / p.name


def abandon_run(db_path: str | Path, run_id: str, reason: str, actor: str | None = None) -> dict[str, str]:
    """End an unfinished run for good: status ``abandoned``, a ledger event, its key and work files gone.

    Refused while the run's process is alive (its run lock is held), for finished runs, for runs whose
    load has committed batches already (:mod:`curate.load`: rerunning the command finishes them) and for an export
    run that recorded its export (killed after its commit: the next export finishes it, ``provenance/export_stage``).
    """
    from curate.runlock import RunLock
    from provenance import ledger, runs
    from provenance.dbnew import connect_existing
    from provenance.errors import UsageError
    from provenance.rollback import rollback

    con = connect_existing(db_path, "`curate runs abandon`")
    try:
        row = con.execute("SELECT command, status FROM runs WHERE run_id = ?", [run_id]).fetchall()
        if not row:
            raise UsageError(f"run `{run_id}` is not in the catalogue; see `curate runs list`")
        command, status = row[0]
        if status not in ("running", "failed"):
            raise UsageError(f"run `{run_id}` is {status}; only running or failed runs can be abandoned")
        loaded = _loaded_batches(con, run_id)
        if loaded:  # its decisions are partly in the catalogue: only finishing the load keeps it consistent
            raise UsageError(
                f"run `{run_id}` has {loaded} result batches loaded already; rerun `{command}` to finish "
                "its load instead of abandoning it"
            )
        if recorded := con.execute(  # killed after its ledger commit: the export is recorded, its files staged
            "SELECT export_id, out_dir FROM exports WHERE run_id = ? ORDER BY export_seq DESC LIMIT 1", [run_id]
        ).fetchone():
            raise UsageError(
                f"run `{run_id}` recorded export {recorded[0]} already; export again instead of abandoning it (any"
                f" export finishes the run, the next one into `{recorded[1]}` puts its files in place)"
            )
        root = secure_dir(work_root(db_path))
        from curate.slurm_submit import refuse_abandon_while_queued

        refuse_abandon_while_queued(root / "runs" / run_id, run_id)
        then = (
            "a live run is not abandoned: stop that process first (Ctrl-C, or kill its pid; the run stays "
            f"resumable) and run `curate runs abandon {run_id}` again, or let it finish (a finished run is kept, "
            "never abandoned)"
        )
        with RunLock(root, command, then=then) as lock:  # refused while the run's process is alive
            lock.set_run(run_id)
            con.execute("BEGIN TRANSACTION")
            try:
                ledger.append(
                    con,
                    [
                        ledger.Event(
                            stage="runs",
                            action="abandon",
                            run_id=run_id,
                            detail={"command": command, "previous_status": status, "reason": reason},
                            actor=actor,
                        )
                    ],
                )
                runs.finish_run(con, run_id, "abandoned", {"abandoned": reason})
                drop_run_key(con, run_id)
                con.execute("COMMIT")
            except BaseException:
                rollback(con)
                raise
            remove_work(root / "runs" / run_id, keep_logs=False)
    finally:
        con.close()
    return {"run_id": run_id, "command": command, "previous_status": status}


def recheck_work(con, run_id: str, run_dir: Path, stage) -> None:
    """Before a resumed run reuses its work folder: what is missing is computed again, never read as less work.

    A snapshot that is gone or cut is written again from the catalogue as it is now (the records the run's
    committed batches decided are marked, so they are not in it); the results and task logs computed from the old
    snapshot go with it, and the committed batches' ids are set apart, so the new results load from their first
    row. A stage whose own work files are gone (:meth:`Stage.work_intact`) runs every task again on the same
    snapshot. A rank whose results file is gone loses its completion mark, so the executor runs it again on the same
    snapshot (the same results: the load goes on after what it committed)."""
    import logging

    from provenance import db

    log = logging.getLogger(__name__)
    snap_dir, res_dir, logs = run_dir / "snapshot", run_dir / "results", run_dir / "logs"
    if not snapshot_intact(snap_dir):
        if not stage.resumes_from_new_snapshot:
            _refuse_after_load(con, stage, run_id, run_dir, "this stage cannot finish a run from a new snapshot")
        if any(run_dir.iterdir()):
            log.warning("run %s: its snapshot is missing or cut; it is written again", run_id)
        _clear(run_dir)  # everything computed from the old snapshot (results, logs, a stage's files)
        with db.transaction(con):
            con.execute(
                "UPDATE run_load_batches SET batch = 'before-snapshot-' || strftime(loaded_at, '%Y%m%d%H%M%S%f')"
                " || '/' || batch WHERE run_id = ? AND batch NOT LIKE 'before-snapshot-%'",
                [run_id],
            )
        return
    if not stage.work_intact(run_dir):
        _refuse_after_load(con, stage, run_id, run_dir, "the rest of the run needs them")
        log.warning("run %s: its stage's work files are missing; its tasks run again", run_id)
        _clear(run_dir, keep="snapshot")  # every rank runs again on the same snapshot
        return
    done = logs / "completions"
    for mark in done.glob("[0-9]*") if done.is_dir() else ():
        if not (res_dir / f"{mark.name}.parquet").exists():
            mark.unlink()


def _loaded_batches(con, run_id: str) -> int:
    """How many load batches of the run have committed (``run_load_batches``)."""
    return con.execute("SELECT count(*) FROM run_load_batches WHERE run_id = ?", [run_id]).fetchone()[0]


def _refuse_after_load(con, stage, run_id: str, run_dir: Path, why: str) -> None:
    """Work files lost after some of the run's load committed cannot be computed again for the rest of it."""
    loaded = _loaded_batches(con, run_id)
    if loaded:
        from provenance.errors import StageError

        raise StageError(
            f"stage `{stage.name}`: work files of run {run_id} ({run_dir}) were lost after {loaded} of its load"
            f" batches committed, and {why}. Put the work folder back from a backup and run the same command again,"
            " or go back to a copy of the catalogue from before the run"
        )


def _clear(run_dir: Path, keep: str | None = None) -> None:
    """Remove what the run's folder holds, but ``keep``."""
    for child in run_dir.iterdir():
        if child.name != keep:
            shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)


def snapshot_files(snap_dir: Path) -> list[Path]:
    """The snapshot's shard files, sorted by name (rank ``r`` of ``n`` reads ``r, r + n, ...``)."""
    return sorted(Path(snap_dir).glob("*/*.parquet"))


def snapshot_intact(snap_dir: Path) -> bool:
    """The snapshot was written to the end (its ``_SUCCESS`` marker) and every shard file it counted is there: a
    work folder cleared or cut while the run was away must not read as a smaller input."""
    marker = Path(snap_dir) / "_SUCCESS"
    try:
        info = json.loads(marker.read_text())
        return int(info["files"]) == len(snapshot_files(snap_dir))
    except (OSError, ValueError, KeyError, TypeError):
        return False
