"""Checkpoints leave a batch's row groups as written (no vacuum merges of partial row groups).

Two bulk appends larger than a row group each end in a partial row group. DuckDB's checkpoint vacuum merged
runs of such groups that fit in fewer, rewriting every row of them at whichever checkpoint came next (a later
command's): seconds and tens of MB of free blocks at scale. The catalogue's writers turn it off.
"""

from __future__ import annotations

import duckdb

from provenance import db

ROW_GROUP = 122_880


def _layout(path) -> list[tuple[int, int, int]]:
    """(row group, rows, first block) of the records' text column."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT row_group_id, sum(count)::BIGINT, min(block_id) FROM pragma_storage_info('records')"
            " WHERE column_name = 'text' AND segment_type <> 'VALIDITY' GROUP BY row_group_id ORDER BY row_group_id"
        ).fetchall()
    finally:
        con.close()


def _append(con, first: int, n: int) -> None:
    con.execute("BEGIN TRANSACTION")
    con.execute(
        "INSERT INTO records (record_id, doc_key, source_id, locator, text, status, run_id, created_at, stage)"
        " SELECT printf('r%09d', i), printf('d%09d', i), 's', printf('l%09d', i), repeat('文', 40) || i, 'active',"
        " 'run', now()::TIMESTAMP, 'ingest'"
        " FROM range($a, $b) t(i)",
        {"a": first, "b": first + n},
    )
    con.execute("COMMIT")


def test_a_later_checkpoint_does_not_rewrite_earlier_batches(tmp_path):
    path = tmp_path / "c.duckdb"
    # 1.2 and 0.4 row groups: the three partial groups would fit in two, which DuckDB's vacuum merged
    con = db.connect(path)
    _append(con, 0, ROW_GROUP + 20_000)
    _append(con, 10**7, 50_000)
    con.close()
    written = _layout(path)
    assert sum(rows for _, rows, _ in written) == ROW_GROUP + 70_000
    assert len(written) == 3, written  # a partial group per batch, as written

    con = db.connect(path)  # a later command: a small write, then its checkpoint at close
    con.execute(
        "INSERT INTO runs (run_id, command, config_hash, code_version, started_at, status)"
        " VALUES ('x', 'test', '', '', now()::TIMESTAMP, 'done')"
    )
    con.close()
    assert _layout(path) == written  # same groups, same blocks: nothing rewritten
