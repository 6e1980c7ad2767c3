"""An auditor query that DuckDB cannot interrupt (review 15, sql): DuckDB checks for an interrupt between chunks,
not inside one function call, and `curate sql` waited for the interrupted query without bound. `levenshtein` over
two strings of a million characters is one call of about 10^12 steps (hours): `CURATE_SQL_TIMEOUT=1` said "stopped
after 1 s" minutes later, or never, and Ctrl-C or `kill` did not stop it either, while its read lock kept every writer
(`curate run`, `ingest`, `export`) out. Now the command gives up on it and exits; the catalogue is free again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from provenance.db import connect

ROOT = Path(__file__).resolve().parents[2]

#: one function call DuckDB does not interrupt, hours long
DEAF = "SELECT levenshtein(repeat('a', 1000000), repeat('b', 1000000)) AS d"


def _writer_gets_the_catalogue(db_path: Path) -> None:
    con = connect(db_path)  # read-write: fails while any other process holds the file's lock
    con.close()


@pytest.mark.timeout(300)
@pytest.mark.parametrize("command", ["sql", "audit sql"])
def test_the_time_limit_ends_a_query_deaf_to_interrupts(mixed, db_path, command):
    env = dict(os.environ, CURATE_SQL_TIMEOUT="1")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "curate.cli", "--db", str(db_path), *command.split(), DEAF],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=env,
            timeout=240,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("CURATE_SQL_TIMEOUT=1 did not end the query: the command waited for it")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "CURATE_SQL_TIMEOUT" in lines[0], done.stderr
    _writer_gets_the_catalogue(db_path)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_ends_a_query_deaf_to_interrupts(mixed, db_path, signum):
    proc = subprocess.Popen(
        [sys.executable, "-m", "curate.cli", "--db", str(db_path), "sql", DEAF],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(5)  # started and inside the query
    proc.send_signal(signum)
    try:
        code = proc.wait(240)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"{signum.name} did not end the query: the command waited for it")
    assert code != 0 and "Traceback" not in proc.stderr.read()
    _writer_gets_the_catalogue(db_path)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_second_signal_in_the_grace_does_not_hang_the_command(mixed, db_path, signum):
    """Review 15 (sql-r): nothing happens for 5 s after Ctrl-C (the grace), so a user presses it again (a supervisor
    sends SIGTERM again): that second KeyboardInterrupt came out of the wait as itself, not as the query left
    behind, and `run_readonly_sql` closed the connection, a close that waits for the call: hours, the lock held."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "curate.cli", "--db", str(db_path), "sql", DEAF],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(5)
    proc.send_signal(signum)
    time.sleep(1.5)  # inside the grace
    proc.send_signal(signum)
    try:
        code = proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"a second {signum.name} made the command wait for the query it abandons")
    err = proc.stderr.read()
    assert code != 0 and "Traceback" not in err, err
    _writer_gets_the_catalogue(db_path)
