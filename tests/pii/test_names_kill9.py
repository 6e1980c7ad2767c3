"""Issue 17: the source-wide name scrub commits chunk by chunk, and a run killed between chunks resumes.

The run's new labelled names are stored last (with the run's end): a killed run finds the same names
new when it resumes, searches the same records, and ends with the catalogue an uninterrupted run makes.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from catalogue_builder import add_records, add_source
from catalogue_query import ledger_events
from catalogue_query import query as _q
from killed import run_killed

from provenance import db, ledger, runs

ROOT = Path(__file__).resolve().parents[2]
KEY = "5e" * 32
SANCTION = "受處分人：石家銘\n事實：經查石家銘於任職期間挪用客戶款項。\n主旨：核處石家銘新臺幣60萬元罰鍰。"
N_LATER = 5


def _add(path: Path, rows: list[dict]) -> None:
    con = db.connect(path)
    run_id = runs.start_run(con, "test-ingest", rows[0]["locator"])
    add_source(con, "fsc", pii_expected=True)
    add_records(con, rows, run_id=run_id)
    runs.finish_run(con, run_id)
    con.close()


def _build(path: Path, cli) -> None:
    """Cases that name 石家銘 only in running text, checked clean; then a case that labels the name."""
    later = [
        {"source_id": "fsc", "locator": f"later/{i}", "text": f"第{i}案：核處石家銘罰鍰。"} for i in range(N_LATER)
    ]
    _add(path, [*later, {"source_id": "law", "locator": "a/1", "text": "石家銘路段之規定。"}])
    assert cli("-q", "run", "pii", "--workers", "1", db=path)[0] == 0
    assert _q(path, "SELECT count(*) FROM records WHERE pii_state = 'clean'") == [(N_LATER + 1,)]
    _add(path, [{"source_id": "fsc", "locator": "case/1", "text": SANCTION}])


def _state(path: Path):
    recs = _q(
        path,
        "SELECT record_id, version_of, status, pii_state, text, title, CAST(metadata AS VARCHAR), stage"
        " FROM records ORDER BY record_id",
    )
    events = ledger_events(path, "stage = 'pii'")  # less the row seals (each catalogue's own times)
    names = _q(path, "SELECT source_id, digest FROM pii_source_names ORDER BY ALL")
    vault = _q(path, "SELECT record_id FROM raw_vault ORDER BY ALL")
    marks = _q(path, "SELECT record_id, stage, config_hash FROM stage_marks ORDER BY ALL")
    return recs, events, names, vault, marks


def _propagated(path: Path) -> int:
    return _q(
        path,
        "SELECT count(*) FROM provenance_events WHERE action = 'pii_scrubbed'"
        " AND json_extract_string(detail, '$.propagated') = 'source_names'",
    )[0][0]


def _run_killed(path: Path, fault: str, tmp: Path) -> int:
    """`curate run pii` in a child with one record per chunk, SIGKILLed at ``fault`` (the environment
    is the test's: two versions per step)."""
    code = (
        "import sys, curate.pii.source_names as sn; sn.CHUNK = 1\n"
        "from curate.cli import main\n"
        f"main(['--db', {str(path)!r}, '-q', 'run', 'pii', '--workers', '1'])\n"
    )
    env = {**os.environ, "CURATE_FAULT": fault, "CURATE_PII_KEY": KEY, "PYTHONPATH": str(ROOT)}
    return run_killed([sys.executable, "-c", code], env, tmp / "out.log")


@pytest.mark.parametrize(
    "fault, committed",
    [
        ("names_step_0", 2),  # killed after the first step's commit (two chunks of one record)
        ("names_chunk_2", 2),  # killed inside the second step: its first chunk rolls back with it
        ("names_step_1", 4),  # killed mid-way through the source
        ("before_last_transaction", N_LATER),  # every chunk in, the names not stored yet
    ],
)
def test_killed_between_name_chunks_resumes_to_the_uninterrupted_catalogue(
    tmp_path: Path, cli, monkeypatch, fault: str, committed: int
) -> None:
    import curate.pii.source_names as sn

    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    monkeypatch.setenv("CURATE_LOAD_BATCH", "2")  # a step commits two versions (load batches of two results)
    clean, crashed = tmp_path / "clean.duckdb", tmp_path / "crashed.duckdb"
    for p in (clean, crashed):
        _build(p, cli)
    monkeypatch.setattr(sn, "CHUNK", 1)
    assert cli("-q", "run", "pii", "--workers", "1", db=clean)[0] == 0
    # case/1's labelled name reached every later case, checked clean by the earlier run
    assert _propagated(clean) == N_LATER

    assert _run_killed(crashed, fault, tmp_path) == -signal.SIGKILL
    assert _q(crashed, "SELECT status FROM runs WHERE command = 'run pii' ORDER BY started_at") == [
        ("finished",),
        ("running",),
    ]
    assert _propagated(crashed) == committed
    assert _q(crashed, "SELECT count(*) FROM pii_source_names") == [(0,)]  # stored last
    # what a killed run leaves is sealed as it commits: no raw text outside the vault, chunk by chunk
    assert _q(crashed, "SELECT count(*) FROM records WHERE pii_state = 'raw' AND text IS NOT NULL") == [(0,)]

    code, _, err = cli("-q", "run", "pii", "--workers", "1", db=crashed)  # resumes the run
    assert code == 0, err
    assert _state(crashed) == _state(clean)
    assert _q(crashed, "SELECT status FROM runs WHERE command = 'run pii' ORDER BY started_at") == [
        ("finished",),
        ("finished",),
    ]
    active = _q(crashed, "SELECT text FROM records WHERE status = 'active' AND source_id = 'fsc'")
    assert active and all("石家銘" not in t for (t,) in active)
    con = db.connect_readonly(crashed)
    try:
        assert ledger.verify(con).ok
    finally:
        con.close()


def test_a_step_is_left_with_the_exception_that_interrupts_it() -> None:
    """An error inside a step reaches the step's context (the PII stage's transaction rolls back); steps before it
    closed normally (committed); without an error the last, partial step closes too."""
    from contextlib import contextmanager

    from curate.pii.source_names import _Steps

    log: list[str] = []

    @contextmanager
    def step():
        log.append("begin")
        try:
            yield
        except ValueError:
            log.append("rollback")
            raise
        log.append("commit")

    def three_chunks_then_fail() -> None:
        with _Steps(step, rows=2) as steps:
            for n in (1, 1, 1):  # the first step closes after two versions
                steps.begin()
                steps.wrote(n)
            raise ValueError("a chunk failed inside the second step")

    with pytest.raises(ValueError, match="second step"):
        three_chunks_then_fail()
    assert log == ["begin", "commit", "begin", "rollback"]

    log.clear()
    with _Steps(step, rows=5) as steps:
        steps.begin()
        steps.wrote(3)
    assert log == ["begin", "commit"]
