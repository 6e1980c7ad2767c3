"""The export's pass that finds which stage last changed a text (``provenance/_selection.py``: ``_TEXT_STAGES``)
walks ``version_of`` up to depth 10,000. On a tampered catalogue holding a record id twice on a cycle (rows ('a'
version_of 'a'), ('a', 'b'), ('b', 'a'): migration 0101 dropped the key), each step doubled the walk's rows: the
export never came back (15 s at depth 36). The steps are a set now: a few rows per step."""

from __future__ import annotations

import threading
from pathlib import Path

from provenance import db
from provenance._selection import _TEXT_STAGES

LIMIT_S = 60


def test_a_duplicated_id_on_a_cycle_does_not_hang_the_text_stages(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "cat.duckdb")
    con.executemany(
        "INSERT INTO records (record_id, doc_key, source_id, locator, version_of, status, run_id, created_at, stage,"
        " text) VALUES (?, 'd', 's', 'l', ?, ?, 'r', now(), 'normalise', ?)",
        [
            ("a", "a", "superseded", "x"),
            ("a", "b", "superseded", "y"),
            ("b", "a", "superseded", "z"),
            ("L", "a", "active", "w"),
        ],
    )
    out: list = []
    worker = threading.Thread(target=lambda: out.append(con.execute(_TEXT_STAGES, {"extra": ["L"]}).fetchall()))
    worker.start()
    worker.join(LIMIT_S)
    if worker.is_alive():
        con.interrupt()
        worker.join()
    con.close()
    assert out == [[]], f"the walk did not end within {LIMIT_S} s"
