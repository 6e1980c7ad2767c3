"""Tampering with the ledger through plain DuckDB is detected by `curate audit verify`."""

from __future__ import annotations

import duckdb
import pytest


@pytest.fixture
def ledger_db(builder, db_path):
    b = builder
    b.source("law_moj", "OGDL-Taiwan-1.0")
    ids = [b.record("law_moj", f"A/{i}", f"條文 {i}", pii_state=None) for i in range(6)]  # one event each
    b.version(ids[0], "條文 0 修正", stage="hygiene")
    b.close()
    return db_path


def _events(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT seq, event_id FROM provenance_events ORDER BY seq").fetchall()
    finally:
        con.close()


def _tamper(path, *sql):
    con = duckdb.connect(str(path))
    try:
        for s in sql:
            con.execute(s)
    finally:
        con.close()


def test_intact_ledger_verifies(ledger_db, cli):
    code, out, _ = cli("audit", "verify")
    assert code == 0 and "7 events verified" in out


@pytest.mark.parametrize(
    "sql,bad_seq",
    [
        (['UPDATE provenance_events SET detail = \'{"source_id":"forged"}\' WHERE seq = 3'], 3),
        (["UPDATE provenance_events SET actor = 'mallory' WHERE seq = 2"], 2),
        (["UPDATE provenance_events SET created_at = created_at + INTERVAL 1 SECOND WHERE seq = 5"], 5),
        (["DELETE FROM provenance_events WHERE seq = 4"], 5),
        # delete and renumber to hide the gap: the next event's prev_hash no longer matches
        (
            ["DELETE FROM provenance_events WHERE seq = 4", "UPDATE provenance_events SET seq = seq - 1 WHERE seq > 4"],
            4,
        ),
        # swap two events' positions
        (
            [
                "UPDATE provenance_events SET seq = -1 WHERE seq = 2",
                "UPDATE provenance_events SET seq = 2 WHERE seq = 3",
                "UPDATE provenance_events SET seq = 3 WHERE seq = -1",
            ],
            2,
        ),
        # insert a forged event in the middle (after shifting later ones)
        (
            [
                "UPDATE provenance_events SET seq = seq + 100 WHERE seq >= 4",
                "UPDATE provenance_events SET seq = seq - 99 WHERE seq >= 104",
                "INSERT INTO provenance_events SELECT 4, 'forged', run_id, record_id, stage, action, detail, created_at,"
                " actor, hash, hash FROM provenance_events WHERE seq = 3",
            ],
            4,
        ),
        # forged event appended with a bogus hash
        (
            [
                "INSERT INTO provenance_events SELECT 8, 'forged', run_id, record_id, stage, action, detail, created_at,"
                " actor, hash, repeat('a', 64) FROM provenance_events WHERE seq = 7"
            ],
            8,
        ),
    ],
    ids=[
        "update-detail",
        "update-actor",
        "update-time",
        "delete",
        "delete-renumber",
        "reorder",
        "insert",
        "append-forged",
    ],
)
def test_tampering_is_detected_and_named(ledger_db, cli, sql, bad_seq):
    before = dict(_events(ledger_db))
    _tamper(ledger_db, *sql)
    code, out, _ = cli("audit", "verify")
    assert code == 1, out
    assert f"seq {bad_seq} " in out
    code, out, _ = cli("audit", "verify", "--json")
    import json

    res = json.loads(out)
    assert code == 1 and res["ok"] is False and res["first_bad_seq"] == bad_seq
    if bad_seq in before and "forged" not in " ".join(sql):
        assert res["first_bad_event_id"] in set(before.values())


def test_verify_opens_read_only(ledger_db, cli):
    # a writer holding the file does not matter to correctness; verify never migrates or writes
    mtime = ledger_db.stat().st_mtime_ns
    cli("audit", "verify")
    assert ledger_db.stat().st_mtime_ns == mtime
