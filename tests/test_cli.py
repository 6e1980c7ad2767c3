"""The CLI as a user meets it: help everywhere, exit codes, one-line errors, read-only sql."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from curate import cli as cli_mod

ROOT = Path(__file__).resolve().parents[1]


def _all_commands():
    ctx = click.Context(cli_mod.cli)
    out = []

    def walk(cmd: click.Command, path: list[str]) -> None:
        out.append(path)
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                if sub is not None:
                    walk(sub, [*path, name])

    walk(cli_mod.cli, [])
    return out


@pytest.mark.parametrize("path", _all_commands(), ids=lambda p: " ".join(p) or "curate")
def test_help_everywhere(path: list[str], cli) -> None:
    code, out, _ = cli(*path, "--help")
    assert code == 0
    assert "Usage:" in out


def test_sources_and_schemas_resolve_inside_project() -> None:
    import schemas
    import sources

    assert Path(sources.__file__).resolve().parent == ROOT / "sources"
    assert Path(schemas.__file__).resolve().parent == ROOT / "schemas"


def test_init_status_sql(cli, db_path: Path, law_fixtures: Path) -> None:
    code, out, _ = cli("init")
    assert code == 0 and "ready" in out
    code, out, _ = cli("ingest", "law-moj", str(law_fixtures / "chlaw_json/ch/G0380177.json"))
    assert code == 0 and "new" in out
    code, out, _ = cli("status")
    assert code == 0 and "law_moj" in out and "active" in out
    code, out, _ = cli("sql", "SELECT count(*) AS n FROM records")
    assert code == 0 and "n" in out
    code, out, _ = cli("sql", "--json", "SELECT source_id FROM records LIMIT 1")
    assert code == 0 and '"source_id": "law_moj"' in out


@pytest.mark.parametrize(
    "query",
    [
        "DELETE FROM records",
        "UPDATE records SET text = 'x'",
        "SELECT 1; DROP TABLE records",
        "ATTACH 'x.db' AS x",
        "COPY records TO '/tmp/leak.csv'",
        "CREATE TABLE t AS SELECT 1",
    ],
)
def test_sql_refuses_writes(cli, db_path: Path, query: str) -> None:
    cli("init")
    code, _, err = cli("sql", query)
    assert code == 2
    assert "read-only" in err or "refused" in err
    assert err.count("\n") == 1  # one line, no traceback


def test_usage_errors_exit_2(cli) -> None:
    code, _, _ = cli("run", "nonexistent-stage")
    assert code == 2
    code, _, _ = cli("ingest", "law-moj", "/no/such/file.json")
    assert code == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "hygiene", "--set", "nosuch=1"],
        ["run", "hygiene", "--set", "drop_cjk_spaces=maybe"],
        ["run", "normalise", "--set", "opencc_config=s2t"],
        ["zh", "convert", "--input", "{in}", "--output", "{out}", "--config", "s2t"],
        ["dedup", "--input", "{in}", "--output", "{out}", "--threshold", "1.5"],
        ["audit", "record", "3d1eaa1"],
        ["runs", "show", "nosuch"],
        # review 9: the last of two values won silently; a negative count turned the flags off silently
        ["run", "dedup", "--set", "threshold=0.8", "--set", "threshold=0.9"],
        ["run", "normalise", "--set", "min_signal_chars=-5"],
    ],
)
def test_mistakes_on_the_command_line_exit_2(cli, tmp_path: Path, argv: list[str]) -> None:
    """Review readme F7: these usage errors exited 1, while the README says 2 is a usage error."""
    assert cli("init")[0] == 0
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": "a", "text": "x"}\n', encoding="utf-8")
    argv = [a.format(**{"in": inp, "out": tmp_path / "o.jsonl"}) for a in argv]
    code, _, err = cli(*argv)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


def test_paths_that_cannot_be_written_are_one_line_errors(cli, db_path: Path, tmp_path: Path) -> None:
    """A missing folder, /proc or a negative limit: one line naming the path, never a traceback."""
    assert cli("init")[0] == 0
    src = tmp_path / "d.jsonl"
    src.write_text('{"id": "a", "text": "x"}\n', encoding="utf-8")
    for args, path in [
        (("audit", "anchor", "--append", str(tmp_path / "no" / "dir" / "a.jsonl")), "a.jsonl"),
        (("dedup", "--input", str(src), "--output", "/proc/o.jsonl"), "/proc/o.jsonl"),
    ]:
        code, out, err = cli(*args)
        assert code == 1 and "Traceback" not in err, err
        assert err.startswith("curate: error:") and path in err and len(err.strip().splitlines()) == 1, err
    code, _, err = cli("runs", "list", "--limit", "-1")
    assert code == 2 and "Traceback" not in err


def test_missing_catalogue_is_one_line_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "curate.cli", "--db", str(tmp_path / "none.duckdb"), "status"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("curate: error: catalogue") and "Traceback" not in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "curate.cli", "--debug", "--db", str(tmp_path / "none.duckdb"), "status"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert "Traceback" in proc.stderr


_DEFAULTS_PROBE = """
import os, sys
from curate import cli
try:
    cli.main(["--help"])
except SystemExit:
    pass
import pyarrow
print(os.environ["OPENBLAS_NUM_THREADS"], pyarrow.default_memory_pool().backend_name)
"""


@pytest.mark.parametrize(
    "env, expected",
    [({}, "1 system"), ({"ARROW_DEFAULT_MEMORY_POOL": "jemalloc", "OPENBLAS_NUM_THREADS": "2"}, "2 jemalloc")],
)
def test_console_entry_sets_process_defaults_the_users_win(tmp_path: Path, env: dict, expected: str) -> None:
    """``curate`` runs pyarrow on glibc's allocator (mimalloc's purged huge pages cost a stage run 18 % of its CPU)
    and OpenBLAS on one thread, unless the user's environment says otherwise."""
    base = {k: v for k, v in os.environ.items() if k not in cli_mod.PROCESS_DEFAULTS}
    proc = subprocess.run(
        [sys.executable, "-c", _DEFAULTS_PROBE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**base, "PYTHONPATH": str(ROOT), **env},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == expected


def test_curate_db_env(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CURATE_DB", str(tmp_path / "env.duckdb"))
    assert cli_mod.default_db_path() == tmp_path / "env.duckdb"


def test_duckdb_out_of_memory_is_one_clear_line(cli, db_path, monkeypatch, tmp_path):
    import duckdb

    import curate.reporting

    assert cli("init")[0] == 0

    def boom(*a, **k):
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block of size 256.0 KiB")

    monkeypatch.setattr(curate.reporting, "build_report", boom)
    code, out, err = cli("report", "-o", str(tmp_path / "r.html"))
    assert code == 1 and "Traceback" not in out + err
    assert "ran out of its memory cap" in err and "CURATE_DUCKDB_MEMORY" in err


def test_a_stage_run_out_of_memory_at_a_commit_is_one_clear_line_and_resumes(cli, db_path, law_fixtures, monkeypatch):
    """A real one, not a mock: under a 4 MB cap DuckDB fails a commit (a TransactionException, not an
    OutOfMemoryException); the user gets the same line, and the same command with the cap raised finishes."""
    assert cli("ingest", "law-moj", str(law_fixtures / "chlaw_json/ch"))[0] == 0
    monkeypatch.setenv("CURATE_DUCKDB_MEMORY", "4MB")
    code, out, err = cli("run", "hygiene")
    assert code == 1 and "Traceback" not in out + err, err
    assert "ran out of its memory cap" in err and "CURATE_DUCKDB_MEMORY" in err
    monkeypatch.delenv("CURATE_DUCKDB_MEMORY")
    code, _, err = cli("run", "hygiene")
    assert code == 0, err
    code, out, err = cli("audit", "verify")
    assert code == 0 and "cross-checks ok" in out + err, out + err


def test_a_stage_run_out_of_memory_is_failed_and_names_the_way_on(cli, db_path, law_fixtures, monkeypatch):
    """A real one: the run DuckDB's cap stopped is `failed` (not `running` for ever), the one line names it, the
    setting to raise and `curate runs abandon`; the same command with the cap raised resumes it."""
    from provenance import db

    assert cli("ingest", "law-moj", str(law_fixtures / "chlaw_json/ch"))[0] == 0
    for cap in ("6MB", "8MB", "12MB", "16MB"):  # a cap low enough to fail after the run has started
        monkeypatch.setenv("CURATE_DUCKDB_MEMORY", cap)
        code, out, err = cli("run", "hygiene")
        con = db.connect_readonly(db_path)
        try:
            rows = con.execute("SELECT run_id, status FROM runs WHERE command = 'run hygiene'").fetchall()
        finally:
            con.close()
        if rows:
            break
    assert rows, "no cap stopped the run after it started"
    (run_id, status), *_ = rows
    assert code == 1 and "Traceback" not in out + err and len(err.strip().splitlines()) == 1, err
    assert status == "failed" and f"run {run_id} failed" in err and f"curate runs abandon {run_id}" in err, err
    code, out, _ = cli("runs", "list")
    assert [run_id, "run", "hygiene", "failed"] in [line.split()[:4] for line in out.splitlines()], out
    monkeypatch.delenv("CURATE_DUCKDB_MEMORY")
    code, out, err = cli("run", "hygiene")
    assert code == 0 and f"run {run_id} (resumed)" in out, err


def test_more_tasks_than_the_records_need_are_capped_and_said(cli, db_path, law_fixtures):
    """`--tasks 100000` on ~1k records once cut 649 one- or two-record shards (78 s instead of 2 s, hundreds of
    ledger events; `run dedup --workers 1000` ran out of memory): the run uses what the records need and says so."""
    assert cli("ingest", "law-moj", str(law_fixtures / "chlaw_json/ch"))[0] == 0
    code, out, err = cli("run", "dedup", "--workers", "1000")
    assert code == 0, err
    assert "--workers 1000: 1048 records need no more than" in out, out
    code, out, err = cli("run", "hygiene", "--tasks", "100000")
    assert code == 0 and "--tasks 100000: 1048 records need no more than" in out, err
    code, out, err = cli("run", "normalise", "--workers", "1")
    assert code == 0 and "need no more than" not in out, err  # asked for no more than useful: nothing to say


def test_run_refuses_nonsense_workers_tasks_and_dedup_sizes(cli, db_path, law_fixtures):
    assert cli("ingest", "law-moj", str(law_fixtures / "chlaw_json/ch/G0380177.json"))[0] == 0
    for args in (("--workers", "0"), ("--workers", "-3"), ("--tasks", "0"), ("--tasks", "-1")):
        code, _, err = cli("run", "hygiene", *args)
        assert code == 2 and "x>=1" in err, (args, err)
    for name in ("batch_size", "verify_cache", "max_bucket"):
        code, _, err = cli("run", "dedup", "--set", f"{name}=0")
        assert code == 2 and f"dedup: {name} must be >= 1, got 0" in err, err


def test_sql_returns_timestamps_with_time_zones(cli, db_path: Path) -> None:
    """TIMESTAMPTZ values (now(), current_timestamp) need pytz in DuckDB's Python client: once a failed query."""
    assert cli("init")[0] == 0
    code, out, err = cli("sql", "SELECT now() IS NOT NULL AS ok, typeof(now()) AS t, now() AS at")
    assert code == 0 and "True" in out and "TIMESTAMP WITH TIME ZONE" in out, err


@pytest.mark.parametrize(
    "args",
    [
        ("provenance", "withdraw", "--source", "moda"),
        ("provenance", "reinstate", "--source", "moda"),
        ("runs", "abandon", "20261205T000000-abcdef"),
        ("annotate", "allowlist", "revoke", "1"),
        ("annotate", "forget-project", "--bank", "B1", "--project", "topic"),
    ],
)
@pytest.mark.parametrize(
    "reason", ["erasure request of A123456789", "客戶來電 0912-345-678 要求刪除", "mail lin.pei@example.com"]
)
def test_reasons_with_personal_data_are_refused(cli, db_path: Path, args, reason) -> None:
    """A --reason goes into the ledger for good: one that holds a personal value is refused before anything runs."""
    assert cli("init")[0] == 0
    code, _, err = cli(*args, "--reason", reason)
    assert code == 2 and "personal data" in err and "--reason" in err, err
    code, _, err = cli(*args, "--reason", "licensor request, ticket 2026-17")
    assert "personal data" not in err


def test_run_refuses_an_unknown_normal_form_before_the_run_starts(cli, db_path, law_fixtures):
    import duckdb

    assert cli("ingest", "law-moj", str(law_fixtures / "chlaw_json/ch/G0380177.json"))[0] == 0
    code, out, err = cli("run", "hygiene", "--set", "normal_form=XYZ")
    assert code == 2 and "Traceback" not in out + err and err.count("\n") == 1, err
    assert "unknown normal_form 'XYZ'; valid: NFC, NFKC, NFD, NFKD" in err
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM runs WHERE command LIKE 'run%'").fetchone() == (0,)
    finally:
        con.close()
    assert cli("run", "hygiene", "--set", "normal_form=NFKC")[0] == 0


@pytest.fixture
def foreign_db(tmp_path):
    """A user's DuckDB database, not a catalogue."""
    import duckdb

    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (a INTEGER)")
    con.close()
    return path


def _tables(path):
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return sorted(r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall())
    finally:
        con.close()


@pytest.mark.parametrize(
    "argv",
    [
        ["status"],
        ["runs", "list"],
        ["audit", "verify"],
        ["sql", "SELECT 1"],
        ["init"],
        ["export", "dataset", "--purpose", "training", "--audience", "public", "--commercial", "--out", "{out}"],
    ],
    ids=["status", "runs-list", "audit-verify", "sql", "init", "export"],
)
def test_a_duckdb_file_that_is_not_a_catalogue_is_refused_and_left_as_it_was(cli, foreign_db, tmp_path, argv):
    """Review 7: read commands gave a traceback (no table `records`); `init` and `export` added 31 catalogue tables
    and a ledger event to the user's database. One line now, and the file is left as it was."""
    argv = [a.replace("{out}", str(tmp_path / "ex")) for a in argv]
    code, _, err = cli(*argv, db=foreign_db)
    assert code == 1 and "not a curate catalogue" in err and len(err.strip().splitlines()) == 1, err
    assert _tables(foreign_db) == ["t"]


def test_an_empty_duckdb_file_or_a_new_path_is_made_a_catalogue(cli, tmp_path):
    import duckdb

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    for path in (empty, tmp_path / "new" / "c.duckdb"):
        code, out, err = cli("init", db=path)
        assert code == 0 and "ready" in out, err
        assert "_schema_migrations" in _tables(path)


def _duckdb(path, *sql):
    import duckdb

    con = duckdb.connect(str(path))
    for statement in sql:
        con.execute(statement)
    con.close()
    return path


def _refused(cli, path, *argv):
    code, out, err = cli(*argv, db=path)
    assert code == 1 and "Traceback" not in out + err and len(err.strip().splitlines()) == 1, out + err
    return err


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE SEQUENCE invoice_no START 1000",
        "CREATE MACRO fee(a) AS a * 0.01",
        "CREATE TYPE mood AS ENUM ('ok', 'not')",
        "CREATE SCHEMA billing",
    ],
    ids=["sequence", "macro", "type", "schema"],
)
def test_a_database_of_sequences_macros_or_types_is_not_taken_for_empty(cli, tmp_path, sql):
    """Review 7 (cli, 4a): only tables and views counted; `init` added the catalogue's tables to such a database."""
    path = _duckdb(tmp_path / "user.duckdb", sql)
    for argv in (["init"], ["status"]):
        assert "not a curate catalogue" in _refused(cli, path, *argv)
    assert _tables(path) == []


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE _schema_migrations (id INTEGER, name VARCHAR)",
        "CREATE TABLE _schema_migrations (version INTEGER, name VARCHAR)",
    ],
    ids=["no-version", "other-versions"],
)
def test_another_tools_schema_migrations_table_is_refused(cli, tmp_path, sql):
    """Review 7 (cli, 4b): without `version` every command ended in a Binder Error traceback; with one, `init`
    migrated the user's database."""
    path = _duckdb(
        tmp_path / "user.duckdb", sql, "INSERT INTO _schema_migrations VALUES (1, 'x')", "CREATE TABLE t (a INT)"
    )
    for argv in (["status"], ["init"], ["audit", "verify"]):
        assert "another tool's" in _refused(cli, path, *argv)
    assert _tables(path) == ["_schema_migrations", "t"]


def test_an_empty_database_or_file_says_run_init_and_init_makes_it_a_catalogue(cli, tmp_path):
    """Review 7 (cli, 5): an empty DuckDB database was "not a curate catalogue ... choose another --db", though
    `curate init` makes it one; `init` refused a 0-byte file (`touch`, `mktemp`) as not a DuckDB file."""
    empty = _duckdb(tmp_path / "empty.duckdb")
    zero = tmp_path / "zero.duckdb"
    zero.touch()
    for path in (empty, zero):
        for argv in (["status"], ["runs", "list"]):
            assert "run `curate init`" in _refused(cli, path, *argv)
        code, out, err = cli("init", db=path)
        assert code == 0 and "ready" in out, err
        assert cli("status", db=path)[0] == 0


def test_a_catalogue_from_a_newer_curate_is_refused(cli, db_path, tmp_path):
    """Review 7: a catalogue whose schema is newer than the code's last migration was read and written to."""
    from provenance import db

    assert cli("init")[0] == 0
    con = db.connect(db_path)
    con.execute(
        "INSERT INTO _schema_migrations (version, name) VALUES (?, 'future_thing')", [db.latest_migration() + 1]
    )
    con.close()
    for argv in (["status"], ["init"], ["runs", "list"]):
        code, _, err = cli(*argv)
        assert code == 1 and "made by a newer curate" in err and len(err.strip().splitlines()) == 1, err


def test_ctrl_c_is_130_and_a_closed_pipe_141(db_path, monkeypatch):
    """Review 7: Ctrl-C ended every command with "aborted", exit 1 (the 130 branch was dead code: click turns it
    into Abort first); `curate status | head` exited 1, "error". Now 130 and 141, as a shell reports them."""
    from curate import cli as cli_mod

    assert cli_mod.run(["--db", str(db_path), "init"]) == 0

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr("provenance.status.status_sections", interrupted)
    assert cli_mod.run(["--db", str(db_path), "status"]) == 130
    monkeypatch.undo()

    def broken(*a, **k):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli_mod.click, "echo", broken)
    monkeypatch.setattr(sys, "stdout", sys.stdout)  # click wraps both on a broken pipe: restored after the test
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    assert cli_mod.run(["--db", str(db_path), "status"]) == 141


def test_an_empty_curate_db_is_the_default_path(monkeypatch, tmp_path):
    from curate.cli import default_db_path

    monkeypatch.setenv("CURATE_DB", "")
    assert default_db_path() == Path("curate.duckdb")


@pytest.mark.parametrize("value", ["9223372036854775808", "99999999999999999999"])
def test_runs_list_limit_beyond_int64_is_a_usage_error(cli, value):
    """Review 7: DuckDB's ConversionException traceback (out of range for INT64)."""
    assert cli("init")[0] == 0
    code, _, err = cli("runs", "list", "--limit", value)
    assert code == 2 and "--limit" in err and "Traceback" not in err, err


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder no file can be created in, holding a writable catalogue (root ignores modes: the folder is made
    immutable then, where the file system allows it)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    yield folder
    subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
    folder.chmod(0o755)


def _seal(folder: Path) -> None:
    folder.chmod(0o555)
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
    try:
        (folder / "probe").touch()
    except OSError:
        return
    (folder / "probe").unlink()
    pytest.skip("cannot make a folder read-only here")


def test_a_folder_where_duckdb_cannot_write_its_wal_is_one_line(cli, read_only_folder, tmp_path):
    """Review 7 (cli, 5): a writable catalogue in a read-only folder failed at its first commit with DuckDB's
    TransactionException traceback (the WAL is created beside the catalogue)."""
    path = read_only_folder / "cat.duckdb"
    assert cli("init", db=path)[0] == 0
    src = tmp_path / "corpus.jsonl"
    src.write_text('{"id": "c1", "text": "第1條 銀行經營之業務。"}\n', "utf-8")
    _seal(read_only_folder)
    code, out, err = cli("-q", "ingest", "moda", str(src), "--licence", "CC-BY-4.0", db=path)
    assert code == 1 and "Traceback" not in out + err and len(err.strip().splitlines()) == 1, out + err
    assert "cat.duckdb.wal" in err and "folder must be writable" in err, err
    assert cli("status", db=path)[0] == 0  # reading needs no WAL


def test_stdout_in_an_encoding_without_the_catalogues_characters_gets_escapes(cli, db_path):
    """Review 7 (cli, 5): `PYTHONIOENCODING=latin-1 curate sql ... | cat` ended in a UnicodeEncodeError traceback."""
    assert cli("init")[0] == 0
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    proc = subprocess.run(
        [sys.executable, "-m", "curate.cli", "--db", str(db_path), "sql", "SELECT '臺灣 café' AS t"],
        capture_output=True,
        cwd=ROOT,
        env=env,
    )
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr
    assert "\\u81fa\\u7063 café" in proc.stdout.decode("latin-1"), proc.stdout


@pytest.mark.parametrize("encoding", ["latin-1", "cp950"])
def test_json_output_stays_json_under_a_stdout_without_the_characters(cli, db_path, encoding):
    """Review 8 (surface, 2): the escapes above were Python's (``\\xe9``, ``\\U0002000b``), so ``--json`` under a
    Latin-1 or Big5 (cp950) stdout wrote invalid JSON with exit 0; now ``\\uXXXX`` (surrogate pairs beyond the BMP)."""
    assert cli("init")[0] == 0
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    value = "café 臺灣 𠀋 ① ₩"
    proc = subprocess.run(
        [sys.executable, "-m", "curate.cli", "--db", str(db_path), "sql", "--json", f"SELECT '{value}' AS t"],
        capture_output=True,
        cwd=ROOT,
        env=env,
    )
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr
    assert json.loads(proc.stdout.decode(encoding).splitlines()[0]) == {"t": value}


@pytest.mark.parametrize("flag", ["-q", "--quiet"])
def test_quiet_after_the_command_as_curate_help_spells_it(cli, db_path, flag):
    """Review 9 (docs): README says global options may come after the command and `curate --help` shows
    `-q, --quiet`, but `curate status -q` was `No such option '-q'` (exit 2): only `--quiet` was moved."""
    from curate import cli as cli_mod

    assert cli("init")[0] == 0
    assert cli_mod.run(["status", flag, "--db", str(db_path), "--json"]) == 0
    assert cli_mod.run(["sql", flag, "--db", str(db_path), "SELECT 1 AS one"]) == 0


def test_the_init_a_missing_or_empty_catalogue_asks_for_is_the_one_that_makes_it(cli, tmp_path):
    """Review 9 (docs): `curate --db x.duckdb status` said "run `curate init`", which makes ./curate.duckdb, not
    x.duckdb, so the new user following it met the same error again; the line now names the command with --db."""
    import re
    import shlex

    from curate import cli as cli_mod

    zero = tmp_path / "my catalogue" / "zero.duckdb"
    zero.parent.mkdir()
    zero.touch()
    empty = _duckdb(tmp_path / "my catalogue" / "empty.duckdb")  # an empty DuckDB database said plain `curate init`
    for path in (tmp_path / "x.duckdb", zero, empty):
        code, _, err = cli("status", db=path)
        assert code == 1 and len(err.strip().splitlines()) == 1, err
        suggested = re.search(r"\(`(curate --db [^`]+ init)`\)", err)
        assert suggested, err
        assert cli_mod.run(shlex.split(suggested.group(1))[1:]) == 0
        assert cli("status", db=path)[0] == 0


def test_a_mistyped_command_names_the_nearest_one(cli) -> None:
    """`curate ingest lawmoj` said only "No such command 'lawmoj'" (review 9, docs): the nearest command is named."""
    for argv, near in ((["ingest", "lawmoj", "x.json"], "law-moj"), (["exprot", "dataset"], "export")):
        code, _, err = cli(*argv)
        assert code == 2 and f"Did you mean '{near}'?" in err, err
    code, _, err = cli("ingest", "zzzz")
    assert code == 2 and "No such command 'zzzz'." in err and "Did you mean" not in err, err
