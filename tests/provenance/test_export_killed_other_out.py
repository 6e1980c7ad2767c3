"""An export killed after its ledger commit, before its run was finished (``export_committed``), is recorded: the next
export into its ``--out`` puts it in place and finishes its run. Before review 18 (crash), an export into ANOTHER
folder came first and ended that run ``failed`` ("interrupted (the process ended before it finished)"), sealed: the
ledger and ``exports`` held a recorded export, later put in place, whose run said it failed. A recorded export's
run ends finished, with the counts its own finish writes, whichever export comes next. Real processes, SIGKILL."""

from __future__ import annotations

import json
import signal

import duckdb

from .test_export_killed import EVALUATION, TRAINING, _curate, _exports, _settled


def _runs(db) -> list[tuple[str, dict]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT status, counts FROM runs WHERE command = 'export dataset' ORDER BY started_at"
        ).fetchall()
    finally:
        con.close()
    return [(s, json.loads(c or "{}")) for s, c in rows]


def test_an_export_into_another_folder_finishes_a_recorded_export_s_run(mixed, cli, db_path, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    rc, log = _curate(db_path, tmp_path, *EVALUATION, "--out", str(a), fault="export_committed")
    assert rc == -signal.SIGKILL, log
    ((killed, _),) = _exports(db_path)
    assert _curate(db_path, tmp_path, *TRAINING, "--out", str(b))[0] == 0
    (status, counts), (other, _) = _runs(db_path)
    assert status == "finished" and counts.get("export_id") == killed, counts
    assert other == "finished"
    assert cli("audit", "verify", db=db_path)[0] == 0
    rc, log = _curate(db_path, tmp_path, *TRAINING, "--out", str(a), "--overwrite")
    assert rc == 0 and f"export {killed}, killed after it was recorded, is now in place" in log, log
    _settled(cli, tmp_path, a)
    assert [s for s, _ in _runs(db_path)] == ["finished"] * 3


def test_a_recorded_export_s_run_is_not_abandoned(mixed, cli, db_path, tmp_path):
    """``runs abandon`` of that run (still ``running``) ended it abandoned beside its recorded export, which the next
    export into its ``--out`` then put in place: refused in one line, the next export finishes it."""
    a, b = tmp_path / "a", tmp_path / "b"
    assert _curate(db_path, tmp_path, *EVALUATION, "--out", str(a), fault="export_committed")[0] == -signal.SIGKILL
    ((killed, _),) = _exports(db_path)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        (run_id,) = con.execute("SELECT run_id FROM runs WHERE command = 'export dataset'").fetchone()
    finally:
        con.close()
    code, _, err = cli("runs", "abandon", run_id, "--reason", "stale", db=db_path)
    assert code == 2 and f"recorded export {killed} already" in err and len(err.strip().splitlines()) == 1, err
    assert [s for s, _ in _runs(db_path)] == ["running"]
    assert _curate(db_path, tmp_path, *TRAINING, "--out", str(b))[0] == 0
    assert [s for s, _ in _runs(db_path)] == ["finished"] * 2
    assert _curate(db_path, tmp_path, *TRAINING, "--out", str(a), "--overwrite")[0] == 0
    _settled(cli, tmp_path, a)
    assert cli("audit", "verify", db=db_path)[0] == 0
