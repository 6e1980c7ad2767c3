"""`curate sql --json` and `curate audit sql --json` print JSON a strict reader takes (review 13's leftovers): a float
NaN or infinity was written `NaN`/`Infinity` (Python's extension: `jq`, `JSON.parse` and strict readers refuse the
whole output), and DuckDB's infinite dates and timestamps came out as `9999-12-31`/`0001-01-01`, finite days a
never-ending grant does not have. Finite values print as before, and so do tables."""

from __future__ import annotations

import json

import pytest

QUERY = (
    "SELECT 'nan'::DOUBLE AS a, 'inf'::DOUBLE AS b, '-inf'::FLOAT AS c, 'infinity'::DATE AS d,"
    " '-infinity'::TIMESTAMP AS e, 'infinity'::TIMESTAMPTZ AS f, 1.5::DOUBLE AS g, DATE '9999-12-31' AS h,"
    " TIMESTAMP '9999-12-31 23:59:59.999999' AS i, DATE '2024-01-02' AS k, [1.0, 'nan'::DOUBLE] AS l,"
    " {'x': 'inf'::DOUBLE, 'y': 'infinity'::DATE, 'z': DATE '2024-01-02'} AS m,"
    " ['-infinity'::DATE, DATE '9999-12-31', NULL] AS n, NULL::DATE AS o, 2.50::DECIMAL(5, 2) AS p"
)

EXPECTED = {
    "a": "nan",
    "b": "inf",
    "c": "-inf",
    "d": "infinity",
    "e": "-infinity",
    "f": "infinity",
    "g": 1.5,
    "h": "9999-12-31",
    "i": "9999-12-31 23:59:59.999999",
    "k": "2024-01-02",
    "l": [1.0, "nan"],
    "m": {"x": "inf", "y": "infinity", "z": "2024-01-02"},
    "n": ["-infinity", "9999-12-31", None],
    "o": None,
    "p": "2.50",
}


def _strict(text: str):
    def refuse(constant: str):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("command", [("sql",), ("audit", "sql")], ids=["sql", "audit-sql"])
def test_non_finite_floats_and_infinite_dates_are_valid_json(cli, command) -> None:
    assert cli("init")[0] == 0
    code, out, err = cli(*command, "--json", QUERY)
    assert code == 0, err
    got = _strict(out)
    row = got[0] if isinstance(got, list) else got
    assert row == EXPECTED


def test_the_table_prints_as_before_and_a_list_of_dates_is_no_traceback(cli) -> None:
    """The table of `curate sql` is unchanged by the JSON's spelling; a list or struct of dates (or decimals) in a cell
    ended in `TypeError: Object of type date is not JSON serializable` (a traceback) in `sql` and `audit sql [-x]`."""
    assert cli("init")[0] == 0
    code, out, err = cli("sql", "SELECT 'nan'::DOUBLE AS a, 'infinity'::DATE AS d, 1.5::DOUBLE AS g")
    assert code == 0, err
    assert out.splitlines()[2].split() == ["nan", "9999-12-31", "1.5"]
    nested = "SELECT [DATE '2024-01-02'] AS l, {'t': TIMESTAMP '2024-01-01', 'd': 1.50::DECIMAL(4, 2)} AS s"
    for command in (("sql",), ("audit", "sql"), ("audit", "sql", "--vertical")):
        code, out, err = cli(*command, nested)
        assert code == 0 and "Traceback" not in err, err
        assert '"2024-01-02"' in out and "2024-01-01 00:00:00" in out and "1.50" in out, out
