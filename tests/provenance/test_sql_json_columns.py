"""`curate sql --json` and `curate audit sql --json` key each value by its column's name: a query two of whose
columns share a name (`SELECT a.licence_id, b.licence_id ...`, comparing a version with its parent) printed one
`licence_id` per object, the other column's values gone without a word (review 14). Such a query is now refused
before a row is fetched, in one line that says what to do; the table output shows both columns as before."""

from __future__ import annotations

import json

import pytest

PAIR = (
    "SELECT p.licence_id, v.licence_id FROM records v JOIN records p ON p.record_id = v.version_of ORDER BY v.record_id"
)


@pytest.mark.parametrize("command", ["sql", "audit sql"])
def test_json_refuses_two_columns_of_one_name(mixed, cli, command):
    code, out, err = cli(*command.split(), PAIR, "--json")
    assert code == 2, (out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "`licence_id`" in lines[0] and "AS" in lines[0] and "Traceback" not in err, err
    code, out, err = cli(*command.split(), "SELECT 1 AS a, 2 AS a", "--json")
    assert code == 2 and out == "" and "`a`" in err, (out, err)


@pytest.mark.parametrize("command", ["sql", "audit sql"])
def test_named_columns_and_tables_are_as_before(mixed, cli, command):
    aliased = PAIR.replace("p.licence_id,", "p.licence_id AS parent,").replace(
        "v.licence_id F", "v.licence_id AS own F"
    )
    code, out, err = cli(*command.split(), aliased, "--json")
    assert code == 0, err
    rows = json.loads(out) if command == "audit sql" else [json.loads(x) for x in out.splitlines()]
    assert rows and all(set(r) == {"parent", "own"} for r in rows)
    # a and A are two keys to JSON: nothing is lost
    code, out, err = cli(*command.split(), 'SELECT 1 AS a, 2 AS "A"', "--json")
    assert code == 0 and "2" in out and "1" in out, err
    # a table shows every column whatever its name
    code, out, err = cli(*command.split(), "SELECT 1 AS a, 2 AS a")
    assert code == 0 and out.splitlines()[0].split() == ["a", "a"], (out, err)
