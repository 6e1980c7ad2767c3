"""The auditor's SQL surface (`curate sql`, `curate audit sql`) tried as a hostile user would (issue 12 §1).

Every attack runs through the real CLI on a real catalogue; each must be refused with one line
and exit code 2, and must leave the catalogue, the key file and every other file untouched.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from provenance.db import connect, connect_readonly, migrations
from provenance.errors import ReadOnlyError
from provenance.sqlguard import READABLE_TABLES, SEALED_TABLES

KEY = "k" * 64


@pytest.fixture
def hostile(mixed, db_path: Path, tmp_path: Path):
    """`mixed` plus what an attacker wants: a sealed vault row, a key file, a run's results parquet."""
    con = connect(db_path)
    con.execute(
        "INSERT INTO raw_vault VALUES ('rid-1', 'NONCE'::BLOB, 'CIPHERTEXT-OF-X'::BLOB, 'kid', now()::TIMESTAMP)"
    )
    con.close()
    key_file = tmp_path / "pii.key"
    key_file.write_text(KEY)
    results = tmp_path / ".curate" / db_path.stem / "runs" / "r1" / "results"
    results.mkdir(parents=True)
    pq.write_table(pa.table({"id": ["a"], "text": ["受處分人：王小明 身分證 A123456789"]}), results / "00000.parquet")
    return {"ids": mixed, "key": key_file, "results": results, "tmp": tmp_path}


def _snapshot(*paths: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in paths if p.exists()}


ATTACKS = {
    "comment-copy-over-catalogue": "/**/ COPY (SELECT 'x') TO '{db}'",
    "comment-copy-over-key": "/* hi */ COPY (SELECT 'x') TO '{key}'",
    "copy-into-run-results": "/**/ COPY (SELECT 'x' AS id, 'y' AS text) TO '{results}/99999.parquet' (FORMAT parquet)",
    "export-database": "/**/ EXPORT DATABASE '{tmp}/dump'",
    "read-key-file": "SELECT content FROM read_text('{key}')",
    "query-table-vault": "SELECT * FROM query_table('raw'||'_vault')",
    "query-vault": "SELECT * FROM query('SELECT * FROM raw_vault')",
    "vault-direct": "SELECT * FROM raw_vault",
    "vault-subquery": "SELECT (SELECT count(*) FROM main.RAW_VAULT) AS n",
    "vault-in-cte": 'WITH x AS (SELECT * FROM "raw_vault") SELECT * FROM x',
    "vault-describe": "DESCRIBE raw_vault",
    "cte-shadowing-vault": "WITH raw_vault AS (SELECT 1 AS a) SELECT * FROM raw_vault",
    "read-parquet-results": "SELECT * FROM read_parquet('{tmp}/.curate/**/results/*.parquet')",
    "replacement-scan": "SELECT * FROM '{results}/00000.parquet'",
    "glob": "SELECT * FROM glob('{tmp}/*')",
    "attach": "ATTACH '{tmp}/other.duckdb' AS o",
    "set": "SET enable_external_access = true",
    "reset": "RESET lock_configuration",
    "pragma": "PRAGMA database_list",
    "call": "CALL pragma_version()",
    "load": "LOAD httpfs",
    "install": "INSTALL httpfs",
    "checkpoint": "CHECKPOINT",
    "stacked": "SELECT 1; DROP TABLE records",
    "stacked-after-literal": "SELECT ';'; COPY (SELECT 1) TO '{tmp}/x.csv'",
    "update": "UPDATE records SET licence_id = 'CC0-1.0'",
    "settings-function": "SELECT * FROM duckdb_settings()",
    "other-catalog": "SELECT * FROM system.main.duckdb_settings",
    "explain-analyze": "EXPLAIN ANALYZE SELECT 1",
    # settings, paths and variables through scalar functions; sealed tables' row counts through pg_catalog
    "secret-directory": "SELECT current_setting('secret_directory') AS d",
    "temp-directory-in-where": "SELECT 1 FROM records WHERE current_setting('temp_directory') LIKE '%cat%'",
    "setting-qualified": "SELECT system.main.current_setting('temp_directory')",
    "getvariable": "SELECT getvariable('x')",
    "view-definition-macro": "SELECT pg_get_viewdef(1)",
    "database-size-macro": "SELECT get_block_size('cat')",
    "vault-row-count": "SELECT reltuples FROM pg_catalog.pg_class WHERE relname = 'raw_vault'",
    # SQL text inside a function is bound on the auditor's connection, never walked by the guard (review 8):
    # the optimiser folded a setting and a sealed table's row count into the plan
    "plan-of-a-setting": "SELECT json_serialize_plan('SELECT current_setting(''temp_directory'')', optimize := true)",
    "plan-counts-the-vault": "SELECT json_serialize_plan('SELECT count(*) FROM raw_vault', optimize := true) LIKE '%1%'",
    "plan-in-where": "SELECT 1 FROM records WHERE json_serialize_sql('SELECT * FROM raw_vault') IS NOT NULL",
    # the statistics of the raw column beneath the masking view's CASE: prefixes of unchecked titles
    "stats-of-a-masked-title": "SELECT stats(title) FROM records WHERE source_id = 'sanctions'",
    "stats-of-a-masked-text": "SELECT DISTINCT stats(text) AS s FROM records",
    # review 17: a CTE's name is a name only inside its scope; outside it (another branch, a subquery beside it, the
    # CTE's own body) the same name is DuckDB's: pg_class counted the vault's rows, pg_settings told the spill
    # folder and duckdb_databases the catalogue's path, all views of DuckDB's own the allow-list never saw
    "cte-name-out-of-scope-counts-vault": (
        "SELECT relname, reltuples FROM (WITH pg_class AS (SELECT 1) SELECT 1) t, pg_class WHERE relname = 'raw_vault'"
    ),
    "cte-body-reads-its-own-name": "WITH pg_class AS (SELECT * FROM pg_class) SELECT reltuples FROM pg_class",
    "cte-name-out-of-scope-settings": (
        "SELECT setting FROM (WITH pg_settings AS (SELECT 1) SELECT 1) t, pg_settings WHERE name = 'temp_directory'"
    ),
    "cte-name-out-of-scope-paths": "SELECT path FROM (WITH duckdb_databases AS (SELECT 1) SELECT 1) t, duckdb_databases",
    "cte-name-in-union-branch": "(WITH duckdb_tables AS (SELECT 1) SELECT 1) UNION ALL SELECT count(*) FROM duckdb_tables",
    # Python's lower() folds the Kelvin sign to `k`, DuckDB does not: the bare name below was not the CTE's
    "cte-name-kelvin-sign-paths": 'SELECT path FROM (WITH "duc\u212adb_databases" AS (SELECT 1) SELECT 1) t, duckdb_databases',
    "cte-name-kelvin-sign-in-scope": 'WITH "duc\u212adb_tables" AS (SELECT 1) SELECT sql FROM duckdb_tables',
    "cte-named-the-catalogue-file": 'SELECT * FROM (WITH "{db}" AS (SELECT 1) SELECT 1) t, "{db}"',
    # a parse tree deeper than Python's recursion limit: a clear refusal, not a traceback
    "deep-nesting": "SELECT " + "abs(" * 600 + "1" + ")" * 600,
    "deep-subqueries": "SELECT " + "(SELECT " * 400 + "1" + ")" * 400,
}


@pytest.mark.parametrize("command", ["sql", "audit sql"])
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_refused_with_exit_2(hostile, db_path, cli, command, attack):
    t = hostile
    query = ATTACKS[attack].format(db=db_path, key=t["key"], results=t["results"], tmp=t["tmp"])
    watched = [db_path, t["key"], *t["results"].iterdir()]
    before = _snapshot(*watched)
    listing = sorted(p.relative_to(t["tmp"]) for p in t["tmp"].rglob("*"))
    code, out, err = cli(*command.split(), query)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and ("refused" in lines[0] or "read-only" in lines[0]), err
    assert _snapshot(*watched) == before
    assert sorted(p.relative_to(t["tmp"]) for p in t["tmp"].rglob("*")) == listing  # no file created
    assert KEY not in out + err and "王小明" not in out + err and "CIPHERTEXT" not in out + err


@pytest.mark.parametrize(
    "query, expected",
    [
        ("SELECT ';' AS semi", [{"semi": ";"}]),
        ("SELECT 'a;b' AS s;", [{"s": "a;b"}]),
        ("SELECT count(*) AS n FROM records WHERE source_id = 'law_moj'", [{"n": 4}]),
        ("/* auditors comment too */ SELECT count(*) AS n FROM main.records WHERE source_id = 'ocw'", [{"n": 1}]),
        (
            "WITH s AS (SELECT source_id FROM records) SELECT count(DISTINCT source_id) AS n FROM s",
            [{"n": 7}],
        ),
        ("SELECT count(*) AS n FROM provenance_events e JOIN records r USING (record_id)", None),
        ("SELECT * FROM range(2) t(i)", [{"i": 0}, {"i": 1}]),
        ("FROM records SELECT count(*) AS n WHERE status = 'superseded'", [{"n": 1}]),
        # (DISTINCT: the auditor's connection shows `records` through a temporary view as well, see run_readonly_sql)
        (
            "SELECT DISTINCT table_name FROM information_schema.tables WHERE table_name = 'records'",
            [{"table_name": "records"}],
        ),
    ],
)
def test_normal_audit_queries_still_work(hostile, cli, query, expected):
    for command in ("sql", "audit sql"):
        code, out, err = cli(*command.split(), query, "--json")
        assert code == 0, err
        rows = json.loads(out) if command == "audit sql" else [json.loads(x) for x in out.splitlines()]
        if expected is not None:
            assert rows == expected


def test_describe_and_show_of_permitted_tables(hostile, cli):
    code, out, err = cli("sql", "DESCRIBE records")
    assert code == 0 and "licence_id" in out, err
    code, out, err = cli("audit", "sql", "SHOW TABLES")
    assert code == 0 and "records" in out, err
    code, out, err = cli("sql", "SUMMARIZE runs")
    assert code == 0, err


def test_views_and_macros_in_the_catalogue_cannot_launder_the_vault(hostile, db_path, cli):
    con = connect(db_path)
    con.execute("CREATE VIEW innocent AS SELECT * FROM raw_vault")
    con.execute("CREATE MACRO vault_rows() AS TABLE SELECT * FROM raw_vault")
    con.execute("CREATE MACRO vault_text() AS (SELECT max(ciphertext::VARCHAR) FROM raw_vault)")
    con.close()
    queries = ("SELECT * FROM innocent", "SELECT * FROM vault_rows()", "WITH innocent AS (SELECT 1) SELECT 1")
    for q in (*queries, "SELECT vault_text()", "SELECT 1 FROM records WHERE vault_text() LIKE 'CIPHER%'"):
        code, out, err = cli("audit", "sql", q)
        assert code == 2 and "CIPHERTEXT" not in out, (q, err)


def test_readonly_connection_is_the_second_wall(hostile, db_path):
    """Without the guard, the connection itself refuses writes, files, extensions and setting changes."""
    t = hostile
    con = connect_readonly(db_path, threads=1)
    try:
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 1
        for q in (
            f"COPY (SELECT 1) TO '{t['tmp']}/x.csv'",
            f"SELECT * FROM read_text('{t['key']}')",
            f"SELECT * FROM read_parquet('{t['results']}/*.parquet')",
            f"ATTACH '{t['tmp']}/o.duckdb'",
            "SET enable_external_access = true",
            "SET lock_configuration = false",
            "SET threads = 2",
            "LOAD httpfs",
            "UPDATE records SET licence_id = 'CC0-1.0'",
        ):
            with pytest.raises(duckdb.Error):
                con.execute(q)
    finally:
        con.close()
    assert not (t["tmp"] / "x.csv").exists()


def test_every_catalogue_table_is_classified(tmp_path):
    """A migration that adds a table must put it on the allow-list or the sealed list (fails closed)."""
    con = connect(tmp_path / "all.duckdb")
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    con.close()
    assert migrations()
    unclassified = tables - READABLE_TABLES - SEALED_TABLES
    assert not unclassified, f"classify in provenance/sqlguard.py: {sorted(unclassified)}"
    assert not READABLE_TABLES & SEALED_TABLES


def test_guard_refusal_is_a_readonly_error(hostile, db_path):
    from provenance.db import run_readonly_sql

    with pytest.raises(ReadOnlyError) as exc:
        run_readonly_sql(db_path, "/**/ COPY (SELECT 1) TO 'x.csv'")
    assert exc.value.exit_code == 2 and "COPY" in str(exc.value)


@pytest.mark.parametrize("command", ["sql", "audit sql"])
def test_unchecked_text_of_pii_expected_sources_is_not_shown(hostile, db_path, cli, command):
    """The portal's rule on the SQL surface too: a pii_expected source's text, title and metadata are shown only
    after the PII stage (they are NULL before), and naming the table with the database (past the mask) is refused."""

    def rows(q: str) -> list[dict]:
        code, out, err = cli(*command.split(), q, "--json")
        assert code == 0, err
        out = out.strip()
        return json.loads(out) if out.startswith("[") else [json.loads(line) for line in out.splitlines()]

    q = (
        "SELECT count(*) AS n, count(text) AS t, count(title) AS ti, count(metadata) AS m, count(licence_id) AS l"
        " FROM records WHERE source_id = 'sanctions' AND pii_state IS NULL"
    )
    (r,) = rows(q)
    assert r["t"] == r["ti"] == r["m"] == 0 and r["l"] == r["n"] > 0
    (r,) = rows("SELECT count(*) AS n, count(text) AS t FROM records WHERE source_id = 'law_moj'")
    assert r["t"] == r["n"] > 0
    for q in (
        f"SELECT text FROM {db_path.stem}.main.records",
        f'SELECT text FROM "{db_path.stem}".main.records',
        f"SELECT r.text FROM {db_path.stem}.main.records r, records",
    ):
        code, _, err = cli(*command.split(), q)
        assert code == 2 and "refused" in err, (q, err)
    # after the PII stage's verdict the text is there
    con = connect(db_path)
    con.execute("UPDATE records SET pii_state = 'clean' WHERE source_id = 'sanctions' AND pii_state IS NULL")
    con.close()
    (r,) = rows("SELECT count(text) AS t FROM records WHERE source_id = 'sanctions' AND pii_state = 'clean'")
    assert r["t"] > 0


@pytest.mark.timeout(120)
def test_a_runaway_query_is_stopped(hostile, cli, monkeypatch):
    """CURATE_SQL_TIMEOUT ends an auditor's query that would run for ever (it once had to be killed)."""
    monkeypatch.setenv("CURATE_SQL_TIMEOUT", "1")
    code, _, err = cli("sql", "SELECT sum(hash(i)) FROM range(100000000000000) t(i)")
    assert code == 2 and "CURATE_SQL_TIMEOUT" in err, err
    code, out, _ = cli("sql", "SELECT 41 + 1 AS x")
    assert code == 0 and "42" in out


@pytest.mark.timeout(120)
def test_a_query_over_its_memory_cap_is_one_line(hostile, cli, monkeypatch):
    """An auditor's query shares the machine: DuckDB's default cap is 80 % of memory, now $CURATE_SQL_MEMORY."""
    monkeypatch.setenv("CURATE_SQL_MEMORY", "64MB")
    code, _, err = cli("sql", "SELECT list(i ORDER BY i) FROM range(50000000) t(i)")
    assert code != 0 and "CURATE_SQL_MEMORY (64MB)" in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    monkeypatch.setenv("CURATE_SQL_MEMORY", "lots")
    code, _, err = cli("sql", "SELECT 1")
    assert code != 0 and "CURATE_SQL_MEMORY must be a size" in err, err


@pytest.mark.timeout(120)
def test_a_query_over_its_spill_cap_is_one_line(hostile, cli, monkeypatch):
    """Review 11 (sql-r): a query spilled up to DuckDB's default, 90 % of the free space of TMPDIR, which the
    machine shares; $CURATE_SQL_SPILL caps it (given in `config` DuckDB 1.5 does not enforce it: 340 MB under 5MB)."""
    monkeypatch.setenv("CURATE_SQL_MEMORY", "64MB")
    monkeypatch.setenv("CURATE_SQL_SPILL", "5MB")
    query = "SELECT m FROM (SELECT md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS m FROM range(3000000) t(i)) ORDER BY m"
    code, out, err = cli("sql", f"SELECT count(*) AS n FROM ({query} LIMIT 1 OFFSET 2999999)")
    assert code != 0 and "CURATE_SQL_SPILL (5MB)" in err and len(err.strip().splitlines()) == 1, (out, err)
    assert "Traceback" not in err
    monkeypatch.setenv("CURATE_SQL_SPILL", "lots")
    code, _, err = cli("sql", "SELECT 1")
    assert code != 0 and "CURATE_SQL_SPILL must be a size" in err and len(err.strip().splitlines()) == 1, err


def test_no_progress_bar_on_stdout(hostile, db_path):
    """Review 11 (sql-r): DuckDB draws its progress bar on the process's stdout (fd 1, terminal or not) once a query
    runs 2 s: `curate sql --json ... > out.jsonl` began with `\\r100% ▕███...`. Every auditor connection has it off.
    (A process of its own: under pytest's captured output DuckDB starts with the bar off.)"""
    import subprocess
    import sys

    code = (
        "import sys; from provenance.db import connect_readonly; con = connect_readonly(sys.argv[1]);"
        " print(con.execute(\"SELECT current_setting('enable_progress_bar')\").fetchone()[0])"
    )
    done = subprocess.run([sys.executable, "-c", code, str(db_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "False", (done.stdout, done.stderr)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("command", ["sql", "audit sql"])
def test_a_result_over_its_budget_is_one_line(hostile, cli, monkeypatch, command):
    """Review 11 (sql): DuckDB's cap bounds DuckDB, not the rows handed to Python: `SELECT repeat('銀', 200) FROM
    range(1000000)` was fetched whole (1.2 GB and growing) before a line was printed. $CURATE_SQL_RESULT bounds it."""
    monkeypatch.setenv("CURATE_SQL_RESULT", "1MB")
    code, out, err = cli(*command.split(), "SELECT i, repeat('銀', 200) AS t FROM range(100000) t(i)")
    assert code == 2 and "CURATE_SQL_RESULT" in err and len(err.strip().splitlines()) == 1, err
    assert "銀銀" not in out and "Traceback" not in err
    code, out, err = cli(*command.split(), "SELECT i, repeat('銀', 200) AS t FROM range(3500) t(i)", "--json")
    assert code == 0 and out.count("銀" * 200) == 3500, err  # 0.7M characters, 3,500 rows: under it
    monkeypatch.setenv("CURATE_SQL_RESULT", "lots")
    code, _, err = cli(*command.split(), "SELECT 1")
    assert code != 0 and "CURATE_SQL_RESULT must be a size" in err, err


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "query",
    [
        "SELECT list(repeat('銀', 200)) AS l FROM range(100000)",  # one cell: a list of 20M characters
        "SELECT {'t': repeat('x', 5000000)} AS s",  # a struct
        "SELECT map(['k'], [repeat('x', 5000000)]) AS m",  # a map
        "SELECT '' AS e FROM range(3000000)",  # rows of empty strings counted nothing: 3M rows, 0.5 GB
        "SELECT ''::BLOB AS b FROM range(3000000)",
    ],
)
def test_a_result_budget_counts_every_value(hostile, cli, monkeypatch, query):
    """Review 11 (sql-r): $CURATE_SQL_RESULT counted a list, struct or map as 8 bytes whatever it held, and an
    empty string as nothing, so `SELECT list(text) FROM records` or a million empty rows passed any budget."""
    monkeypatch.setenv("CURATE_SQL_RESULT", "1MB")
    code, out, err = cli("sql", query, "--json")
    assert code == 2 and "CURATE_SQL_RESULT" in err and len(err.strip().splitlines()) == 1, err
    assert out == ""


@pytest.mark.timeout(120)
def test_ctrl_c_stops_a_query(hostile, db_path):
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "curate.cli",
            "--db",
            str(db_path),
            "sql",
            "SELECT sum(hash(i)) FROM range(1e14::BIGINT) t(i)",
        ],
        cwd=Path(__file__).resolve().parents[2],
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(3)  # started and inside the query
    proc.send_signal(signal.SIGINT)
    try:
        code = proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("Ctrl-C did not stop the query")
    assert code != 0 and "Traceback" not in proc.stderr.read()


@pytest.mark.timeout(300)
def test_two_auditors_spilling_at_once_do_not_share_files(hostile, db_path):
    """A query past its memory cap spills into its own process's folder: DuckDB's default, ``<catalogue>.tmp``
    beside the catalogue, was shared, and two auditors over their caps at once both failed (review 8)."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, CURATE_SQL_MEMORY="64MB")
    queries = [
        f"SELECT count(*) AS n, sum(length(s)) AS b FROM (SELECT DISTINCT i, repeat('{c}', 100) || i AS s"
        " FROM range(1500000) t(i))"
        for c in "xy"
    ]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "curate.cli", "--db", str(db_path), "sql", q, "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for q in queries
    ]
    results = [p.communicate(timeout=280) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert json.loads(out.splitlines()[0])["n"] == 1_500_000
    assert not Path(f"{db_path}.tmp").exists()  # nothing written beside the catalogue


@pytest.mark.parametrize("command", ["sql", "audit sql"])
def test_a_pivot_without_its_values_is_refused_for_what_it_is(hostile, cli, command):
    """DuckDB reads `PIVOT t ON c USING ...` as a CREATE TYPE plus the SELECT: one statement was given, not two."""
    for query in ("PIVOT runs ON status USING count(*)", "WITH p AS (PIVOT runs ON status USING count(*)) FROM p"):
        code, out, err = cli(*command.split(), query)
        assert code == 2, (out, err)
        assert "statements given" not in err and "PIVOT" in err and "IN (" in err, err
        assert len(err.strip().splitlines()) == 1
    code, out, err = cli(*command.split(), "PIVOT runs ON status IN ('finished', 'failed') USING count(*)")
    assert code == 0, err
    code, out, err = cli(*command.split(), "SELECT 1; SELECT 2")
    assert code == 2 and "2 statements given" in err, err
