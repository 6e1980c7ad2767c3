"""A run's row (command, arguments, status, times, counts) is sealed in the ledger when the run ends (review 18).

`runs list`/`show`, the portal (a run's bank decides which bank sees its annotation events) and the licence rules
(a run's schema version and paths) read these columns; before, an edit of any of them passed `audit verify`.
"""

from __future__ import annotations

import duckdb
import pytest

from provenance import db, ledger, runs
from provenance.crosscheck import crosscheck


def _problems(path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert ledger.verify(con).ok
        return {k: v for k, v in crosscheck(con).problems.items() if k.startswith("runs:")}
    finally:
        con.close()


def _catalogue(path, n: int = 2) -> list[str]:
    con = db.connect(path)
    try:
        ids = []
        for i in range(n):
            run_id = runs.start_run(con, f"ingest src{i}", "cfg", {"bank": "004", "paths": [f"/in/{i}.jsonl"]})
            ledger.append(con, [ledger.Event(stage="ingest", action="ingest", run_id=run_id, detail={"i": i})])
            runs.finish_run(con, run_id, "finished", {"records": 10 + i})
            ids.append(run_id)
        return ids
    finally:
        con.close()


def _edit(path, sql: str, *params) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(sql, list(params))
    finally:
        con.close()


def test_sealed_runs_verify(tmp_path) -> None:
    path = tmp_path / "c.duckdb"
    _catalogue(path)
    assert _problems(path) == {}


@pytest.mark.parametrize(
    "change",
    [
        "status = 'failed'",
        "counts = '{\"records\": 999}'",
        'params = \'{"bank": "808", "paths": []}\'',
        "finished_at = finished_at - INTERVAL 1 DAY",
        "started_at = started_at - INTERVAL 1 HOUR",
        "command = 'ingest other'",
        "config_hash = 'other'",
        "code_version = 'other'",
        "schema_version = 1",
        "status = 'running', finished_at = NULL",
    ],
)
def test_an_edited_run_row_is_named(tmp_path, change: str) -> None:
    path = tmp_path / "c.duckdb"
    first, _ = _catalogue(path)
    _edit(path, f"UPDATE runs SET {change} WHERE run_id = ?", first)
    problems = _problems(path)
    assert any("run_finished event sealed" in k for k in problems), problems


def test_a_head_moved_to_another_event_is_named(tmp_path) -> None:
    path = tmp_path / "c.duckdb"
    first, _ = _catalogue(path)
    _edit(path, "UPDATE runs SET ledger_seq = 1, ledger_hash = (SELECT hash FROM provenance_events WHERE seq = 1)")
    assert any("run_finished event sealed" in k for k in _problems(path))


def test_a_run_that_ended_without_its_event_is_named(tmp_path) -> None:
    """A run that ended after runs were sealed, but has no run_finished event (one moved to another run id)."""
    path = tmp_path / "c.duckdb"
    _catalogue(path)
    con = db.connect(path)
    try:
        run_id = runs.start_run(con, "ingest late", "cfg", {})
        ledger.append(con, [ledger.Event(stage="ingest", action="ingest", run_id=run_id, detail={})])
    finally:
        con.close()
    assert _problems(path) == {}  # still running: nothing to seal yet
    _edit(path, "UPDATE runs SET status = 'finished', finished_at = now()::TIMESTAMP WHERE run_id = ?", run_id)
    assert any("without a run_finished event" in k for k in _problems(path))


def test_runs_of_an_older_catalogue_still_verify(tmp_path) -> None:
    """Runs that ended before this version (no run_finished event) keep verifying after newer runs are sealed."""
    path = tmp_path / "c.duckdb"
    con = db.connect(path)
    try:
        old = runs.start_run(con, "ingest old", "cfg", {})
        ledger.append(con, [ledger.Event(stage="ingest", action="ingest", run_id=old, detail={})])
        seq, h = ledger.head(con)  # what the old finish_run wrote: the head, no event
        con.execute(
            "UPDATE runs SET status = 'finished', finished_at = now()::TIMESTAMP, counts = '{}', ledger_seq = ?,"
            " ledger_hash = ? WHERE run_id = ?",
            [seq, h, old],
        )
    finally:
        con.close()
    _catalogue(path)
    assert _problems(path) == {}


def test_finish_inside_the_callers_transaction_is_undone_with_it(tmp_path) -> None:
    path = tmp_path / "c.duckdb"
    con = db.connect(path)
    try:
        run_id = runs.start_run(con, "ingest x", "cfg", {})
        before = ledger.head(con)
        con.execute("BEGIN TRANSACTION")
        runs.finish_run(con, run_id, "finished", {"records": 1})
        assert runs.in_transaction(con)  # finish_run neither committed nor ended the caller's transaction
        con.execute("ROLLBACK")
        assert ledger.head(con) == before
        assert con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchall() == [("running",)]
        assert not runs.in_transaction(con)
    finally:
        con.close()


@pytest.mark.parametrize(
    "tamper",
    [
        "INSERT INTO runs (run_id, command, config_hash, code_version, started_at, finished_at, status, counts)"
        " VALUES ('20250101T000000-aaaaaa', 'export dataset', 'x', 'v', '2025-01-01', '2025-01-01', 'finished', '{}')",
        "DELETE FROM runs WHERE command = 'ingest old2'",
        "UPDATE runs SET run_id = '20250101T000000-bbbbbb' WHERE command = 'ingest old2'",
    ],
)
def test_unsealed_runs_added_or_removed_after_sealing_are_named(tmp_path, tamper: str) -> None:
    """A back-dated run row with no head and no events (or an old unsealed one deleted) looked like a run of an
    older catalogue; each seal records the unsealed ended runs, so the set cannot change afterwards."""
    path = tmp_path / "c.duckdb"
    con = db.connect(path)
    try:
        for cmd in ("ingest old", "ingest old2"):
            old = runs.start_run(con, cmd, "cfg", {})
            con.execute(  # what the code before the seal wrote for a run without events: no event, no head
                "UPDATE runs SET status = 'finished', finished_at = now()::TIMESTAMP, counts = '{}' WHERE run_id = ?",
                [old],
            )
    finally:
        con.close()
    _catalogue(path)
    assert _problems(path) == {}
    _edit(path, tamper)
    assert any("not those the newest seal lists" in k for k in _problems(path))
