"""stage_marks has no key (migration 0100, issue 17): its writers must never mark a record twice."""

from __future__ import annotations

from pathlib import Path

from catalogue_query import query as _q

from curate.ingest import ingest
from curate.runner import make_stage, run_stage
from sources.law_moj import LawMojSource

DUPLICATES = (
    "SELECT count(*) FROM (SELECT record_id, stage, config_hash FROM stage_marks GROUP BY ALL HAVING count(*) > 1)"
)


def test_no_key_on_stage_marks(tmp_path: Path, law_fixtures: Path) -> None:
    db = tmp_path / "cat.duckdb"
    ingest(db, LawMojSource([law_fixtures / "chlaw_json/ch"]))
    keys = _q(
        db,
        "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'stage_marks'"
        " AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')",
    )
    assert keys == [(0,)]


def test_every_writer_marks_a_record_once(tmp_path: Path, law_fixtures: Path, monkeypatch) -> None:
    # one result per load batch: a record's results (dedup: a group's survivor is marked from its result
    # and again from the index update) land in different transactions, and reruns find everything marked
    monkeypatch.setenv("CURATE_LOAD_BATCH", "1")
    db = tmp_path / "cat.duckdb"
    ingest(db, LawMojSource([law_fixtures / "chlaw_json/ch", law_fixtures / "chlaw_json/en"]))
    for stage in ("hygiene", "dedup", "hygiene", "dedup"):
        run_stage(db, make_stage(stage), workers=1, tasks=2)
    assert _q(db, DUPLICATES) == [(0,)]
    per_stage = dict(_q(db, "SELECT stage, count(*) FROM stage_marks GROUP BY stage"))
    assert per_stage.get("hygiene", 0) > 0 and per_stage.get("dedup", 0) > 0
    # every mark is of a distinct record per stage and config
    assert _q(db, "SELECT count(*) = count(DISTINCT (record_id, stage, config_hash)) FROM stage_marks") == [(True,)]
