"""A run killed with `kill -9` cannot mark itself: `runs list`, `runs show` and `status` read its run lock
(curate/runlive.py) and show it as gone, not as running (review 12)."""

from __future__ import annotations

import json
import subprocess
import sys

from catalogue_builder import left_by_kill

from provenance import db, runs

_HOLD = """
import sys, time
from pathlib import Path
from curate.runlock import RunLock
from curate.workfiles import secure_dir, work_root
lock = RunLock(secure_dir(work_root(sys.argv[1])), "run hygiene").acquire()
lock.set_run(sys.argv[2])
print("held", flush=True)
time.sleep(600)
"""


def _shown(cli) -> tuple[str, dict, str, str]:
    code, table, err = cli("runs", "list")
    assert code == 0, err
    code, js, err = cli("runs", "list", "--json")
    assert code == 0, err
    code, show, err = cli("runs", "show", "latest")
    assert code == 0, err
    code, status, err = cli("status")
    assert code == 0, err
    return table, json.loads(js.splitlines()[0]), show, status


def test_a_killed_stage_run_is_not_shown_as_running(db_path, cli):
    con = db.connect(db_path)
    run_id = runs.start_run(con, "run hygiene", "x")  # what a stage run killed with -9 leaves
    con.close()
    child = subprocess.Popen([sys.executable, "-c", _HOLD, str(db_path), run_id], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        table, row, show, status = _shown(cli)  # its process holds the lock: running
        assert row["status"] == "running" and row["process"] == "alive"
        assert "process gone" not in table + show + status
    finally:
        child.kill()  # SIGKILL: the kernel drops the lock, nothing marks the run
        child.wait()
        child.stdout.close()
    table, row, show, status = _shown(cli)
    assert row["status"] == "running" and row["process"] == "gone"  # the catalogue's word, and the process's
    for out in (table, show, status):
        assert "running (process gone)" in out, out
    assert f"rerun `curate run hygiene` to resume it, or `curate runs abandon {run_id}`" in show
    code, out, err = cli("status", "--json")
    assert code == 0 and {"run_id": run_id, "process": "gone"}.items() <= json.loads(out.splitlines()[0]).items()


def test_a_run_of_a_command_without_a_run_lock_is_left_as_it_is(db_path, cli):
    con = db.connect(db_path)
    runs.start_run(con, "ingest moda", "x")
    con.close()
    table, row, show, _ = _shown(cli)
    assert row["status"] == "running" and row["process"] is None and "process gone" not in table + show


def test_a_run_submitted_to_slurm_is_not_called_gone(db_path, cli):
    """`curate run --executor slurm` submits the tasks and returns: its run stays running while the job may be
    queued, with no process holding the lock."""
    from curate.slurm_submit import JOB_FILE
    from curate.workfiles import work_root

    con = db.connect(db_path)
    run_id = runs.start_run(con, "run pii", "x")
    con.close()
    left_by_kill(db_path, "run pii", run_id)
    assert _shown(cli)[1]["process"] == "gone"
    run_dir = work_root(db_path) / "runs" / run_id
    run_dir.mkdir(parents=True)
    (run_dir / JOB_FILE).write_text("4242")
    table, row, show, _ = _shown(cli)
    assert row["status"] == "running" and row["process"] is None and "process gone" not in table + show


def test_status_json_lines_name_their_table(db_path, cli):
    """`status --json` printed the rows of its four tables as bare JSON lines: a records row and a licence term
    problems row both carry `records`, so a script summing them counted a manifest's problem records twice. Each
    line now names its table (review 12)."""
    from catalogue_builder import add_records, add_source

    con = db.connect(db_path)
    run_id = runs.start_run(con, "ingest moda", "x")
    add_source(con, "moda", kind="moda", licence_id="CC-BY-4.0")
    meta = {"manifest": "m.csv", "manifest_line": 2, "file": "a.txt", "licence_term_problems": ["expiry missing"]}
    add_records(con, [{"source_id": "moda", "locator": "a.txt", "text": "銀行法第一條。", "metadata": meta}])
    runs.finish_run(con, run_id)
    con.close()
    code, out, err = cli("status", "--json")
    assert code == 0, err
    lines = [json.loads(x) for x in out.splitlines()]
    assert {x["section"] for x in lines} == {"records", "runs", "licence term problems"}
    assert sum(x["records"] for x in lines if x["section"] == "records") == 1


def test_a_copy_of_the_catalogue_never_calls_a_live_run_gone(db_path, cli, tmp_path):
    """Review 12: an auditor's copy of the catalogue file (read-only folder, no work root beside it) has no lock
    file: its running run was shown as `running (process gone)` with `rerun` or `runs abandon` to do, while its
    process was alive at the bank. So was a run whose lock file was deleted under it. Without a lock file to
    query, the run is left as the catalogue says (process null)."""
    import shutil

    from curate.runlock import lock_path
    from curate.workfiles import work_root

    con = db.connect(db_path)
    run_id = runs.start_run(con, "run hygiene", "x")
    con.close()
    left_by_kill(db_path, "run hygiene", run_id)
    assert _shown(cli)[1]["process"] == "gone"  # the catalogue's own work root: its lock is free
    copy = tmp_path / "audit" / "cat.duckdb"
    copy.parent.mkdir()
    shutil.copy(db_path, copy)
    copy.parent.chmod(0o555)
    try:
        for args in (("runs", "list", "--json"), ("runs", "show", "latest", "--json"), ("status", "--json")):
            code, out, err = cli(*args, db=copy)
            assert code == 0, err
            assert '"process": null' in out and '"gone"' not in out, (args, out)
        code, out, err = cli("runs", "show", "latest", db=copy)
        assert code == 0 and "process gone" not in out and "runs abandon" not in out, out
    finally:
        copy.parent.chmod(0o755)
    lock_path(work_root(db_path), "run hygiene").unlink()  # deleted (a clean-up) under a run that may be alive
    assert _shown(cli)[1]["process"] is None


def test_an_auditor_who_cannot_read_the_work_root_still_gets_status(db_path, cli, monkeypatch):
    """Review 12: the work root is 0700, its steward's; an auditor under another user who may read the catalogue
    got `Permission denied` from `status`, `runs list` and `runs show` (pathlib's exists raises on EACCES) as long
    as a stage run was marked running."""
    import os

    from curate.workfiles import work_root

    con = db.connect(db_path)
    run_id = runs.start_run(con, "run hygiene", "x")
    con.close()
    left_by_kill(db_path, "run hygiene", run_id)
    root, real_stat, real_open = str(work_root(db_path)), os.stat, os.open

    def denied(real):
        def call(path, *a, **k):
            if str(path).startswith(root):
                raise PermissionError(13, "Permission denied", str(path))
            return real(path, *a, **k)

        return call

    monkeypatch.setattr(os, "stat", denied(real_stat))
    monkeypatch.setattr(os, "open", denied(real_open))
    table, row, show, status = _shown(cli)
    assert row["status"] == "running" and row["process"] is None
    assert "process gone" not in table + show + status
