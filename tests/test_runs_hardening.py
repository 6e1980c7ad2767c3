"""Runs that hang or collide, and working files that outlive their use (issue 12 §3, §5).

Real datatrove local executors in real processes; kills are real SIGKILLs.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from catalogue_query import ledger_events
from catalogue_query import query as _q

from curate.ingest import ingest
from curate.runlock import RunLockedError
from curate.runner import make_stage, run_stage, work_root
from provenance import ledger
from provenance.errors import StageError
from sources.law_moj import LawMojSource

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def law_db(tmp_path: Path, law_fixtures: Path) -> Path:
    path = tmp_path / "cat.duckdb"
    ingest(path, LawMojSource([law_fixtures / "chlaw_json/ch"]))
    return path


def _cli(db: Path, *args: str, fault: str | None = None, timeout: float = 300) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CURATE_FAULT", None)
    if fault:
        env["CURATE_FAULT"] = fault
    proc = subprocess.Popen(
        [sys.executable, "-m", "curate.cli", "--db", str(db), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)  # a hang fails here instead of blocking the suite
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return proc.returncode, out


def _state(path: Path):
    return (
        _q(path, "SELECT record_id, version_of, status, text, stage FROM records ORDER BY record_id"),
        ledger_events(path),  # less the run bookkeeping and the row seals (each catalogue's own times)
    )


def test_killed_worker_fails_the_run_and_it_resumes(tmp_path: Path, law_fixtures: Path, law_db: Path) -> None:
    clean = tmp_path / "clean.duckdb"
    ingest(clean, LawMojSource([law_fixtures / "chlaw_json/ch"]))
    run_stage(clean, make_stage("hygiene"), workers=2, tasks=4)
    # the worker running rank 1 is SIGKILLed (as the OOM killer would); the parent must not wait forever
    rc, out = _cli(law_db, "run", "hygiene", "--workers", "2", "--tasks", "4", fault="after_rank_1")
    assert rc == 1, out
    assert "killed by signal 9" in out and "rerun the same command to resume" in out, out
    assert "Traceback" not in out
    assert _q(law_db, "SELECT status FROM runs WHERE command = 'run hygiene'") == [("failed",)]
    rep = run_stage(law_db, make_stage("hygiene"), workers=2, tasks=4)
    assert rep.resumed and rep.status == "finished"
    assert _state(law_db) == _state(clean)
    assert ledger.verify(duckdb.connect(str(law_db), read_only=True)).ok


def test_second_live_run_is_refused_and_a_dead_ones_run_is_resumed(law_db: Path, tmp_path: Path) -> None:
    root = work_root(law_db)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from curate.runlock import RunLock; "
            f"lock = RunLock(Path({str(root)!r}), 'run hygiene').acquire(); lock.set_run('run-live'); "
            "print('ready', flush=True); time.sleep(600)",
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(RunLockedError) as exc:
            run_stage(law_db, make_stage("hygiene"), workers=1)
        msg = str(exc.value)
        assert f"pid {holder.pid}" in msg and "run-live" in msg and "already running" in msg
        assert _q(law_db, "SELECT count(*) FROM runs WHERE command = 'run hygiene'") == [(0,)]
        rc, out = _cli(law_db, "run", "hygiene", "--workers", "1")
        assert rc == 75 and "already running" in out and "Traceback" not in out
    finally:
        holder.kill()  # dies holding the lock: the kernel releases it
        holder.wait()
    rep = run_stage(law_db, make_stage("hygiene"), workers=1)
    assert rep.status == "finished"


def test_work_files_private_signed_and_deleted(law_db: Path, tmp_path: Path) -> None:
    rc, out = _cli(law_db, "run", "hygiene", "--workers", "1", "--tasks", "2", fault="before_load")
    assert rc == -signal.SIGKILL, out
    (run_id,) = _q(law_db, "SELECT run_id FROM runs WHERE command = 'run hygiene'")[0]
    run_dir = work_root(law_db) / "runs" / run_id
    results = run_dir / "results"
    for d in (work_root(law_db), run_dir, results, run_dir / "snapshot"):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    files = [p for p in run_dir.rglob("*") if p.is_file() and "logs" not in p.parts]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files), [
        (p, oct(p.stat().st_mode)) for p in files
    ]
    assert sorted(p.name for p in results.glob("*.mac")) == sorted(p.name + ".mac" for p in results.glob("*.parquet"))

    # plant a results file that relabels a record CC0 (what a COPY through the SQL surface used to do)
    rid = _q(law_db, "SELECT record_id FROM records WHERE status = 'active' LIMIT 1")[0][0]
    forged = pa.table(
        {
            "record_id": [rid],
            "action": ["rewrite"],
            "new_text": ["偽造"],
            "new_id": ["f" * 64],
            "set_status": pa.array([None], pa.string()),
            "set_pii_state": pa.array([None], pa.string()),
            "detail": ["{}"],
            "fields": ['{"licence_id": "CC0-1.0"}'],
            "mark": [True],
            "outcome": ["rewritten"],
            "ord": pa.array([7], pa.int64()),
        }
    )
    pq.write_table(forged, results / "99999.parquet")
    with pytest.raises(StageError) as exc:
        run_stage(law_db, make_stage("hygiene"), workers=1, tasks=2)
    assert "99999.parquet (no MAC)" in str(exc.value) and "abandon" in str(exc.value)
    # a copied MAC does not fit another file either
    (results / "99999.parquet.mac").write_text((results / "final.parquet.mac").read_text())
    with pytest.raises(StageError, match="MAC mismatch"):
        run_stage(law_db, make_stage("hygiene"), workers=1, tasks=2)
    assert _q(law_db, "SELECT count(*) FROM records WHERE licence_id = 'CC0-1.0' OR text = '偽造'") == [(0,)]

    rc, out = _cli(law_db, "runs", "abandon", run_id, "--reason", "planted results")
    assert rc == 0 and "abandoned" in out, out
    assert not run_dir.exists()
    assert _q(law_db, f"SELECT status FROM runs WHERE run_id = '{run_id}'") == [("abandoned",)]
    ev = _q(law_db, f"SELECT detail FROM provenance_events WHERE action = 'abandon' AND run_id = '{run_id}'")
    assert json.loads(ev[0][0])["reason"] == "planted results"
    rc, out = _cli(law_db, "runs", "abandon", run_id)
    assert rc == 2 and "abandoned" in out

    rep = run_stage(law_db, make_stage("hygiene"), workers=1, tasks=2)
    assert not rep.resumed and rep.status == "finished"
    new_dir = work_root(law_db) / "runs" / rep.run_id
    assert not (new_dir / "results").exists() and not (new_dir / "snapshot").exists()
    assert _q(law_db, "SELECT count(*) FROM records WHERE licence_id = 'CC0-1.0'") == [(0,)]
    assert _q(law_db, "SELECT count(*) FROM run_keys") == [(0,)]
    code, out = _cli(law_db, "audit", "verify")
    assert code == 0, out


def test_killed_ingest_does_not_stay_running(law_db: Path, law_fixtures: Path) -> None:
    from provenance import db, runs

    con = db.connect(law_db)
    stale = runs.start_run(con, "ingest law_moj", "x")  # what a kill -9 during an ingest leaves
    con.close()
    ingest(law_db, LawMojSource([law_fixtures / "chlaw_json/ch"]))
    assert _q(law_db, f"SELECT status FROM runs WHERE run_id = '{stale}'") == [("failed",)]
    assert _q(law_db, "SELECT count(*) FROM runs WHERE status = 'running'") == [(0,)]


def test_reingesting_the_same_bad_input_adds_no_quarantine_rows(tmp_path: Path) -> None:
    from sources.moda import ModaSource

    f = tmp_path / "ds" / "part.jsonl"
    f.parent.mkdir()
    f.write_text('{"id": "a", "text": "金融監督管理委員會。"}\n{not json\n', encoding="utf-8")
    db = tmp_path / "q.duckdb"
    for _ in range(2):
        rep = ingest(db, ModaSource([f.parent], licence_id="CC-BY-4.0"))
        assert rep.quarantined == 1
    assert _q(db, "SELECT count(*) FROM quarantine") == [(1,)]


def test_audit_record_shows_checked_unchanged_marks(law_db: Path) -> None:
    run_stage(law_db, make_stage("hygiene"), workers=1)
    rid, outcome = _q(
        law_db,
        "SELECT m.record_id, m.outcome FROM stage_marks m JOIN records r USING (record_id)"
        " WHERE m.stage = 'hygiene' AND r.status = 'active' ORDER BY 1 LIMIT 1",
    )[0]
    rc, out = _cli(law_db, "audit", "record", rid, "--json")
    assert rc == 0, out
    marks = json.loads(out)["marks"]
    assert [(m["record_id"], m["stage"], m["outcome"]) for m in marks] == [(rid, "hygiene", outcome)]
    rc, out = _cli(law_db, "audit", "record", rid)
    assert rc == 0 and "checked, unchanged (stage marks) (1)" in out, out
