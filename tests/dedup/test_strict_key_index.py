"""The index stores each keyed record's strict key (review 15, migration 0116): a run reads the texts of its new
records of exact groups, not those of the whole earlier cluster again (a form letter pasted into every batch made
each run read every earlier copy: quadratic over runs). An index written before the migration (no keys) still
decides as one run does, reads each earlier text once, and stores its key."""

from __future__ import annotations

import json

from curate.runner import run_stage
from curate.stages.dedup import DedupStage
from provenance import db

from .records import add_records
from .test_incremental_equals_one_shot import _state

LETTER = "親愛的客戶您好：本行謹通知您，自下月起信用卡循環信用年利率{}，詳情請洽客服專線或至各分行洽詢。"


def _batch(i: int) -> list[tuple[str, str, str]]:
    """Per batch three copies of the letter at 1.5% and two at 15% (the same normalised key, other statutes)."""
    rows = [("tabf", f"b{i}-a{j}", LETTER.format("1.5%")) for j in range(3)]
    return rows + [("moda", f"b{i}-b{j}", LETTER.format("15%")) for j in range(2)]


def _texts_read(path, run_id: str) -> int:
    con = db.connect_readonly(path)
    try:
        got = con.execute(
            "SELECT value FROM run_stats WHERE run_id = ? AND metric = 'cluster' AND key = 'strict_key_texts'",
            [run_id],
        ).fetchall()
    finally:
        con.close()
    assert got, "no strict_key_texts counter"
    return int(got[0][0])


def _to_schema_115(path) -> None:
    """The catalogue as curate wrote it before migration 0116: the same index rows, no strict keys."""
    con = db.connect(path)
    try:
        con.execute("ALTER TABLE dedup_signatures DROP COLUMN strict_key")
        con.execute("DELETE FROM _schema_migrations WHERE version = 116")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def test_a_growing_exact_group_is_keyed_from_the_index_and_an_old_index_still_works(tmp_path):
    inc = tmp_path / "inc.duckdb"
    add_records(inc, _batch(0), run_id="ingest-0")
    first = run_stage(inc, DedupStage(), workers=1)
    assert first.status == "finished" and _texts_read(inc, first.run_id) == 5
    _to_schema_115(inc)
    add_records(inc, _batch(1), run_id="ingest-1")  # migrates: the earlier five have no key
    second = run_stage(inc, DedupStage(), workers=1)
    assert _texts_read(inc, second.run_id) == 10  # the old index's five once, and the five new
    con = db.connect_readonly(inc)
    try:
        keys = con.execute("SELECT count(*), count(strict_key), count(DISTINCT strict_key) FROM dedup_signatures")
        assert keys.fetchone() == (10, 10, 2)  # stored now: two texts, two keys
    finally:
        con.close()
    add_records(inc, _batch(2), run_id="ingest-2")
    third = run_stage(inc, DedupStage(), workers=1)
    assert _texts_read(inc, third.run_id) == 5  # the new copies only, not the cluster's ten earlier ones
    one = tmp_path / "one.duckdb"
    add_records(one, _batch(0) + _batch(1) + _batch(2))
    assert run_stage(one, DedupStage(), workers=1).status == "finished"
    got, want = _state(inc), _state(one)
    assert got == want
    # the 1.5% and 15% letters stay apart as exact texts: the 15% copies are near duplicates, never exact ones
    con = db.connect_readonly(inc)
    try:
        matches = {
            json.loads(d)["match"]
            for (d,) in con.execute(
                "SELECT e.detail FROM provenance_events e JOIN records r USING (record_id)"
                " WHERE e.action = 'duplicate_of' AND r.source_id = 'moda'"
            ).fetchall()
        }
    finally:
        con.close()
    assert "near" in matches


def test_a_stale_stored_strict_key_is_computed_again_not_trusted(tmp_path):
    """Stored keys carry the version of strict_key() (its rules, the Unicode database and the fold table it folds
    through): a key stored under another version is read again from the text and rewritten. Here the stale keys
    claim the 1.5% and 15% letters are one text; trusted, the earlier 15% copies would be exact duplicates of the
    1.5% letter, which one run over all records never decides."""
    from curate.dedup.keys import strict_key_version

    inc = tmp_path / "inc.duckdb"
    add_records(inc, _batch(0), run_id="ingest-0")
    assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    con = db.connect(inc)
    try:
        assert (
            con.execute(
                "SELECT count(*) FROM dedup_signatures WHERE strict_key LIKE ?", [strict_key_version() + ":%"]
            ).fetchone()[0]
            == 5
        )
        stale = "0" * 8 if strict_key_version() != "0" * 8 else "1" * 8
        con.execute("UPDATE dedup_signatures SET strict_key = ?", [f"{stale}:{'a' * 32}"])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    add_records(inc, _batch(1), run_id="ingest-1")
    second = run_stage(inc, DedupStage(), workers=1)
    assert _texts_read(inc, second.run_id) == 10  # the five stale ones again, and the five new
    con = db.connect_readonly(inc)
    try:
        keys = con.execute(
            "SELECT count(*), count(DISTINCT strict_key) FROM dedup_signatures WHERE strict_key LIKE ?",
            [strict_key_version() + ":%"],
        ).fetchone()
    finally:
        con.close()
    assert keys == (10, 2)  # rewritten under the current version
    one = tmp_path / "one.duckdb"
    add_records(one, _batch(0) + _batch(1))
    assert run_stage(one, DedupStage(), workers=1).status == "finished"
    assert _state(inc) == _state(one)
    assert _matches(inc) == _matches(one)  # each copy exact or near as one run decides: no stale key splits a text


def _matches(path) -> dict[str, str]:
    """Each duplicate's last match kind (exact or near)."""
    con = db.connect_readonly(path)
    try:
        rows = con.execute(
            "SELECT record_id, detail FROM provenance_events WHERE action = 'duplicate_of' ORDER BY seq"
        ).fetchall()
    finally:
        con.close()
    return {rid: json.loads(d)["match"] for rid, d in rows}
