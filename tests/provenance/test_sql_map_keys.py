"""A MAP keyed by something JSON has no key for prints in every layout of `curate sql` and `curate audit sql`
(review of rv16-sql, `curate/commands/_common.py` ``_json_keyed``).

``SELECT histogram(day)`` is a MAP keyed by DATE: ``json.dumps`` refuses a date key (``default=str`` serves values
only), so each layout was a traceback; with the rows printed a thousand at a time, `audit sql --json` printed half
a document before it. A key of another type is written as ``str`` writes it, keys of mixed types as their JSON text.
"""

from __future__ import annotations

import json

import pytest

from provenance import db

LAYOUTS = [("sql",), ("sql", "--json"), ("audit", "sql"), ("audit", "sql", "--json"), ("audit", "sql", "-x")]

QUERY = (
    "SELECT histogram(DATE '2024-01-01' + (x % 3)::INT) AS per_day, MAP {1.5::DECIMAL(4, 2): 1} AS dec,"
    " MAP([1::UNION(i INT, s VARCHAR), 'a'::UNION(i INT, s VARCHAR)], [1, 2]) AS mixed,"
    " MAP {2: 'two', 10: 'ten'} AS ints FROM range(10) t(x)"
)


@pytest.fixture
def catalogue(db_path):
    db.connect(db_path).close()
    return db_path


@pytest.mark.parametrize("command", LAYOUTS, ids=" ".join)
def test_a_map_keyed_by_dates_prints_in_every_layout(catalogue, cli, command):
    code, out, err = cli(*command, QUERY)
    assert code == 0 and "Traceback" not in err, err
    assert "2024-01-01" in out and "1.50" in out and "ten" in out
    if "--json" in command:
        row = json.loads(out)[0] if command[0] == "audit" else json.loads(out.splitlines()[0])
        assert row["per_day"] == {"2024-01-01": 4, "2024-01-02": 3, "2024-01-03": 3}
        assert row["dec"] == {"1.50": 1} and row["mixed"] == {"1": 1, "a": 2}
        assert list(row["ints"]) == ["2", "10"]  # integer keys keep their numeric order, as before


def test_no_half_document_after_the_first_thousand_rows(catalogue, cli):
    query = "SELECT CASE WHEN x < 1500 THEN NULL ELSE MAP {DATE '2024-01-01': x} END AS m FROM range(2000) t(x)"
    code, out, err = cli("audit", "sql", "--json", query)
    assert code == 0, err
    got = json.loads(out)
    assert len(got) == 2000 and got[0] == {"m": None} and got[-1] == {"m": {"2024-01-01": 1999}}


def test_vertical_layout_of_no_rows_is_one_empty_line_as_before(catalogue, cli):
    assert cli("audit", "sql", "-x", "SELECT 1 AS a WHERE false") == (0, "\n", "")


@pytest.mark.parametrize("command", [("sql", "--json"), ("audit", "sql", "--json")], ids=" ".join)
def test_an_infinite_date_in_a_map_is_infinity_in_json(catalogue, cli, command):
    # provenance/sqlinf.py marked infinities in columns, lists and structs, not in a MAP's keys or values: JSON said
    # a never-ending grant ended on 9999-12-31 there (and its key was a traceback)
    query = "SELECT MAP {'infinity'::DATE: '-infinity'::TIMESTAMP, DATE '2020-01-01': NULL} AS m"
    code, out, err = cli(*command, query)
    assert code == 0, err
    row = json.loads(out)[0] if command[0] == "audit" else json.loads(out)
    assert row == {"m": {"infinity": "-infinity", "2020-01-01": None}}
    code, out, _ = cli("audit", "sql", query)
    assert code == 0 and "9999-12-31" in out  # a table prints what DuckDB's conversion gave, as for a column


@pytest.mark.parametrize("command", [c for c in LAYOUTS if "--json" in c], ids=" ".join)
def test_two_union_keys_that_print_alike_both_stay(catalogue, cli, command):
    """Integer 1 and text '1' of a UNION key were both written "1": one entry was lost without a word."""
    query = "SELECT MAP([1::UNION(i INT, s VARCHAR), '1'::UNION(i INT, s VARCHAR)], ['int', 'text']) AS m"
    code, out, err = cli(*command, query)
    assert code == 0 and "Traceback" not in err, err
    row = json.loads(out)[0] if command[0] == "audit" else json.loads(out.splitlines()[0])
    assert row["m"] == {"1": "int", '"1"': "text"}
