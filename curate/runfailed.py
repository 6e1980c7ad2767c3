"""A stage run that an error ended: marked ``failed`` (still resumable) with why, and the error says the way on.

Only a ``kill -9`` leaves a run ``running``. The runner calls :func:`ended_by` for whatever ends a run it holds:
a worker's bug on some input (a ``ValueError`` in a stage) showed a traceback and left the run ``running`` for
ever, with neither the run nor how to end it named. ``curate run`` and the pipeline's stages also run inside
:func:`failed_on_out_of_memory`, which names the setting to raise when DuckDB's memory cap stopped the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from curate.diskfull import write_failure
from curate.interrupts import terminated
from curate.runlock import RunLock
from curate.stages.base import Stage
from curate.workfiles import work_root
from provenance import db, runs
from provenance.errors import StageError, WorkbenchError


@contextmanager
def failed_on_out_of_memory(db_path: str | Path, stage: Stage) -> Iterator[None]:
    """Turn DuckDB running out of its memory cap during ``stage``'s run into a ``failed`` (still resumable) run and
    a one-line :class:`StageError` naming the run, the setting to raise and ``curate runs abandon``."""
    try:
        yield
    except Exception as exc:
        if not db.out_of_memory(exc):
            raise
        first = str(exc).splitlines()[0]
        command = f"run {stage.name}"
        with RunLock(work_root(db_path), command):  # the run this process just let go of, no other one's
            con = db.connect(db_path)
            try:
                run_id = runs.find_unfinished(con, command, stage.config_hash)
                if run_id:
                    runs.finish_run(con, run_id, "failed", {"resumable": True, "error": f"out of memory: {first}"})
            finally:
                con.close()
        raise_it = "raise the cap (e.g. CURATE_DUCKDB_MEMORY=2GB) and run the same command again"
        if not run_id:
            raise StageError(
                f"stage `{stage.name}`: DuckDB ran out of its memory cap ({first}) before the run started; nothing"
                f" was written: {raise_it}"
            ) from exc
        raise StageError(
            f"stage `{stage.name}`: run {run_id} failed: DuckDB ran out of its memory cap ({first}). Its committed"
            f" batches are kept: {raise_it} to resume it, or end it with `curate runs abandon {run_id}`"
        ) from exc


#: how long a run whose workers' pipes broke waits for a SIGTERM on its way (the group's stop) before it calls
#: the broken pipe a bug
STOP_GRACE_S = 0.5


def mark_failed(db_path: str | Path, run_id: str, error: str | None = None) -> None:
    """End a run as failed (it stays resumable: :func:`provenance.runs.find_unfinished`). ``error`` says why in
    words of ours: never an exception's message, which may quote a record's text (raw personal data before PII)."""
    con = db.connect(db_path)
    try:
        runs.finish_run(con, run_id, "failed", {"resumable": True, **({"error": error} if error else {})})
    finally:
        con.close()


def ended_by(exc: BaseException, db_path: str | Path, stage: Stage, run_id: str, logs: Path) -> StageError | None:
    """Mark run ``run_id`` failed because ``exc`` ended it; return the one-line error to raise instead of ``exc``
    (a bug: an exception that is not the workbench's own), or None to raise ``exc`` itself.

    The replacement names the exception's type, never its message (it may quote a record's raw text), the run,
    where its traceback is and how to go on; ``--debug`` shows the traceback (the cause)."""
    if isinstance(exc, (EOFError, BrokenPipeError, ConnectionResetError)) and not terminated():
        import time

        time.sleep(STOP_GRACE_S)  # a SIGTERM to the whole group may reach this process just after its workers' end
    if isinstance(exc, KeyboardInterrupt) or terminated():  # SIGTERM to the group: the workers' pipes break first
        mark_failed(db_path, run_id, "interrupted")
        return None
    if not isinstance(exc, Exception) or isinstance(exc, WorkbenchError) or db.out_of_memory(exc):
        mark_failed(db_path, run_id)
        return None
    if full := write_failure(exc):  # the disk, not a bug: say which file and how to go on
        why, file = full
        try:
            mark_failed(db_path, run_id, f"a file could not be written: {why}")
            state = "failed"
        except (OSError, duckdb.Error) as again:  # the catalogue cannot take the mark either: still resumable
            if not write_failure(again):
                raise
            state = "left running"
        where = f" `{file}`" if file else f" (the catalogue `{db_path}` or its work folder `{logs.parent}`)"
        return StageError(
            f"stage `{stage.name}`: run {run_id} {state}: a file could not be written{where}: {why}. Free space there"
            f" (or raise the file-size limit or quota) and run the same command again: its committed batches are"
            f" kept and it resumes after them; or end it with `curate runs abandon {run_id}`"
        )
    what = type(exc).__name__
    mark_failed(db_path, run_id, f"{what} raised (a bug)")
    return StageError(
        f"stage `{stage.name}`: run {run_id} failed: the stage raised {what}, a bug in the workbench (its traceback"
        f" is in {logs} when a worker raised it; `curate --debug` shows it). Its committed batches are kept: run"
        f" the same command again to resume it, or end it with `curate runs abandon {run_id}`; please report the"
        " traceback"
    )
