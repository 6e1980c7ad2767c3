"""A stage run on Slurm: submit its ranks once, and while they are queued or running, never again.

``curate run STAGE --executor slurm`` submits the run's ranks as a job array (datatrove's
``SlurmPipelineExecutor``) and returns; the same command run again loads the results once every rank is complete.
Run again before that, datatrove submitted the incomplete ranks a second time (it does not look at the queue): two
jobs computed the same ranks at once, each writing ``results/<rank>.parquet.tmp`` over the other's, and the second
submission rewrote ``ranks_to_run.json``, which the first's pending array tasks read for the ranks they run. So the
submitted job's id is kept in the run's folder (``slurm_job``), and while ``squeue`` lists it the command says so and
submits nothing; once it has left the queue, ranks that are still incomplete (failed or cancelled) are submitted again.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from provenance.errors import StageError

#: the file in the run's folder holding the id of the job array last submitted for it
JOB_FILE = "slurm_job"


#: the states of a job that has ended, which ``squeue`` shows for a few minutes after (``MinJobAge``) where
#: ``SQUEUE_STATES`` (e.g. ``all``) asks for them: its tasks write nothing more. Any other state (``PENDING``,
#: ``RUNNING``, ``COMPLETING``, ``SUSPENDED``, ``REQUEUED`` ..., or one not listed here) counts as still queued.
ENDED = frozenset(
    "BOOT_FAIL CANCELLED COMPLETED DEADLINE FAILED NODE_FAIL OUT_OF_MEMORY PREEMPTED REVOKED TIMEOUT".split()
)


#: environment variables that hold a secret or name its file (the PII key, the portal's secret, Label Studio's keys,
#: tokens and passwords): never handed to a Slurm job
_SECRET_ENV = re.compile(r"(CURATE|LABEL_STUDIO)_\w*(KEY|SECRET|TOKEN|PASSWORD)", re.IGNORECASE)


@contextmanager
def secrets_kept_from_jobs() -> Iterator[list[str]]:
    """Inside the block, this process's environment lacks every :data:`_SECRET_ENV` variable (the names are yielded).

    ``sbatch`` hands the job the submitting shell's whole environment (``--export=ALL``, which datatrove passes on every
    call): ``CURATE_PII_KEY`` went into the job's environment, which Slurm keeps with the job (``scontrol show job -d``,
    the accounting database's ``--env-vars``) and hands to every task. The tasks need no key from the environment: the
    PII stage's sub-keys travel in the pickled pipeline (``logs/executor.pik``, removed once its results are loaded)."""
    hidden = {name: value for name, value in os.environ.items() if _SECRET_ENV.match(name)}
    for name in hidden:
        del os.environ[name]
    try:
        yield sorted(hidden)
    finally:
        os.environ.update(hidden)


def job_name(run_dir: Path) -> str:
    """The Slurm job name of the run's tasks (``curate-<run id>``): a job id Slurm gave again (its numbering started
    over, as after a controller's state was lost) to another job is not taken for the run's own."""
    return f"curate-{run_dir.name}"


def queued(job_id: str, run_dir: Path) -> list[str]:
    """The states (``PENDING``, ``RUNNING`` ...) of the tasks of job ``job_id`` (named :func:`job_name`) that are still
    queued or running; empty once it left the queue (``squeue`` no longer knows an old job's id, or lists it as ended:
    :data:`ENDED`), or when the id is now another job's."""
    squeue = shutil.which("squeue")
    if squeue is None:  # Slurm's commands are elsewhere, or gone for good (the way out: the job file)
        raise StageError(
            f"`squeue` is not on PATH, so whether Slurm job {job_id} (this run's ranks) is still queued cannot be told;"
            " run the same command again where Slurm's commands are (a login node); if that job is known to have"
            f" ended (or Slurm is gone), remove `{run_dir / JOB_FILE}` and run it again"
        )
    done = subprocess.run(
        [squeue, "--noheader", "--jobs", job_id, "--format", "%T %j"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        if "invalid job id" in done.stderr.lower():
            return []
        first = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise StageError(f"`squeue --jobs {job_id}` failed (exit {done.returncode}: {first}); run the command again")
    states = []
    for line in done.stdout.splitlines():
        state, _, named = line.strip().partition(" ")
        if state and state not in ENDED and named.strip() == job_name(run_dir):
            states.append(state)
    return states


def submit(stage_name: str, pipeline: list, n_shards: int, run_dir: Path, options: dict[str, Any] | None) -> str | None:
    """Submit the run's incomplete ranks, unless its earlier submission is still in the queue; returns None when every
    rank is complete (the results can be loaded), else the line to show (submitted now, or still queued)."""
    from datatrove.executor import SlurmPipelineExecutor

    logs = str(run_dir / "logs")
    opts = {"time": "04:00:00", "partition": "cpu", **(options or {}), "job_name": job_name(run_dir)}
    ex = SlurmPipelineExecutor(pipeline, tasks=n_shards, logging_dir=logs, **opts)
    incomplete = [r for r in range(n_shards) if not ex.is_rank_completed(r)]
    if not incomplete:
        return None
    job_id, states = _job_of(run_dir)
    if states:
        return (
            f"{len(incomplete)} of {n_shards} tasks are not done yet; Slurm job {job_id} is still queued or running"
            f" ({', '.join(sorted(set(states)))}), so nothing was submitted again: run the same command again when"
            f" it finishes to load the results (logs: {run_dir / 'logs'})"
        )
    job_file = run_dir / JOB_FILE
    if shutil.which("sbatch") is None:
        raise StageError(
            f"stage `{stage_name}`: `sbatch` is not on PATH: --executor slurm submits the run's tasks with Slurm's"
            " commands; run it where they are (a login node), or use --executor local or ray"
        )
    try:
        with secrets_kept_from_jobs():
            ex.run()
    except subprocess.CalledProcessError as exc:
        if ex.job_id:  # the job array went in, the statistics' merge job did not: the array is still watched
            job_file.write_text(str(ex.job_id))
        raise StageError(
            f"stage `{stage_name}`: sbatch refused the run's job (exit {exc.returncode}); check the Slurm options"
            f" (partition {opts['partition']!r}, time {opts['time']!r}) and run the same command again"
        ) from None
    if ex.job_id:
        job_file.write_text(str(ex.job_id))
    return (
        f"submitted {len(incomplete)} tasks to Slurm (job {ex.job_id}); run the same command again when they finish"
        f" to load the results (logs: {run_dir / 'logs'})"
    )


def _job_of(run_dir: Path) -> tuple[str, list[str]]:
    """The run's Slurm job id (``""``: none submitted) and its states while queued or running (empty: ended)."""
    job_file = run_dir / JOB_FILE
    job_id = job_file.read_text().strip() if job_file.exists() else ""
    return job_id, (queued(job_id, run_dir) if job_id else [])


def refuse_beside_job(run_dir: Path, executor: str) -> None:
    """Refuse to run a resumed run's tasks on ``executor`` (local, ray) while its Slurm job is still queued or running:
    both would compute the same ranks and write the same results files at once."""
    job_id, states = _job_of(run_dir)
    if states:
        raise StageError(
            f"run `{run_dir.name}`'s tasks are queued or running in Slurm job {job_id}: run the same command with"
            f" --executor slurm when it finishes to load them, or cancel it (`scancel {job_id}`) to run them with"
            f" --executor {executor}"
        )


def refuse_abandon_while_queued(run_dir: Path, run_id: str) -> None:
    """Refuse to abandon a run whose Slurm job is still queued or running: its tasks would write their results (the
    stage's output, text before the PII stage) into the run's folder after the abandon deleted it, for good."""
    job_id, states = _job_of(run_dir)
    if states:
        raise StageError(
            f"run `{run_id}`'s tasks are still queued or running in Slurm job {job_id}: cancel it first (`scancel"
            f" {job_id}`), then abandon the run; abandoned now, its tasks would write their results after its work"
            " files were deleted"
        )
