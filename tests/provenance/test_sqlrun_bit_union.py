"""Review 18, neighbours of the BIGNUM floor: a BIT's Python value is a string of one character a bit (eight a stored
byte) and a UNION's is its member's value, yet both weighed 8 bytes a value on the Arrow floor, so a page of
``bitstring('1', 10**6)`` or of ``union_value(s := repeat('x', 10**6))`` became Python strings before the budget
refused them. The floor stays at most Python's count, whatever the type."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from provenance.errors import ReadOnlyError
from provenance.sqlrun import _cell_size, _floor, fetch_bounded

UNION = "UNION(s VARCHAR, i INT, b BLOB)"
QUERIES = [
    *(f"SELECT bitstring('1', {k}) v UNION ALL SELECT NULL" for k in (1, 7, 8, 9, 16, 17, 1000)),
    f"SELECT union_value(s := repeat('x', 500))::{UNION} v UNION ALL SELECT NULL"
    f" UNION ALL SELECT union_value(i := 3)::{UNION} UNION ALL SELECT union_value(b := 'xyz'::BLOB)::{UNION}",
    "SELECT [union_value(s := repeat('x', 500))::UNION(s VARCHAR, i INT), NULL] v UNION ALL SELECT NULL",
    "SELECT {'b': bitstring('1', 500), 'l': [bitstring('0', 40)]} v UNION ALL SELECT NULL",
    "SELECT MAP {bitstring('1', 300): union_value(s := repeat('y', 300))::UNION(s VARCHAR, i INT)} v",
]


def _con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(config={"arrow_lossless_conversion": True})


@pytest.mark.parametrize("sql", QUERIES)
def test_bit_and_union_weigh_at_most_what_python_counts_and_near_it(sql: str) -> None:
    con = _con()
    floor = _floor(con.execute(sql).to_arrow_table().column(0).combine_chunks())
    rows = con.execute(sql).fetchall()
    exact = sum(_cell_size(v) for (v,) in rows)
    assert floor <= exact
    assert exact - floor <= 7 * 4 * len(rows)  # the characters counted, a BIT's padding (<= 7) aside (was 8 a value)


def test_a_dense_union_weighs_its_members() -> None:
    arr = pa.UnionArray.from_dense(
        pa.array([0, 1, 0], pa.int8()), pa.array([0, 0, 1], pa.int32()), [pa.array(["ab", "cdef"]), pa.array([5])]
    )
    assert _floor(arr) == 3 * 8 + 2 + 4


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT repeat('9', 20000)::BIGNUM AS b FROM range(3000)",
        "SELECT bitstring('1', 20000) AS b FROM range(3000)",
        "SELECT union_value(s := repeat('x', 20000))::UNION(s VARCHAR, i INT) AS u FROM range(3000)",
    ],
)
def test_a_large_result_is_refused_before_its_rows_are_converted(monkeypatch, sql: str) -> None:
    from provenance import sqlinf

    converted: list[int] = []
    real = sqlinf.mark_infinite

    def counting(table, rows):
        converted.append(len(rows))
        return real(table, rows)

    monkeypatch.setattr(sqlinf, "mark_infinite", counting)
    with pytest.raises(ReadOnlyError, match="CURATE_SQL_RESULT"):
        fetch_bounded(_con().execute(sql), 1_000_000)
    assert not converted, converted  # refused on the Arrow floor: no batch became Python values
