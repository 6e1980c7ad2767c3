"""Migration 0113: ``licence_holds`` goes from one row per held record (0112) to one row per held file, and a
catalogue held before it still verifies against its per-record ``licence_disputed`` events."""

from __future__ import annotations

from catalogue_builder import catalogue_before

from provenance import db, ledger
from provenance.holds import HOLD_ACTION, held_containers, verify_holds


def test_migration_keeps_each_held_file_once(tmp_path):
    con = catalogue_before(tmp_path / "old.duckdb", 113)
    at = ledger.now()
    con.executemany(
        "INSERT INTO licence_holds VALUES (?, ?, ?, ?)",
        [(rid, "tabf:a.txt", "run-1", at) for rid in ("r1", "r2")],
    )
    ledger.append(
        con,
        [
            ledger.Event(
                stage="ingest",
                action=HOLD_ACTION,
                record_id=rid,
                run_id="run-1",
                detail={"container": "tabf:a.txt", "reason": "a.txt is also listed on line 3", "status": "held"},
            )
            for rid in ("r1", "r2")
        ],
        at=at,
    )
    assert 113 in db.migrate(con)
    assert con.execute("SELECT container, records, run_id FROM licence_holds").fetchall() == [
        ("tabf:a.txt", 2, "run-1")
    ]
    assert held_containers(con) == frozenset({"tabf:a.txt"})
    assert verify_holds(con) == []
    con.close()
