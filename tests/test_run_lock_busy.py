"""A second writer while a stage run's workers run (review 14, crash safety): the catalogue is free then, so the run
lock refuses it, and it exited 1 ("an error") where one that met the catalogue held during the snapshot or the load
exited 75 (``EX_TEMPFAIL``: run it again later), and told the user "if that process is gone, `curate runs abandon`"
of a process the kernel's lock proves alive. Real processes: the first run stops itself (SIGSTOP) at the fault
point ``snapshot_written``, its run lock held and the catalogue closed; nothing here waits on a clock.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from catalogue_query import query as _q

from curate.ingest import ingest
from sources.law_moj import LawMojSource

ROOT = Path(__file__).resolve().parents[1]


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CURATE_LOCK_WAIT": "0.5", **extra}
    if "CURATE_FAULT" not in extra:
        env.pop("CURATE_FAULT", None)
    return env


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "curate.cli", "--db", str(db), *args],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _stopped(pid: int) -> bool:
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state == "T"


@pytest.fixture
def stopped_run(tmp_path: Path, law_fixtures: Path):
    """A `curate run hygiene` stopped by itself right after its snapshot: run lock held, catalogue closed."""
    db = tmp_path / "cat.duckdb"
    ingest(db, LawMojSource([law_fixtures / "chlaw_json/ch"]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "curate.cli", "--db", str(db), "run", "hygiene", "--workers", "1"],
        env=_env(CURATE_FAULT="snapshot_written@STOP"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        while not _stopped(proc.pid):  # the fault point is the marker: the process stops itself there
            assert proc.poll() is None, proc.stdout.read()
            time.sleep(0.05)
        yield db, proc
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        proc.stdout.close()


@pytest.mark.parametrize(
    "args",
    [("run", "hygiene", "--workers", "1"), ("runs", "abandon", "{run}"), ("pipeline", "run", "{pipe}")],
    ids=["second run", "runs abandon of the live run", "a pipeline's stage"],
)
def test_a_writer_refused_by_a_live_run_exits_75_in_one_line_naming_it(stopped_run, tmp_path, args):
    db, first = stopped_run
    pipe = tmp_path / "pipe.toml"
    pipe.write_text('[[stage]]\nname = "hygiene"\n', "utf-8")
    (run_id,) = _q(db, "SELECT run_id FROM runs WHERE command = 'run hygiene'")[0]
    before = _q(db, "SELECT run_id, status FROM runs ORDER BY run_id")
    done = _cli(db, *(a.replace("{run}", run_id).replace("{pipe}", str(pipe)) for a in args))
    assert done.returncode == 75, done.stdout + done.stderr
    err = done.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert f"pid {first.pid}" in err and run_id in err and "already running" in err, err
    if args[0] == "runs":  # once the run has finished, abandoning it is refused too: not "again once finished"
        assert "once it has finished" not in err and "stop that process first" in err, err
        assert f"`curate runs abandon {run_id}` again" in err, err
    else:
        assert "run the command again once it has finished" in err, err
        assert "runs abandon" not in err, err  # the lock proves the process alive: abandoning it is refused too
    assert _q(db, "SELECT run_id, status FROM runs ORDER BY run_id") == before  # nothing written


def test_abandon_refused_by_a_live_run_says_what_works_then(stopped_run):
    """Stopping the process, as the refusal says, and abandoning again works; letting it finish leaves nothing to
    abandon (refused: the message must not have sent the user there)."""
    db, first = stopped_run
    (run_id,) = _q(db, "SELECT run_id FROM runs WHERE command = 'run hygiene'")[0]
    assert _cli(db, "runs", "abandon", run_id).returncode == 75
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=60)
    done = _cli(db, "runs", "abandon", run_id)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _q(db, f"SELECT status FROM runs WHERE run_id = '{run_id}'") == [("abandoned",)]


def test_the_stopped_run_then_finishes_and_the_next_one_runs(stopped_run):
    db, first = stopped_run
    assert _cli(db, "run", "hygiene", "--workers", "1").returncode == 75
    os.kill(first.pid, signal.SIGCONT)
    assert first.wait(timeout=300) == 0, first.stdout.read()
    assert _q(db, "SELECT status FROM runs WHERE command = 'run hygiene'") == [("finished",)]
    (run_id,) = _q(db, "SELECT run_id FROM runs WHERE command = 'run hygiene'")[0]
    late = _cli(db, "runs", "abandon", run_id)
    assert late.returncode == 2 and "is finished" in late.stderr, late.stdout + late.stderr
    again = _cli(db, "run", "hygiene", "--workers", "1")
    assert again.returncode == 0, again.stdout + again.stderr
    assert _cli(db, "audit", "verify").returncode == 0
