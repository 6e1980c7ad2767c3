"""A catalogue on a path holding `?` (review of the fixes 15, crash).

DuckDB names a catalogue's WAL by cutting its path at the first `?`: under a folder `Q&A?/` the log went to
`Q&A.wal?/cat.duckdb`, which does not exist, so every command's first commit ended in a traceback (the work root's
run locks already made); a file `c?d.duckdb` had its log at `c.wal?d.duckdb`, which the portal's snapshot copy and
export's checks (`<db>.wal`) never see. Each command refuses such a path in one line, exit 2, before DuckDB opens it.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from curate import cli as cli_mod


def _run(args: list[str]) -> tuple[int, str]:
    with CliRunner().isolation() as streams:
        code = cli_mod.run(args)
        return code, streams[1].getvalue().decode()


@pytest.mark.parametrize("where", ["Q&A?/cat.duckdb", "cat?.duckdb"], ids=["folder", "file"])
@pytest.mark.parametrize("args", [["init"], ["sql", "SELECT 1"]], ids=["write", "read"])
def test_a_question_mark_in_the_catalogue_path_is_one_line(tmp_path, where, args):
    db = tmp_path / where
    db.parent.mkdir(exist_ok=True)
    if args[0] == "sql":
        assert _run(["--db", str(tmp_path / "ok.duckdb"), "init"])[0] == 0
        (tmp_path / "ok.duckdb").rename(db)
    code, err = _run(["--db", str(db), *args])
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "`?`" in err and str(db) in err, err
    assert not any(p.name.startswith(("Q&A.wal", "cat.wal")) for p in tmp_path.rglob("*"))


@pytest.mark.parametrize("args", [["init"], ["sql", "SELECT 1"]], ids=["write", "read"])
def test_a_relative_catalogue_path_in_a_folder_holding_a_question_mark_is_one_line(tmp_path, monkeypatch, args):
    """Review 15 (integration): DuckDB opens a relative --db as an absolute path, so `--db cat.duckdb` run in `Q&A?/`
    misplaced its log as `Q&A?/cat.duckdb` did: `curate init` ended in a traceback, leaving a catalogue never migrated.
    The refusal reads the absolute path."""
    here = tmp_path / "Q&A?"
    here.mkdir()
    if args[0] == "sql":
        assert _run(["--db", str(tmp_path / "ok.duckdb"), "init"])[0] == 0
        (tmp_path / "ok.duckdb").rename(here / "cat.duckdb")
    monkeypatch.chdir(here)
    code, err = _run(["--db", "cat.duckdb", *args])
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "`?`" in err and str(here / "cat.duckdb") in err, err
    assert (here / "cat.duckdb").exists() == (args[0] == "sql")  # init made nothing
    assert not any(p.name.startswith("Q&A.wal") for p in tmp_path.iterdir())


@pytest.mark.parametrize("args", [["init"], ["sql", "SELECT 1"]], ids=["write", "read"])
def test_a_catalogue_path_through_a_link_to_a_folder_holding_a_question_mark_is_one_line(tmp_path, args):
    """Post-review of review 15: DuckDB opens the path with its links resolved, so `--db link/cat.duckdb`, `link` a
    link to `Q&A?/`, logged to `Q&A.wal?/cat.duckdb` (a traceback, a catalogue never migrated) though no `?` is in
    what was given. The refusal reads the resolved path."""
    (tmp_path / "Q&A?").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "Q&A?")
    if args[0] == "sql":
        assert _run(["--db", str(tmp_path / "ok.duckdb"), "init"])[0] == 0
        (tmp_path / "ok.duckdb").rename(tmp_path / "Q&A?" / "cat.duckdb")
    code, err = _run(["--db", str(tmp_path / "link" / "cat.duckdb"), *args])
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "`?`" in err and str(tmp_path / "Q&A?" / "cat.duckdb") in err, err
    assert (tmp_path / "Q&A?" / "cat.duckdb").exists() == (args[0] == "sql")  # init made nothing
    assert not any(p.name.startswith("Q&A.wal") for p in tmp_path.iterdir())
