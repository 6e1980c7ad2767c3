"""Verdict batches (provenance/verdicts.py): a load batch writes its per-record ``script_detected`` and
``pii_checked`` verdicts as one ``verdict_batch`` event plus member rows. ``audit verify`` recomputes each batch's
member count and digest, the gates' checks read the members, and ``audit record`` still answers per record (real law
fixture, real runner and stages, real CLI)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from curate.ingest import ingest
from curate.runner import make_stage, run_stage
from provenance import audit, db
from provenance.crosscheck import crosscheck
from provenance.verdicts import VERDICT_BATCH, members_digest
from sources.base import ErrorPolicy
from sources.law_moj import LawMojSource

LAW = "chlaw_json/ch/G0380233.json"


@pytest.fixture
def normalised(law_fixtures: Path, db_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("CURATE_LOAD_BATCH", "7")  # several load batches, so several verdict batches
    ingest(db_path, LawMojSource([law_fixtures / LAW], scope="all"), on_error=ErrorPolicy.RAISE)
    assert run_stage(db_path, make_stage("normalise"), workers=1).status == "finished"
    return db_path


def _one(con, sql: str, params=None):
    return con.execute(sql, params or []).fetchall()


def test_one_event_per_load_batch_and_a_member_per_record(normalised: Path) -> None:
    con = db.connect_readonly(normalised)
    try:
        n = _one(con, "SELECT count(*) FROM records")[0][0]
        batches = _one(con, f"SELECT seq, detail FROM provenance_events WHERE action = '{VERDICT_BATCH}' ORDER BY seq")
        members = _one(con, "SELECT batch_seq, record_id, verdict FROM verdict_members")
        per_record = _one(con, "SELECT count(*) FROM provenance_events WHERE action = 'script_detected'")[0][0]
        scripts = dict(_one(con, "SELECT record_id, script FROM records"))
        assert audit.verify(con).ok and crosscheck(con).ok
    finally:
        con.close()
    assert n > 7 and per_record == 0
    assert len(batches) == -(-n // 7)  # one per load batch of 7 results
    details = [json.loads(d) for _, d in batches]
    assert all(d["action"] == "script_detected" and len(d["digest"]) == 64 for d in details)
    assert sum(d["records"] for d in details) == len(members) == n
    assert {rid: v for _, rid, v in members} == scripts  # each record's verdict is its stored script
    assert {s for s, _, _ in members} == {s for s, _ in batches}


def test_audit_record_answers_per_record(normalised: Path, cli) -> None:
    con = db.connect_readonly(normalised)
    try:
        rid = _one(con, "SELECT min(record_id) FROM records")[0][0]
        report = audit.record_report(con, rid)
        in_batch = _one(
            con,
            "SELECT count(*) FROM verdict_members WHERE batch_seq = (SELECT batch_seq FROM verdict_members"
            " WHERE record_id = ?)",
            [rid],
        )[0][0]
    finally:
        con.close()
    ev = [e for e in report["events"] if e["action"] == "script_detected"]
    assert len(ev) == 1 and ev[0]["record_id"] == rid and ev[0]["stage"] == "normalise"
    detail = json.loads(ev[0]["detail"]) if isinstance(ev[0]["detail"], str) else ev[0]["detail"]
    # its load batch: at most 7 results, ending between records (a record's results are never cut: review 6)
    assert detail["script"] == "traditional" and detail["verdict_batch"]["records"] == in_batch
    assert 1 <= in_batch <= 7
    code, out, err = cli("audit", "record", rid)
    assert code == 0 and "script_detected" in out, out + err


TAMPER = {
    "member removed": "DELETE FROM verdict_members WHERE record_id = (SELECT min(record_id) FROM verdict_members)",
    "verdict edited": "UPDATE verdict_members SET verdict = 'simplified'"
    " WHERE record_id = (SELECT min(record_id) FROM verdict_members)",
    "detail edited": "UPDATE verdict_members SET detail = '{}' WHERE record_id = (SELECT min(record_id) FROM verdict_members)",
    "member added": "INSERT INTO verdict_members SELECT batch_seq, pos + 1000000, 'forged-' || record_id, verdict,"
    " detail FROM verdict_members LIMIT 1",
    "member added at a taken position": "INSERT INTO verdict_members SELECT batch_seq, pos, 'forged-' || record_id,"
    " verdict, detail FROM verdict_members LIMIT 1",
    "members reordered": "UPDATE verdict_members SET pos = -pos",
}


@pytest.mark.parametrize("how", sorted(TAMPER))
def test_an_edited_member_is_caught(normalised: Path, how: str) -> None:
    con = duckdb.connect(str(normalised))
    try:
        con.execute(TAMPER[how])
        chain, cross = audit.verify(con), crosscheck(con)
    finally:
        con.close()
    assert not chain.ok and "verdict batch digest mismatch" in chain.reason
    assert not cross.ok and any("verdict batch digest mismatch" in p for p in cross.problems)


def test_a_member_of_no_batch_is_caught(normalised: Path) -> None:
    con = duckdb.connect(str(normalised))
    try:
        con.execute(
            "INSERT INTO verdict_members SELECT (SELECT max(seq) FROM provenance_events WHERE action <> $a),"
            " pos, record_id, verdict, detail FROM verdict_members LIMIT 1",
            {"a": VERDICT_BATCH},
        )
        chain = audit.verify(con)
    finally:
        con.close()
    assert not chain.ok and "name no verdict batch event" in chain.reason


def test_a_dropped_members_table_is_caught(normalised: Path) -> None:
    con = duckdb.connect(str(normalised))
    try:
        con.execute("DROP TABLE verdict_members")
        chain, cross = audit.verify(con), crosscheck(con)
    finally:
        con.close()
    assert not chain.ok and "verdict_members is missing" in chain.reason
    assert any("verdict_members is missing" in p for p in cross.problems)


def test_script_edited_in_place_is_named_against_the_member(normalised: Path) -> None:
    con = duckdb.connect(str(normalised))
    try:
        rid = _one(con, "SELECT min(record_id) FROM records")[0][0]
        con.execute("UPDATE records SET script = 'simplified' WHERE record_id = ?", [rid])
        cross = crosscheck(con)
    finally:
        con.close()
    assert [f.subject for f in cross.findings if "script_detected verdict" in f.problem] == [rid]


def test_pii_clean_is_earned_by_a_member(law_fixtures: Path, db_path: Path, monkeypatch) -> None:
    """The PII stage's `clean` verdicts are members; a record made `clean` by hand is not one of them."""
    monkeypatch.setenv("CURATE_PII_KEY", "5c" * 32)
    monkeypatch.setenv("CURATE_LOAD_BATCH", "7")
    ingest(db_path, LawMojSource([law_fixtures / LAW], scope="all"), on_error=ErrorPolicy.RAISE)
    assert run_stage(db_path, make_stage("pii"), workers=1).status == "finished"
    # a law ingested after the PII run: its records are unchecked
    more = LawMojSource([law_fixtures / "chlaw_json/ch/G0380237.json"], scope="all")
    assert ingest(db_path, more, on_error=ErrorPolicy.RAISE).records_new
    con = duckdb.connect(str(db_path))
    try:
        clean = _one(con, "SELECT count(*) FROM records WHERE pii_state = 'clean'")[0][0]
        members = _one(
            con,
            "SELECT count(*) FROM verdict_members m JOIN provenance_events e ON e.seq = m.batch_seq"
            " WHERE json_extract_string(e.detail, '$.action') = 'pii_checked' AND m.verdict = 'clean'",
        )[0][0]
        assert clean > 7 and members == clean
        assert crosscheck(con).ok
        held = _one(con, "SELECT min(record_id) FROM records WHERE pii_state IS NULL")[0][0]
        con.execute("UPDATE records SET pii_state = 'clean' WHERE record_id = ?", [held])
        cross = crosscheck(con)
    finally:
        con.close()
    assert [f.subject for f in cross.findings if "claims a PII pass" in f.problem] == [held]


def test_digest_does_not_depend_on_the_scan_order() -> None:
    """Lines are hashed in ``pos`` order: streamed as inserted when that is ``pos`` order, read sorted otherwise."""
    rows = [(i * 3, f"r{i:03d}", "traditional", json.dumps({"i": i})) for i in range(50)]
    con = duckdb.connect()
    con.execute("CREATE TABLE m (pos BIGINT, record_id VARCHAR, verdict VARCHAR, detail VARCHAR)")
    con.executemany("INSERT INTO m VALUES (?, ?, ?, ?)", rows)
    con.execute("CREATE TABLE shuffled AS SELECT * FROM m ORDER BY hash(record_id)")
    ordered = members_digest(con, "SELECT * FROM m")
    assert members_digest(con, "SELECT * FROM shuffled") == ordered
    assert ordered[0] == 50 and ordered != members_digest(con, "SELECT * FROM m WHERE pos > 0")
    # the lines themselves, joined in pos order
    lines = "\n".join(f"{r}:{v}:{d}" for _, r, v, d in rows)
    assert ordered[1] == hashlib.sha256(lines.encode()).hexdigest()
