"""A result of many tiny rows is bounded and printed without being held twice (review 16, `provenance/sqlrun.py`).

`$CURATE_SQL_RESULT` counted a row's values only (8 for a NULL), so `SELECT NULL FROM range(30000000)` counted
240 MB, under the default budget, while Python held 56 bytes a row and `curate audit sql --json` built a dict per
row and the whole document as one string (2.3 GB for three million rows, past 20 GB for thirty million). A row now
counts its tuple too, and the rows are printed a chunk at a time.
"""

from __future__ import annotations

import json
import tracemalloc

import pytest

from provenance import db, sqlrun
from provenance.errors import ReadOnlyError


@pytest.fixture
def catalogue(db_path):
    db.connect(db_path).close()
    return db_path


@pytest.mark.parametrize("command", [("sql",), ("audit", "sql"), ("audit", "sql", "--json")], ids=" ".join)
def test_tiny_rows_count_their_tuples(catalogue, cli, monkeypatch, command):
    monkeypatch.setenv("CURATE_SQL_RESULT", "1MB")  # 100,000 NULLs: 800 KB of values, 5.6 MB of rows in Python
    code, out, err = cli(*command, "SELECT NULL AS n FROM range(100000)")
    assert code == 2, (code, err)
    assert "CURATE_SQL_RESULT" in err and len(err.strip().splitlines()) == 1 and not out


def test_the_row_cost_is_what_a_row_holds():
    import duckdb

    cur = duckdb.connect(config={"arrow_lossless_conversion": True})
    query = "SELECT NULL AS n FROM range(1000)"
    assert len(sqlrun.fetch_bounded(cur.execute(query), 1000 * (sqlrun._ROW + 8))) == 1000
    with pytest.raises(ReadOnlyError, match="CURATE_SQL_RESULT"):
        sqlrun.fetch_bounded(cur.execute(query), 1000 * (sqlrun._ROW + 8) - 1)


def test_audit_sql_json_is_printed_without_holding_the_document(catalogue, cli):
    rows = 50_000
    cli("audit", "sql", "--json", "SELECT 1 AS x")  # modules imported: their memory is not the output's
    tracemalloc.start()
    try:
        code, out, err = cli("audit", "sql", "--json", f"SELECT x, NULL AS n FROM range({rows}) t(x)")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 0, err
    got = json.loads(out)
    assert len(got) == rows and got[-1] == {"n": None, "x": rows - 1}
    assert out == json.dumps([{"n": None, "x": x} for x in range(rows)], indent=2, sort_keys=True) + "\n"
    # the rows (~100 bytes each), the captured output and a chunk; a dict per row and the document as one string
    # on top of them came to 4.5 times the output
    assert peak < 200 * rows + 2 * len(out), (peak, len(out))
