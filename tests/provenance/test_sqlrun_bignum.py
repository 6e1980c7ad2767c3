"""Review 18: a BIGNUM result was weighed as 8 bytes a value before Python held it (its Arrow type is an opaque
extension), while DuckDB's Python value is its decimal string: ``repeat('9', 100000)::BIGNUM`` over thousands of rows
passed the Arrow floor and was converted, hundreds of MB, before the exact count refused it."""

from __future__ import annotations

import duckdb

from provenance.sqlrun import _floor

QUERY = "SELECT (CASE WHEN i % 2 = 0 THEN '-' ELSE '' END || repeat('9', i))::BIGNUM AS b FROM range(1, 400) t(i)"


def _con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(config={"arrow_lossless_conversion": True})


def test_a_bignum_column_weighs_at_most_what_its_strings_count_and_near_it() -> None:
    con = _con()
    sql = f"{QUERY} UNION ALL SELECT 0::BIGNUM UNION ALL SELECT NULL"
    table = con.execute(sql).to_arrow_table()
    exact = sum(8 + (0 if v is None else len(v)) for (v,) in con.execute(sql).fetchall())
    floor = _floor(table.column(0).combine_chunks())
    assert floor <= exact  # a floor: never more than Python's count
    assert floor * 3 > exact  # and the digits counted (it was 8 a value: 3,208 against 83,000)


def test_a_json_column_weighs_its_text() -> None:
    """JSON's Arrow type (``arrow.json``) is no ``pa.ExtensionType`` either: ``SELECT metadata ...`` counted 8 a
    value on the floor, whatever the documents held."""
    table = _con().execute("SELECT json_object('k', repeat('x', 1000)) AS j FROM range(3)").to_arrow_table()
    assert _floor(table.column(0).combine_chunks()) == 3 * (8 + len('{"k":"' + "x" * 1000 + '"}'))


# refused before its rows are converted: tests/provenance/test_sqlrun_bit_union.py, with BIT and UNION
