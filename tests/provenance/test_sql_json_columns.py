"""`curate sql --json` and `curate audit sql --json` key each value by its column's name: a query two of whose
columns share a name (`SELECT a.licence_id, b.licence_id ...`, comparing a version with its parent, or any
`SELECT *` of a join) printed one `licence_id` per object, the other column's values gone without a word (review
14). Review 14 refused such a query (exit 2), which broke every `SELECT * FROM a JOIN b` an auditor scripts; review
14b keys the later ones as DuckDB names them in a subquery and pandas in a data frame (`licence_id_1`), with a note
on stderr: every value is there, stdout stays JSON. The table output shows both columns as before."""

from __future__ import annotations

import json

import duckdb
import pytest

from curate.commands._common import json_keys

PAIR = (
    "SELECT p.licence_id, v.licence_id FROM records v JOIN records p ON p.record_id = v.version_of ORDER BY v.record_id"
)


def _rows(command: str, out: str) -> list[dict]:
    return json.loads(out) if command == "audit sql" else [json.loads(x) for x in out.splitlines()]


@pytest.mark.parametrize("command", ["sql", "audit sql"])
def test_json_keeps_both_columns_of_one_name(mixed, cli, command):
    code, table, err = cli(*command.split(), PAIR)
    assert code == 0, err
    code, out, err = cli(*command.split(), PAIR, "--json")
    assert code == 0, (out, err)
    rows = _rows(command, out)
    assert rows and all(set(r) == {"licence_id", "licence_id_1"} for r in rows), rows
    assert "`licence_id` as `licence_id_1`" in err and "AS" in err, err
    # SELECT * of a self-join: every column of both sides, none dropped
    code, out, err = cli(*command.split(), "SELECT * FROM sources a JOIN sources b USING (source_id)", "--json")
    assert code == 0, err
    code2, one, _ = cli(*command.split(), "SELECT * FROM sources", "--json")
    assert code2 == 0
    width = len(_rows(command, one)[0])
    assert all(len(r) == 2 * width - 1 for r in _rows(command, out)), out
    code, out, err = cli(*command.split(), "SELECT 1 AS a, 2 AS a, 3 AS a_1", "--json")
    assert code == 0 and _rows(command, out) == [{"a": 1, "a_2": 2, "a_1": 3}], (out, err)


@pytest.mark.parametrize("command", ["sql", "audit sql"])
def test_named_columns_and_tables_are_as_before(mixed, cli, command):
    aliased = PAIR.replace("p.licence_id,", "p.licence_id AS parent,").replace(
        "v.licence_id F", "v.licence_id AS own F"
    )
    code, out, err = cli(*command.split(), aliased, "--json")
    assert code == 0 and err == "", err
    rows = _rows(command, out)
    assert rows and all(set(r) == {"parent", "own"} for r in rows)
    # a and A are two keys to JSON: nothing is lost, nothing renamed
    code, out, err = cli(*command.split(), 'SELECT 1 AS a, 2 AS "A"', "--json")
    assert code == 0 and _rows(command, out) == [{"a": 1, "A": 2}] and err == "", err
    # a table shows every column whatever its name
    code, out, err = cli(*command.split(), "SELECT 1 AS a, 2 AS a")
    assert code == 0 and out.splitlines()[0].split() == ["a", "a"], (out, err)


@pytest.mark.parametrize("names", [["a", "a"], ["a", "a", "a"], ["x", "a", "y", "a", "z", "a"], ["l", "b", "l", "b"]])
def test_keys_are_duckdbs_subquery_names(names):
    """Where no column already has a generated name, the keys are DuckDB's own for `SELECT * FROM (query)`."""
    query = "SELECT " + ", ".join(f"{i} AS {n}" for i, n in enumerate(names))
    theirs = [d[0] for d in duckdb.connect().execute(f"SELECT * FROM ({query})").description]
    assert json_keys(names) == theirs
