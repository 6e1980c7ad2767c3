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

import shutil
import subprocess
from pathlib import Path
from typing import Any

from provenance.errors import StageError

#: the file in the run's folder holding the id of the job array last submitted for it
JOB_FILE = "slurm_job"


def queued(job_id: str) -> list[str]:
    """The states (``PENDING``, ``RUNNING`` ...) of the job's tasks that Slurm still lists; empty once it left the
    queue (``squeue`` no longer knows an old job's id: that is gone too)."""
    squeue = shutil.which("squeue")
    if squeue is None:
        raise StageError(
            f"`squeue` is not on PATH, so whether Slurm job {job_id} (this run's ranks) is still queued cannot be told;"
            " run the same command again where Slurm's commands are (a login node)"
        )
    done = subprocess.run(
        [squeue, "--noheader", "--jobs", job_id, "--format", "%T"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        if "invalid job id" in done.stderr.lower():
            return []
        first = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise StageError(f"`squeue --jobs {job_id}` failed (exit {done.returncode}: {first}); run the command again")
    return [line.strip() for line in done.stdout.splitlines() if line.strip()]


def submit(stage_name: str, pipeline: list, n_shards: int, run_dir: Path, options: dict[str, Any] | None) -> str | None:
    """Submit the run's incomplete ranks, unless its earlier submission is still in the queue; returns None when every
    rank is complete (the results can be loaded), else the line to show (submitted now, or still queued)."""
    from datatrove.executor import SlurmPipelineExecutor

    logs = str(run_dir / "logs")
    opts = {"time": "04:00:00", "partition": "cpu", **(options or {})}
    ex = SlurmPipelineExecutor(pipeline, tasks=n_shards, logging_dir=logs, **opts)
    incomplete = [r for r in range(n_shards) if not ex.is_rank_completed(r)]
    if not incomplete:
        return None
    job_file = run_dir / JOB_FILE
    if job_file.exists():
        job_id = job_file.read_text().strip()
        states = queued(job_id) if job_id else []
        if states:
            return (
                f"{len(incomplete)} of {n_shards} tasks are not done yet; Slurm job {job_id} is still queued or running"
                f" ({', '.join(sorted(set(states)))}), so nothing was submitted again: run the same command again when"
                f" it finishes to load the results (logs: {run_dir / 'logs'})"
            )
    if shutil.which("sbatch") is None:
        raise StageError(
            f"stage `{stage_name}`: `sbatch` is not on PATH: --executor slurm submits the run's tasks with Slurm's"
            " commands; run it where they are (a login node), or use --executor local or ray"
        )
    try:
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


def refuse_beside_job(run_dir: Path, executor: str) -> None:
    """Refuse to run a resumed run's tasks on ``executor`` (local, ray) while its Slurm job is still queued or running:
    both would compute the same ranks and write the same results files at once."""
    job_file = run_dir / JOB_FILE
    job_id = job_file.read_text().strip() if job_file.exists() else ""
    if job_id and queued(job_id):
        raise StageError(
            f"run `{run_dir.name}`'s tasks are queued or running in Slurm job {job_id}: run the same command with"
            f" --executor slurm when it finishes to load them, or cancel it (`scancel {job_id}`) to run them with"
            f" --executor {executor}"
        )


def refuse_abandon_while_queued(run_dir: Path, run_id: str) -> None:
    """Refuse to abandon a run whose Slurm job is still queued or running: its tasks would write their results (the
    stage's output, text before the PII stage) into the run's folder after the abandon deleted it, for good."""
    job_file = run_dir / JOB_FILE
    job_id = job_file.read_text().strip() if job_file.exists() else ""
    if job_id and queued(job_id):
        raise StageError(
            f"run `{run_id}`'s tasks are still queued or running in Slurm job {job_id}: cancel it first (`scancel"
            f" {job_id}`), then abandon the run; abandoned now, its tasks would write their results after its work"
            " files were deleted"
        )
