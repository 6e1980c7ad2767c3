"""A `kill -9` of a stage run's process ends its workers too (review round 3).

The local executor forks its workers; when the run's process was killed, they slept for good, each holding its
shard's texts. A worker now ends within about a second of its parent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from curate.ingest import ingest
from sources.law_moj import LawMojSource

ROOT = Path(__file__).resolve().parents[2]


def _children(pid: int) -> list[int]:
    out = []
    for task in Path("/proc").iterdir():
        if task.name.isdigit():
            try:
                stat = (task / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(task.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_end_with_the_killed_run(tmp_path: Path, law_gen) -> None:
    dump = tmp_path / "dump.json"
    law_gen.write_dump(dump, 20_000)
    db = tmp_path / "c.duckdb"
    ingest(db, LawMojSource([dump]))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CURATE_PII_KEY": "5c" * 32}
    cmd = [sys.executable, "-m", "curate.cli", "--db", str(db), "run", "pii", "--workers", "2"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    workers: list[int] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        if len(workers) >= 2:
            break
        time.sleep(0.05)
    assert proc.poll() is None and len(workers) >= 2, "the run ended before its workers could be seen"
    time.sleep(0.5)  # the workers are at work
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.2)
    left = [w for w in workers if _alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert not left, f"workers {left} outlived the killed run"
