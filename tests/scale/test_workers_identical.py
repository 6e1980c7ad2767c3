"""Stages on several workers and shards end with the same catalogue as on one worker."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import duckdb
from catalogue_query import ledger_events

from curate.ingest import ingest
from curate.runner import make_stage, run_stage
from sources.law_moj import LawMojSource

ROOT = Path(__file__).resolve().parents[2]


def _state(path: Path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        recs = con.execute(
            "SELECT record_id, doc_key, version_of, status, text, stage, script, pii_state, near_duplicate_of"
            " FROM records ORDER BY ALL"
        ).fetchall()
        # less the run bookkeeping and the row seals (each catalogue's own times)
        events = ledger_events(path, "stage NOT IN ('ingest', 'run') AND action <> 'verdict_batch'")
        # verdict batches follow the results files (one per load batch); the per-record verdicts must not
        verdicts = con.execute("SELECT record_id, verdict, detail FROM verdict_members ORDER BY ALL").fetchall()
        marks = con.execute("SELECT record_id, stage, config_hash, outcome FROM stage_marks ORDER BY ALL").fetchall()
    finally:
        con.close()
    return recs, events + verdicts, marks


def test_two_workers_four_shards_equal_one_worker(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("gen_law_dump", ROOT / "bench" / "gen_law_dump.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    gen.write_dump(tmp_path / "ChLaw.json", 600)
    one, many = tmp_path / "one" / "cat.duckdb", tmp_path / "many" / "cat.duckdb"
    ingest(one, LawMojSource([tmp_path / "ChLaw.json"], scope="all"))
    many.parent.mkdir()
    shutil.copy(one, many)
    for stage in ("hygiene", "normalise", "dedup"):
        r1 = run_stage(one, make_stage(stage), workers=1, tasks=1)
        r2 = run_stage(many, make_stage(stage), workers=2, tasks=4)
        assert r1.status == r2.status == "finished"
        assert {**r1.counts, "events": 0} == {**r2.counts, "events": 0}  # ledger events follow the load's cut
    recs, events, marks = _state(one)
    assert (recs, events, marks) == _state(many)
    # the stages did decide something (the test can fail)
    assert sum(1 for r in recs if r[3] == "duplicate" or r[8]) > 10
    assert sum(1 for r in recs if r[5] == "normalise") > 5
