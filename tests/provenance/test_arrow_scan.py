"""Arrow rows handed to DuckDB inside a long transaction are freed per statement, not at the commit (issue 17).

DuckDB keeps a registered Arrow *table* alive until the transaction ends, even after ``unregister``;
a stage run's last transaction registered one per chunk and held them all (0.8 GiB at 1M records).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from provenance import db, ledger


def _mib() -> float:
    return pa.total_allocated_bytes() / 2**20


def test_ledger_appends_in_one_transaction_do_not_accumulate(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "cat.duckdb")
    detail = "x" * 1000
    with db.transaction(con):
        before = _mib()
        for page in range(4):
            events = [
                ledger.Event(stage="t", action="a", record_id=f"r{page}-{i}", run_id="run", detail={"d": detail})
                for i in range(20_000)
            ]
            ledger.append(con, events)
            del events
            # each page is ~20 MB of Arrow; held until the commit, four pages would be 80 MB
            assert _mib() - before < 8, f"page {page}: {_mib() - before:.1f} MiB of Arrow still held"
    assert con.execute("SELECT count(*) FROM provenance_events").fetchone()[0] == 80_000
    assert ledger.verify(con).ok
    con.close()


def test_arrow_scan_is_read_once_and_the_temp_table_many_times(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "cat.duckdb")
    table = pa.table({"x": pa.array(range(10), pa.int64())})
    with db.arrow_scan(con, "_once", table):
        assert con.execute("SELECT sum(x) FROM _once").fetchone()[0] == 45
    db.arrow_temp_table(con, "_many", table)
    assert con.execute("SELECT sum(x) FROM _many").fetchone()[0] == 45
    assert con.execute("SELECT count(*) FROM _many a JOIN _many b USING (x)").fetchone()[0] == 10
    con.close()


def test_threads_are_restored_after_the_block_even_on_error(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "cat.duckdb")
    con.execute("SET threads = 1")

    def threads() -> int:
        return int(con.execute("SELECT current_setting('threads')").fetchone()[0])

    with db.settings(con, threads=3):
        assert threads() == 3
    assert threads() == 1
    try:
        with db.settings(con, threads=2):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert threads() == 1
