"""A stage run that DuckDB's memory cap stopped: marked ``failed`` with why, and the error says the way on.

The runner leaves a run ``running`` when an error other than a :class:`~provenance.errors.StageError` ends it, as
a ``kill -9`` would: resumable, but ``curate runs list`` showed it running for ever and the error named neither
the run nor how to end it. ``curate run`` and the pipeline's stages run inside :func:`failed_on_out_of_memory`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from curate.runlock import RunLock
from curate.stages.base import Stage
from curate.workfiles import work_root
from provenance import db, runs
from provenance.errors import StageError


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
