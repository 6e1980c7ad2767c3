"""Slurm faked for tests: ``sbatch`` and ``squeue`` on PATH, and "the cluster" running a submitted job locally."""

from __future__ import annotations

import os
from pathlib import Path


def fake_slurm(tmp_path: Path, monkeypatch) -> Path:
    """``sbatch`` and ``squeue`` on PATH: sbatch records each call (its environment in ``<bin>/environ``, each job's id
    and name in ``<bin>/jobs``) and answers a new job id (from the call numbered in ``<bin>/fail_from`` on, it fails as
    Slurm refusing the job does);
    squeue lists a job while a line of ``<bin>/queue`` starts with its id: ``ID [STATE [NAME]]``, PENDING and the name it
    was submitted with unless given (an ended job that squeue still shows, another job that got the same id)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sbatch").write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{bin_dir}/calls"\n'
        f'env >> "{bin_dir}/environ"\n'
        f'n=$(wc -l < "{bin_dir}/calls")\n'
        f'if [ -f "{bin_dir}/fail_from" ] && [ "$n" -ge "$(cat "{bin_dir}/fail_from")" ]; then\n'
        '  echo "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2; exit 1\n'
        "fi\n"
        'for a in "$@"; do script="$a"; done\n'
        f'echo "$((4240 + n)) $(sed -n "s/^#SBATCH --job-name=//p" "$script")" >> "{bin_dir}/jobs"\n'
        'echo "Submitted batch job $((4240 + n))"\n'
    )
    (bin_dir / "squeue").write_text(
        "#!/bin/sh\n"  # squeue --noheader --jobs ID --format '%T %j'
        'while [ $# -gt 0 ]; do [ "$1" = --jobs ] && id="$2"; shift; done\n'
        f'grep "^$id\\b" "{bin_dir}/queue" 2>/dev/null | while read -r _ state name; do\n'
        f'  [ -n "$name" ] || name=$(sed -n "s/^$id //p" "{bin_dir}/jobs")\n'
        '  echo "${state:-PENDING} $name"; echo "${state:-PENDING} $name"\n'
        "done\n"
        "exit 0\n"
    )
    for f in ("sbatch", "squeue"):
        (bin_dir / f).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    return bin_dir


def run_submitted_job(path: Path) -> None:
    """ "The cluster" runs the submitted job: the pickled pipeline, same logging dir (completion markers), locally."""
    import dill
    from datatrove.executor import LocalPipelineExecutor

    (pik,) = (path.parent / ".curate" / path.name / "runs").glob("*/logs/executor.pik")
    with pik.open("rb") as fh:
        ex = dill.load(fh)
    LocalPipelineExecutor(ex.pipeline, tasks=ex.world_size, workers=1, logging_dir=ex.logging_dir).run()
