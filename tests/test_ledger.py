"""Hash-chained ledger: appends verify, any tampering is named."""

from __future__ import annotations

import duckdb
import pytest

from provenance import db, ledger


@pytest.fixture
def con():
    c = duckdb.connect()
    db.migrate(c)
    ledger.append(
        c,
        [
            ledger.Event("ingest", "ingested", record_id=f"r{i}", run_id="run1", detail={"i": i, "名": "臺"})
            for i in range(50)
        ],
    )
    yield c
    c.close()


def test_chain_verifies(con) -> None:
    res = ledger.verify(con)
    assert res.ok and res.checked == 50
    ledger.append(con, [ledger.Event("hygiene", "rewrite", record_id="r1", detail={"changes": {"x": 1}})])
    assert ledger.verify(con).ok


@pytest.mark.parametrize(
    ("sql", "seq", "why"),
    [
        ("UPDATE provenance_events SET detail = '{\"i\":99}' WHERE seq = 17", 17, "modified"),
        ("UPDATE provenance_events SET actor = 'mallory' WHERE seq = 3", 3, "modified"),
        ("DELETE FROM provenance_events WHERE seq = 20", 21, "deleted"),
        ("UPDATE provenance_events SET seq = CASE seq WHEN 30 THEN 31 ELSE 30 END WHERE seq IN (30, 31)", 30, ""),
    ],
    ids=["update-detail", "update-actor", "delete", "reorder"],
)
def test_tampering_is_named(con, sql: str, seq: int, why: str) -> None:
    con.execute(sql)
    res = ledger.verify(con)
    assert not res.ok
    assert res.first_bad_seq == seq
    assert why in res.reason


@pytest.mark.parametrize("edit", ["DELETE FROM ledger_format", "UPDATE ledger_format SET from_seq = 1000"])
def test_a_changed_ledger_format_is_named_not_an_event(con, edit: str) -> None:
    """Review 7 (ledger, finding 3): deleting or moving ledger_format's row was reported as event seq 1 modified."""
    con.execute(edit)
    res = ledger.verify(con)
    assert not res.ok and res.first_bad_seq == 1
    assert "ledger_format was changed" in res.reason and "format 1, not the format 2" not in res.reason, res.reason
    assert "hashes under format 2" in res.reason and "modified" not in res.reason, res.reason


def test_format_2_moved_back_over_format_1_events_is_named() -> None:
    c = duckdb.connect()
    db.migrate(c)
    c.execute("UPDATE ledger_format SET from_seq = 5")  # a catalogue whose events 1-4 predate format 2
    ledger.append(c, [ledger.Event("ingest", "ingested", record_id=f"r{i}") for i in range(8)])
    assert ledger.verify(c).ok
    c.execute("UPDATE ledger_format SET from_seq = 1")
    res = ledger.verify(c)
    assert res.first_bad_seq == 1 and "ledger_format was changed: the event hashes under format 1" in res.reason
    c.execute("UPDATE ledger_format SET from_seq = 5")
    c.execute("UPDATE provenance_events SET actor = 'mallory' WHERE seq = 2")  # an event edited is still named so
    assert "modified" in ledger.verify(c).reason


def test_inserted_event_detected(con) -> None:
    row = con.execute("SELECT * FROM provenance_events WHERE seq = 10").fetchone()
    con.execute("UPDATE provenance_events SET seq = seq + 1 WHERE seq > 10")  # make room, keep everything else
    con.execute(
        "INSERT INTO provenance_events VALUES (11, 'forged', NULL, 'rX', 'x', 'y', NULL, now()::TIMESTAMP, NULL, ?, ?)",
        [row[-1], "f" * 64],
    )
    res = ledger.verify(con)
    assert not res.ok and res.first_bad_seq == 11


def test_python_and_sql_content_agree() -> None:
    import datetime as dt

    c = duckdb.connect()
    db.migrate(c)
    when = dt.datetime(2026, 1, 2, 3, 4, 5, 6)
    ledger.append(c, [ledger.Event("s", "a", record_id=None, run_id=None, detail=None)], at=when)
    assert ledger.verify(c).ok


def test_small_appends_store_what_arrow_appends_store(monkeypatch) -> None:
    """Up to ``_BOUND_ROWS`` events are bound as parameters, more go through Arrow: the rows are the same."""
    import datetime as dt

    events = [
        ledger.Event(
            "ingest",
            "ingested",
            record_id=f"r{i}",
            run_id=None if i % 3 else "run1",
            actor=None,
            detail=None if i % 4 == 0 else {"i": i, "名": '臺\n"q"'},
        )
        for i in range(7)
    ]
    at = dt.datetime(2026, 12, 3, 12, 0, 0, 123456)
    rows = []
    for bound in (1000, 0):
        monkeypatch.setattr(ledger, "_BOUND_ROWS", bound)
        c = duckdb.connect()
        db.migrate(c)
        ledger.append(c, events, at=at)
        ledger.append(c, events[:2])
        assert ledger.verify(c).ok
        rows.append(c.execute("SELECT * FROM provenance_events ORDER BY seq").fetchall())
        c.close()
    assert rows[0][:7] == rows[1][:7]
    assert [r[:7] + r[8:9] for r in rows[0][7:]] == [r[:7] + r[8:9] for r in rows[1][7:]]  # their own `now()`
