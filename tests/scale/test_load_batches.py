"""The load in small committed batches ends with the same catalogue as the load in one batch."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import duckdb
import pytest
from catalogue_query import ledger_events

from curate.ingest import ingest
from curate.runner import make_stage, run_stage
from curate.workfiles import abandon_run
from provenance import ledger
from provenance.crosscheck import crosscheck
from provenance.errors import UsageError
from sources.law_moj import LawMojSource

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("hygiene", "pii", "normalise", "dedup")


def _write_dump(path: Path, n: int) -> None:
    """The scale benchmark's synthetic law dump (bench/gen_law_dump.py) with ``n`` articles."""
    spec = importlib.util.spec_from_file_location("gen_law_dump", ROOT / "bench" / "gen_law_dump.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    gen.write_dump(path, n)


def _state(path: Path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        recs = con.execute(
            "SELECT record_id, doc_key, version_of, status, text, stage, script, pii_state, near_duplicate_of"
            " FROM records ORDER BY ALL"
        ).fetchall()
        # less the run bookkeeping and the row seals (each catalogue's own times)
        events = ledger_events(
            path, "stage NOT IN ('ingest', 'run') AND action NOT IN ('batch_rekeyed', 'verdict_batch')"
        )
        # verdict batches follow the load's cut; the per-record verdicts must not
        verdicts = con.execute(
            "SELECT m.record_id, e.stage, m.verdict, m.detail FROM verdict_members m"
            " JOIN provenance_events e ON e.seq = m.batch_seq ORDER BY ALL"
        ).fetchall()
        # each load batch's sealing re-declares the ingest batches whose digests it made keyed
        # (curate/pii/rekey.py): how many times depends on the cut, the last declaration must not
        rekeyed = con.execute(
            "SELECT DISTINCT ON (json_extract(detail, '$.batch_seq')) CAST(detail AS VARCHAR) FROM provenance_events"
            " WHERE action = 'batch_rekeyed' ORDER BY json_extract(detail, '$.batch_seq'), seq DESC"
        ).fetchall()
        marks = con.execute("SELECT record_id, stage, config_hash, outcome FROM stage_marks ORDER BY ALL").fetchall()
        vault = con.execute("SELECT count(*) FROM raw_vault").fetchone()[0]
        batches = con.execute("SELECT count(*) FROM run_load_batches").fetchone()[0]
        assert ledger.verify(con).ok
        check = crosscheck(con)  # the tables agree with the ledger (security issue's cross-checks)
        assert check.ok, check.problems
    finally:
        con.close()
    return (recs, events, verdicts, marks, vault, rekeyed), batches


def test_small_batches_equal_one_batch(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CURATE_PII_KEY", "5c" * 32)
    _write_dump(tmp_path / "ChLaw.json", 600)
    whole, small = tmp_path / "whole" / "cat.duckdb", tmp_path / "small" / "cat.duckdb"
    ingest(whole, LawMojSource([tmp_path / "ChLaw.json"], scope="all"))
    small.parent.mkdir()
    shutil.copy(whole, small)
    for stage in STAGES:
        monkeypatch.delenv("CURATE_LOAD_BATCH", raising=False)
        r1 = run_stage(whole, make_stage(stage), workers=1, tasks=2)
        monkeypatch.setenv("CURATE_LOAD_BATCH", "37")
        r2 = run_stage(small, make_stage(stage), workers=1, tasks=2)
        assert r1.status == r2.status == "finished"
        # ledger events follow the cut (one verdict batch per load batch); every other count must not
        assert {**r1.counts, "events": 0} == {**r2.counts, "events": 0}
    (s1, n1), (s2, n2) = _state(whole), _state(small)
    assert s1 == s2
    assert n2 > 4 * n1  # the small run did load in many batches (the test can fail)
    recs = s1[0]
    assert sum(1 for r in recs if r[7] == "scrubbed") > 3  # PII found and scrubbed
    assert s1[4] > 3  # and its raw text sealed
    assert len(s1[2]) > 500  # normalise's and the PII stage's verdicts as verdict batches' members


def test_partly_loaded_run_cannot_be_abandoned(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CURATE_LOAD_BATCH", "10")
    _write_dump(tmp_path / "ChLaw.json", 100)
    db_path = tmp_path / "cat.duckdb"
    ingest(db_path, LawMojSource([tmp_path / "ChLaw.json"], scope="all"))
    # a load that stops after its first batch, as a kill would leave it
    import curate.load as load

    real = load._apply_batch
    calls = {"n": 0}

    def stop_after_one(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(load, "_apply_batch", stop_after_one)
    with pytest.raises(KeyboardInterrupt):
        run_stage(db_path, make_stage("hygiene"), workers=1)
    monkeypatch.setattr(load, "_apply_batch", real)
    con = duckdb.connect(str(db_path), read_only=True)
    # an interrupt marks the run failed (resumable); a kill -9 would leave it running: either cannot be abandoned
    run_id = con.execute("SELECT run_id FROM runs WHERE status = 'failed' AND command = 'run hygiene'").fetchone()[0]
    con.close()
    with pytest.raises(UsageError, match="rerun `run hygiene`"):
        abandon_run(db_path, run_id, "test")
    rep = run_stage(db_path, make_stage("hygiene"), workers=1)
    assert rep.resumed and rep.status == "finished" and rep.counts["results"] == 100


def test_ingest_batches_are_verified_once_per_run(tmp_path: Path, monkeypatch) -> None:
    """Sealed versions get their keyed digests once per run, grouped by ingest batch: each ingest batch is checked
    against its declared digest once and re-declared once, however many load batches sealed its members (keying
    per load batch re-declared, so re-digested, every ingest batch at each of them)."""
    monkeypatch.setenv("CURATE_PII_KEY", "5c" * 32)
    _write_dump(tmp_path / "ChLaw.json", 600)
    db_path = tmp_path / "cat.duckdb"
    ingest(db_path, LawMojSource([tmp_path / "ChLaw.json"], scope="all"))
    import curate.pii.rekey as rekey

    real, calls = rekey.batch_digests, []  # batches digested per call (to re-declare them)
    monkeypatch.setattr(rekey, "batch_digests", lambda con, b: calls.append(len(b)) or real(con, b))
    real_check, checks = rekey.stale_batches, []  # batches checked per call (before they are rekeyed)
    monkeypatch.setattr(rekey, "stale_batches", lambda con, b: checks.append(len(b)) or real_check(con, b))
    monkeypatch.setenv("CURATE_LOAD_BATCH", "37")
    assert run_stage(db_path, make_stage("pii"), workers=1, tasks=2).status == "finished"
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        n_load = con.execute("SELECT count(*) FROM run_load_batches").fetchone()[0]
        redeclared, batches = con.execute(
            "SELECT count(*), count(DISTINCT json_extract(detail, '$.batch_seq')) FROM provenance_events"
            " WHERE action = 'batch_rekeyed'"
        ).fetchone()
        assert ledger.verify(con).ok
        check = crosscheck(con)
        assert check.ok, check.problems
    finally:
        con.close()
    assert n_load > 3 and batches >= 1  # several load batches sealed members of the ingest batch
    assert redeclared == batches  # re-declared once each (the test fails when keying per load batch)
    assert sum(checks) == batches and sum(calls) == redeclared  # one check per ingest batch, one digest each


_SEALED_PLAIN = (
    "SELECT count(*) FROM records r JOIN sources s USING (source_id) WHERE NOT s.pii_expected"
    " AND r.pii_state = 'raw' AND r.text IS NULL AND NOT starts_with(r.content_sha256, 'hmac:')"
)


def test_killed_before_sealed_digests_are_keyed(tmp_path: Path, monkeypatch) -> None:
    """Killed after load batches sealed raw texts but before their digests were keyed (the run keys them once,
    after its last batch): the catalogue verifies as it is, and the resumed run keys them and ends like an
    uninterrupted run."""
    import os
    import signal
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "helpers"))
    from killed import run_killed

    monkeypatch.setenv("CURATE_PII_KEY", "5c" * 32)
    monkeypatch.setenv("CURATE_LOAD_BATCH", "37")
    _write_dump(tmp_path / "ChLaw.json", 600)
    clean, crashed = tmp_path / "clean" / "cat.duckdb", tmp_path / "crashed" / "cat.duckdb"
    ingest(clean, LawMojSource([tmp_path / "ChLaw.json"], scope="all"))
    crashed.parent.mkdir()
    shutil.copy(clean, crashed)
    assert run_stage(clean, make_stage("pii"), workers=1, tasks=2).status == "finished"
    cmd = [sys.executable, "-m", "curate.cli", "--db", str(crashed), "run", "pii", "--workers", "1", "--tasks", "2"]
    env = {**os.environ, "CURATE_FAULT": "after_batch_6", "PYTHONPATH": str(ROOT)}
    assert run_killed(cmd, env, tmp_path / "out.log") == -signal.SIGKILL
    con = duckdb.connect(str(crashed), read_only=True)
    try:
        assert con.execute(_SEALED_PLAIN).fetchone()[0] > 0  # sealed, not keyed yet: the window this test is about
        assert con.execute("SELECT count(*) FROM records WHERE pii_state = 'raw' AND text IS NOT NULL").fetchone() == (
            0,
        )  # no raw text outside the vault
        assert ledger.verify(con).ok
        check = crosscheck(con)
        assert check.ok, check.problems
    finally:
        con.close()
    rep = run_stage(crashed, make_stage("pii"), workers=1, tasks=2)
    assert rep.resumed and rep.status == "finished"
    assert _state(crashed)[0] == _state(clean)[0]
    con = duckdb.connect(str(crashed), read_only=True)
    try:
        assert con.execute(_SEALED_PLAIN).fetchone()[0] == 0
    finally:
        con.close()


def test_batches_find_their_records_by_the_snapshots_rows_or_by_search(tmp_path: Path, monkeypatch) -> None:
    """A load batch reads only the rows its records were at when the snapshot was written (results carry them);
    rows that no longer point at the records (shifted here) make it search the table instead, with the same result."""
    import curate.load as load
    import curate.runner as runner

    monkeypatch.setenv("CURATE_PII_KEY", "5c" * 32)
    monkeypatch.setenv("CURATE_LOAD_BATCH", "50")
    _write_dump(tmp_path / "ChLaw.json", 400)
    good, shifted = tmp_path / "good" / "cat.duckdb", tmp_path / "shifted" / "cat.duckdb"
    ingest(good, LawMojSource([tmp_path / "ChLaw.json"], scope="all"))
    shifted.parent.mkdir()
    shutil.copy(good, shifted)
    found = {"narrow": 0, "search": 0}
    real_at = load._records_at

    def records_at(con, lo, hi, *, narrow):
        found["narrow" if narrow else "search"] += 1
        return real_at(con, lo, hi, narrow=narrow)

    monkeypatch.setattr(load, "_records_at", records_at)
    for stage in ("hygiene", "pii", "normalise"):
        assert run_stage(good, make_stage(stage), workers=1, tasks=2).status == "finished"
    assert found["narrow"] >= 24 and found["search"] == 0  # every batch of the ranks' results by its rows
    real_table = runner._results_to_table

    def shifted_rows(results, stage_name, start, rows=None):
        return real_table(results, stage_name, start, [r + 7 if r is not None else r for r in rows or []] or None)

    monkeypatch.setattr(runner, "_results_to_table", shifted_rows)
    found.update(narrow=0, search=0)
    for stage in ("hygiene", "pii", "normalise"):
        assert run_stage(shifted, make_stage(stage), workers=1, tasks=2).status == "finished"
    assert found["search"] >= 24  # the rows did not hold: searched
    assert _state(good)[0] == _state(shifted)[0]


def test_a_records_results_stay_in_one_batch(tmp_path: Path) -> None:
    """Batches end after a record's last result, from any start and at any size, and together hold every row once."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from curate.load import result_batches

    ids = ["a", "a", "b", "c", "c", "c", "d", "e", "e"]
    pq.write_table(pa.table({"record_id": ids, "ord": list(range(len(ids)))}), tmp_path / "00000.parquet")
    for rows in (1, 2, 3, 4, 50):
        for start in (0, 2, 3, 6):
            got = list(result_batches(tmp_path / "00000.parquet", rows, start))
            seen = [o for _, t in got for o in t.column("ord").to_pylist()]
            assert seen == list(range(start, len(ids))), (rows, start)
            for batch_id, t in got:
                first = t.column("ord")[0].as_py()
                assert batch_id == f"00000.parquet:{first}"
                last = t.column("ord")[-1].as_py()
                assert last == len(ids) - 1 or ids[last] != ids[last + 1], (rows, start, batch_id)


def test_normalise_flags_load_at_any_batch_size(tmp_path: Path, monkeypatch) -> None:
    """A converted record's `normalise` result (its new version) and `flag` result load together: cut between two
    batches, the flag's record was superseded by the run's own earlier batch and the flag was dropped as stale."""
    _write_dump(tmp_path / "ChLaw.json", 600)
    whole, small = tmp_path / "whole.duckdb", tmp_path / "small.duckdb"
    ingest(whole, LawMojSource([tmp_path / "ChLaw.json"], scope="all"))
    shutil.copy(whole, small)
    monkeypatch.delenv("CURATE_LOAD_BATCH", raising=False)
    r1 = run_stage(whole, make_stage("normalise"), workers=1)
    monkeypatch.setenv("CURATE_LOAD_BATCH", "5")
    r2 = run_stage(small, make_stage("normalise"), workers=1)
    assert {**r1.counts, "events": 0} == {**r2.counts, "events": 0} and "stale" not in r2.counts
    sql = "SELECT action, count(*) FROM provenance_events WHERE stage = 'normalise' AND action <> 'verdict_batch' GROUP BY 1 ORDER BY 1"
    flags = {}
    for path in (whole, small):
        con = duckdb.connect(str(path), read_only=True)
        try:
            flags[path] = con.execute(sql).fetchall()
        finally:
            con.close()
    assert flags[whole] == flags[small] and dict(flags[small]).get("flag", 0) > 10
    assert (_state(whole)[0]) == (_state(small)[0])
