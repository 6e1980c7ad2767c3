"""Bulk ingest: ids computed in SQL equal the Python definition; one ledger event per batch that
`audit verify` recomputes from the records table and `audit record` shows per record."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import duckdb
import pytest

import curate.ingest as ingest_mod
import curate.ingest_fast as fast_mod
from provenance import audit, db
from provenance.batches import BATCH_ACTION
from provenance.records import ingest_record_id, sha256_text
from sources.law_moj import LawMojSource

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    spec = importlib.util.spec_from_file_location("gen_law_dump", ROOT / "bench" / "gen_law_dump.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    dump = tmp_path / "ChLaw.json"
    gen.write_dump(dump, 500)
    monkeypatch.setattr(ingest_mod, "BATCH_RECORDS", 120)
    monkeypatch.setattr(fast_mod, "BULK_BATCH_RECORDS", 120)  # the set-based path cuts batches of whole laws
    rep = ingest_mod.ingest(tmp_path / "cat.duckdb", LawMojSource([dump], scope="all"))
    assert rep.records_new == 500
    return tmp_path / "cat.duckdb"


def _ro(path: Path) -> duckdb.DuckDBPyConnection:
    return db.connect_readonly(path)


def test_sql_ids_equal_the_python_definition_and_one_event_per_batch(catalogue: Path) -> None:
    con = _ro(catalogue)
    try:
        rows = con.execute("SELECT record_id, source_id, locator, text, content_sha256 FROM records").fetchall()
        batches = con.execute(
            f"SELECT detail FROM provenance_events WHERE action = '{BATCH_ACTION}' ORDER BY seq"
        ).fetchall()
        per_record = con.execute(
            "SELECT count(*) FROM provenance_events WHERE stage = 'ingest' AND action <> 'source_registered'"
        ).fetchone()[0]
        sources = con.execute("SELECT count(*) FROM provenance_events WHERE action = 'source_registered'").fetchone()
    finally:
        con.close()
    assert all(r[4] == sha256_text(r[3]) for r in rows)
    assert len(batches) >= 5 and per_record == len(batches) and sources == (1,)  # and the source's row, once
    assert sum(json.loads(d)["records"] for (d,) in batches) == 500


def test_python_id_matches_sql_for_records_with_and_without_version_metadata(tmp_path: Path) -> None:
    from provenance.records import INGEST_RECORD_ID_SQL

    con = duckdb.connect()
    rows = [("law_moj", "G1/zh/1", "本法…", '{"law_name":"銀行法"}'), ("moda", "x.jsonl#3", "文字", None)]
    got = con.execute(
        f"SELECT {INGEST_RECORD_ID_SQL} FROM (VALUES {', '.join(['(?, ?, ?, ?)'] * len(rows))})"
        " t(source_id, locator, text, version_meta)",
        [v for r in rows for v in r],
    ).fetchall()
    assert [g[0] for g in got] == [ingest_record_id(*r) for r in rows]


def test_audit_record_shows_the_batch_event(catalogue: Path) -> None:
    con = _ro(catalogue)
    try:
        rid = con.execute("SELECT record_id FROM records ORDER BY record_id LIMIT 1 OFFSET 250").fetchone()[0]
        report = audit.record_report(con, rid)
    finally:
        con.close()
    batch = [e for e in report["events"] if e["action"] == BATCH_ACTION]
    assert len(batch) == 1 and batch[0]["detail"]["records"] <= 120


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE records SET licence_id = 'CC0-1.0' WHERE record_id = (SELECT min(record_id) FROM records)",
        "UPDATE records SET content_sha256 = sha256('forged') WHERE record_id = (SELECT max(record_id) FROM records)",
        "DELETE FROM records WHERE record_id = (SELECT min(record_id) FROM records)",
        "INSERT INTO records SELECT * REPLACE (sha256('x') AS record_id) FROM records LIMIT 1",
    ],
)
def test_verify_catches_batch_members_changed_after_the_fact(catalogue: Path, tamper: str) -> None:
    con = _ro(catalogue)
    try:
        assert audit.verify(con).ok
    finally:
        con.close()
    con = duckdb.connect(str(catalogue))
    con.execute(tamper)
    con.close()
    con = _ro(catalogue)
    try:
        res = audit.verify(con)
    finally:
        con.close()
    assert not res.ok and "ingest batch digest mismatch" in res.reason


def test_digests_of_several_batches_equal_each_batch_digest(catalogue: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the re-declaration after sealing computes for the batches it touches: each batch's own digest."""
    from provenance.batches import DIGEST_SQL, batch_digest, batch_digests

    con = _ro(catalogue)
    try:
        batches = con.execute(
            f"SELECT seq, run_id, created_at FROM provenance_events WHERE action = '{BATCH_ACTION}' ORDER BY seq"
        ).fetchall()
        assert len(batches) >= 5
        one_by_one = {seq: batch_digest(con, run, at) for seq, run, at in batches}
        in_sql = {  # the definition `audit verify` recomputes, in one grouped query
            seq: (n, digest)
            for seq, n, digest in con.execute(
                f"SELECT e.seq, count(*), {DIGEST_SQL} FROM provenance_events e JOIN records r ON r.run_id = e.run_id"
                f" AND r.created_at = e.created_at AND r.stage = 'ingest' WHERE e.action = '{BATCH_ACTION}' GROUP BY e.seq"
            ).fetchall()
        }
        assert one_by_one == in_sql
        import provenance.batches as batches_mod

        monkeypatch.setattr(batches_mod, "DIGEST_FETCH", 7)  # streamed in steps that cut the member lines
        assert {seq: batch_digest(con, run, at) for seq, run, at in batches} == in_sql
        assert len({d for _, d in one_by_one.values()}) == len(batches)  # distinct batches, distinct digests
        assert batch_digests(con, batches) == one_by_one
        assert batch_digests(con, batches[1:3]) == {s: one_by_one[s] for s, _, _ in batches[1:3]}
        ghost = (10**9, batches[0][1], batches[0][2].replace(year=1999))  # no members
        assert batch_digests(con, [ghost]) == {10**9: (0, "")} == {10**9: batch_digest(con, *ghost[1:])}
        assert batch_digests(con, []) == {}
    finally:
        con.close()
