"""``annotate push --where``: one condition over the pushed records' own columns, checked on DuckDB's parse tree
like ``curate sql`` (provenance/sqlguard.py). It once ran any SQL there: files and sealed tables read as a yes/no
filter (a boolean oracle on ``/etc/passwd``, ``raw_vault``, ``pii_source_names``)."""

from __future__ import annotations

import pytest
from ls_records import add_record, add_source

from annotation.push import PushConfig, select_candidates
from provenance.db import connect
from provenance.errors import UsageError


@pytest.fixture
def con(tmp_path):
    con = connect(tmp_path / "c.duckdb")
    add_source(con)
    add_record(con, "本文一", locator="a")
    add_record(con, "本文二", locator="b")
    con.execute("INSERT INTO raw_vault VALUES ('x', 'n'::BLOB, 'secret'::BLOB, 'k', now()::TIMESTAMP)")
    yield con
    con.close()


def _push(con, where):
    return select_candidates(con, PushConfig(project="topic", bank="CTBC", where=where))[0]


@pytest.mark.parametrize(
    "where",
    [
        "r.locator = 'a'",
        "locator = 'a' AND r.source_id = 'demo'",
        "contains(r.text, '一') OR lower(r.locator) IN ('x', 'y')",
        "r.created_at > TIMESTAMP '2000-01-01' AND json_extract_string(r.metadata, '$.x') IS NULL AND r.locator = 'a'",
        "len(list_filter(str_split(r.text, '本'), s -> s LIKE '%一%')) > 0",
        "len(list_filter(str_split(r.text, '本'), lambda s: s LIKE '%一%')) > 0",
        "list_reduce(['a', r.locator], (x, y) -> x || y) = 'aa'",
    ],
    ids=["column", "bare-and-alias", "functions", "casts-json", "lambda", "lambda-keyword", "lambda-two"],
)
def test_conditions_over_the_records_still_work(con, where):
    assert [r["doc_key"] for r in _push(con, where)] == [_push(con, "r.locator = 'a'")[0]["doc_key"]]


@pytest.mark.parametrize(
    ("where", "why"),
    [
        ("EXISTS (SELECT 1 FROM raw_vault WHERE ciphertext = 'secret'::BLOB)", "subquery"),
        ("(SELECT count(*) FROM pii_source_names) = 0", "subquery"),
        ("r.locator IN (SELECT content FROM read_text('/etc/passwd'))", "subquery"),
        ("(SELECT count(*) FROM '/etc/passwd') > 0", "subquery"),
        ("current_setting('secret_directory') LIKE '/root%'", "current_setting"),
        ("getvariable('x') IS NULL", "getvariable"),
        ("pg_get_viewdef(1) IS NULL", "pg_get_viewdef"),
        ("s.pii_expected IS NULL", "not a column"),
        ("pii_expected IS NULL", "not a column"),
        ("r.locator = ?", "parameter"),
        ("true) UNION (SELECT * FROM records", "outside its parentheses"),
        ("true) ORDER BY (1", "outside its parentheses"),
        ("1=1) OR (1=1", "outside its parentheses"),
        ("true) LIMIT (0", "outside its parentheses"),
        ("true) QUALIFY (true", "outside its parentheses"),
        ("COLUMNS(*) IS NULL", r"\*|not a column"),
        # a lambda's parameter is a name inside the lambda, not a way to another table
        ("len(list_filter([1], s -> s IN (SELECT 1 FROM raw_vault))) > 0", "subquery"),
        ("len(list_filter([1], s -> s.pii_expected.x)) > 0", "not a column"),
        # ... and only inside that lambda: outside it, `s.` names the caller's sources table again
        ("list_filter([1], s -> true) = [1] AND s.pii_expected", "not a column"),
        ("len(list_filter([1], x -> x > 0)) > 0 AND x.locator IS NULL", "not a column"),
    ],
)
def test_reading_anything_else_is_refused(con, where, why):
    with pytest.raises(UsageError, match=f"^--where .*refused: .*({why})") as info:
        _push(con, where)
    assert "\n" not in str(info.value)


def test_a_refused_condition_is_one_line_from_the_cli(con, cli, tmp_path):
    con.close()
    where = "EXISTS (SELECT 1 FROM raw_vault)"
    args = ("annotate", "push", "--project", "topic", "--bank", "CTBC", "--output", str(tmp_path / "t.json"))
    code, _, err = cli(*args, "--where", where, db=tmp_path / "c.duckdb")
    assert code == 2 and "--where" in err and "subquery" in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "t.json").exists()
    code, _, err = cli(*args, "--where", "r.locator = 'a'", db=tmp_path / "c.duckdb")
    assert code == 0, err


@pytest.mark.parametrize("name", ["c.duckdb", "c.duckdb.wal"])
def test_output_over_the_catalogue_is_refused(con, cli, tmp_path, name):
    """`--output` naming the catalogue (or its WAL) overwrote it with `[]` (review r2_conc2 #6): refused, one line."""
    con.close()
    db = tmp_path / "c.duckdb"
    before = db.read_bytes()
    args = ("annotate", "push", "--project", "topic", "--bank", "CTBC", "--output", str(tmp_path / name))
    code, _, err = cli(*args, db=db)
    assert code == 2 and "overlaps the catalogue" in err and len(err.strip().splitlines()) == 1, err
    assert db.read_bytes() == before
    assert cli("sql", "SELECT count(*) FROM records", db=db)[0] == 0


def test_output_that_is_a_fifo_is_refused_and_a_link_is_written_through(con, cli, tmp_path):
    """Review 7: `--output` renamed the tasks file over whatever was there: a device (`/dev/null` became a regular
    file, as root), a FIFO, a link. A FIFO is refused now; through a link the file it points to is written."""
    import os

    con.close()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    args = ("annotate", "push", "--project", "topic", "--bank", "CTBC", "--output")
    code, _, err = cli(*args, str(fifo), db=tmp_path / "c.duckdb")
    assert code == 2 and "is not a regular file" in err and len(err.strip().splitlines()) == 1, err
    assert fifo.is_fifo()
    target, link = tmp_path / "real.json", tmp_path / "link.json"
    target.write_text("old")
    link.symlink_to(target)
    code, _, err = cli(*args, str(link), db=tmp_path / "c.duckdb")
    assert code == 0, err
    assert link.is_symlink() and target.read_text().startswith("[")


def test_a_tasks_file_after_a_push_by_a_corrected_catalogue_is_refused_as_the_push_is(con, cli, tmp_path):
    """Review of the fixes 14: `push` given no --catalogue after a push by a corrected catalogue file is refused (it
    would send again what that file refused), but `push --output` wrote those records to the tasks file a steward
    imports by hand. It is refused alike, judged by the project's last push on any instance."""
    from annotation.projects import finish_run, start_run
    from provenance.licences import licence_catalogue_path

    params = {"bank": "CTBC", "project": "topic", "limit": None, "where": None, "instance": "http://ls.bank:8080"}
    run_id = start_run(con, "annotate push", {**params, "catalogue": "ours.toml", "catalogue_sha256": "ab" * 32})
    finish_run(con, run_id)
    con.close()
    out = tmp_path / "t.json"
    args = ("annotate", "push", "--project", "topic", "--bank", "CTBC", "--output", str(out))
    code, _, err = cli(*args, db=tmp_path / "c.duckdb")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "ours.toml" in err and "--catalogue" in err and "send again" in err, err
    assert not out.exists()
    code, _, err = cli(*args, "--catalogue", str(licence_catalogue_path()), db=tmp_path / "c.duckdb")
    assert code == 0 and out.exists(), err
    code, _, err = cli(
        *args[:-2], "--output", str(tmp_path / "p.json"), "--project", "proofread", db=tmp_path / "c.duckdb"
    )
    assert code == 0, err  # another project's last push says nothing of this one
