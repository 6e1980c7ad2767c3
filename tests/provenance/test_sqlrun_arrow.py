"""An auditor query's result is weighed on DuckDB's Arrow batches before Python holds it (review 13).

`SELECT list(x) FROM range(30000000) t(x)` under `CURATE_SQL_RESULT=1MB` was converted whole into Python objects
(3.6 GB) before the budget refused it; the batches are now weighed in Arrow first. The rows that fit are turned
into Python values by DuckDB itself, so what `curate sql` and `curate audit sql` print (table, --json, --vertical)
is what the direct conversion printed, type for type.
"""

from __future__ import annotations

import tracemalloc

import pytest

from provenance import db, sqlrun
from provenance.errors import ReadOnlyError

#: one row of most of DuckDB's types, the ones Arrow does not carry by default among them (HUGEINT, UUID, TIMETZ, BIT)
TYPES = """SELECT 1::TINYINT a, 2::HUGEINT b, 3::UHUGEINT c, 1.5::DECIMAL(18,3) d, 1.5::DECIMAL(38,10) e,
 'x銀\u202e'::VARCHAR g, '\\xAA'::BLOB h, DATE '2024-01-02' i, TIMESTAMP '2024-01-02 03:04:05.123456' j,
 TIMESTAMPTZ '2024-01-02 03:04:05+08' k, TIME '01:02:03' l, '01:02:03+05'::TIMETZ m,
 INTERVAL '1 month 2 days 3 hours' n, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID p, '101'::BIT q, [1, NULL] r,
 {'x': 1, 'y': 'z'} s, MAP {'k': 1} t, MAP {[1]: 2} t2, [1,2,3]::INTEGER[3] u, 'a'::ENUM('a','b') v,
 '{"a":1}'::JSON w, union_value(num := 2) x, NULL y, TIMESTAMP_NS '2024-01-01 00:00:00.123456789' z,
 'infinity'::TIMESTAMP z4, 12345678901234567890123::VARINT z5, [{'a': [MAP {'q': NULL}]}] z6, 'nan'::DOUBLE z7,
 NULL::INTEGER[] z8, NULL::STRUCT(a INT) z9, 2 AS a"""


@pytest.fixture
def catalogue(db_path):
    db.connect(db_path).close()
    return db_path


def _direct(cur, budget):  # what the command converted before: DuckDB's fetchall
    return cur.fetchall()


def _plain(value):
    """The value DuckDB's own conversion gave where the rows mark an infinite date or timestamp."""
    from provenance.sqlinf import Infinite

    return value.value if isinstance(value, Infinite) else value


def test_values_are_those_of_duckdbs_own_conversion(catalogue):
    con = db.connect_readonly(catalogue, arrow_lossless=True)
    try:
        for query in (TYPES, f"{TYPES} FROM range(3000)", "SELECT * FROM range(0) t(x)"):
            want = con.execute(query).fetchall()
            got = sqlrun.fetch_bounded(con.execute(query), 10**9)
            got = [tuple(_plain(v) for v in r) for r in got]  # an infinite timestamp is marked (provenance/sqlinf.py)
            assert [tuple(map(repr, r)) for r in got] == [tuple(map(repr, r)) for r in want]
            assert [tuple(map(type, r)) for r in got] == [tuple(map(type, r)) for r in want]
    finally:
        con.close()


@pytest.mark.parametrize(
    "args", [("sql",), ("sql", "--json"), ("audit", "sql"), ("audit", "sql", "--json"), ("audit", "sql", "--vertical")]
)
def test_printed_output_is_unchanged(catalogue, cli, monkeypatch, args):
    query = f"{TYPES} FROM range(3) ORDER BY ALL"
    code, new, err = cli(*args, query)
    assert code == 0, err
    monkeypatch.setattr(sqlrun, "fetch_bounded", _direct)
    code, old, err = cli(*args, query)
    assert code == 0, err
    if "--json" not in args:
        assert new == old
        return
    # JSON differs by design where the direct conversion wrote what is not JSON or not true: `NaN` for a NaN and
    # 9999-12-31 for an infinite timestamp (tests/test_sql_json_values.py); every other value is the same
    import json

    def rows(text):
        parsed = json.loads(text) if text.lstrip().startswith("[") else [json.loads(line) for line in text.splitlines()]
        return [{k: v for k, v in r.items() if k not in ("z4", "z7")} for r in parsed], [
            (r["z4"], r["z7"]) for r in parsed
        ]

    new_rows, new_special = rows(new)
    old_rows, _ = rows(old)
    assert new_rows == old_rows
    assert set(new_special) == {("infinity", "nan")}


def test_a_huge_cell_is_refused_before_python_holds_it():
    import duckdb

    cur = duckdb.connect(config={"arrow_lossless_conversion": True}).execute("SELECT list(x) FROM range(3000000) t(x)")
    tracemalloc.start()
    try:
        with pytest.raises(ReadOnlyError, match="CURATE_SQL_RESULT"):
            sqlrun.fetch_bounded(cur, 1_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000, peak  # three million Python ints and a list of them: over 100 MB


def test_the_budget_counts_as_before_at_its_edge():
    import duckdb

    con = duckdb.connect(config={"arrow_lossless_conversion": True})
    query = "SELECT repeat('銀', 10) s, [x, NULL] l, {'k': 'ab'} st FROM range(1000) t(x)"
    exact = sum(sqlrun._ROW + sum(sqlrun._cell_size(v) for v in row) for row in con.execute(query).fetchall())
    assert len(sqlrun.fetch_bounded(con.execute(query), exact)) == 1000
    with pytest.raises(ReadOnlyError, match="after"):
        sqlrun.fetch_bounded(con.execute(query), exact - 1)
