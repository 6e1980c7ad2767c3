"""Auditor commands: read-only, tables and --json, refuse writes and raw PII tables."""

from __future__ import annotations

import json

import duckdb
import pytest


@pytest.fixture
def exported(mixed, cli, tmp_path):
    code, out, err = cli(
        "--quiet",
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        "training",
        "--audience",
        "public",
        "--out",
        str(tmp_path / "x"),
        "--as-of",
        "2026-06-01",
        "--json",
    )
    assert code == 0, err
    return mixed, json.loads(out)


def test_audit_record_shows_lineage_events_and_exports(exported, cli):
    ids, exp = exported
    raw, scrubbed = ids["pii_raw_parent"][0], ids["pii_scrubbed"][0]
    code, out, _ = cli("audit", "record", scrubbed, "--json")
    assert code == 0
    rep = json.loads(out)
    assert rep["record"]["record_id"] == scrubbed and rep["record"]["version_of"] == raw
    assert rep["source"]["source_id"] == "sanctions" and rep["source"]["origin"] == "file://sanctions"
    assert [v["record_id"] for v in rep["versions"]] == [raw, scrubbed]
    actions = [(e["record_id"], e["stage"], e["action"]) for e in rep["events"]]
    assert actions == [(raw, "ingest", "ingest"), (raw, "pii", "pii_scrubbed")]
    assert [e["seq"] for e in rep["events"]] == sorted(e["seq"] for e in rep["events"])
    assert [x["export_id"] for x in rep["exports"]] == [exp["export_id"]]
    assert "王小明" not in out  # audit record shows no text

    code, out, _ = cli("audit", "record", raw, "--json")
    rep = json.loads(out)
    assert [d["record_id"] for d in rep["derived"]] == [scrubbed]
    code, out, _ = cli("audit", "record", raw)
    assert code == 0 and "events (2)" in out and "versions (2)" in out and exp["export_id"] in out
    # an id the catalogue lacks is exit 2 (usage) as `runs show`/`runs abandon` (review 11, docs-r: it was 1)
    code, _, err = cli("audit", "record", "nope")
    assert code == 2 and "not in the catalogue" in err
    code, _, err = cli("audit", "record", "x' OR '1'='1")
    assert code == 2 and "not in the catalogue" in err
    code, _, err = cli("audit", "record", "abcdef0123")
    assert code == 2 and "no record id starts with" in err


def test_audit_export_breakdown(exported, cli):
    _, exp = exported
    code, out, _ = cli("audit", "export", exp["export_id"], "--json")
    assert code == 0
    rep = json.loads(out)
    assert rep["records"] == 6
    assert rep["blocked"] == {"audience": 2, "missing_licence": 1, "pii_unchecked": 1, "unknown_licence": 1}
    per_lic = {(r["licence_id"], r["source_id"]): r["records"] for r in rep["licences"]}
    assert per_lic[("OGDL-Taiwan-1.0", "law_moj")] == 3
    code, out, _ = cli("audit", "export", exp["export_id"])
    assert code == 0 and "pii_unchecked" in out
    code, _, err = cli("audit", "export", "nope")
    assert code == 2 and "not found" in err and "`curate audit exports`" in err


def test_audit_licences_flags_unknown(mixed, cli):
    code, out, _ = cli("audit", "licences", "--json")
    rows = {(r["licence_id"], r["source_id"]): r for r in json.loads(out)}
    assert rows[("OGDL-Taiwan-1.0", "law_moj")]["records"] == 3
    assert rows[("LicenseRef-Unknown-Thing", "mystery")]["known"] is False
    assert rows[("(none)", "law_moj")]["known"] is False
    assert rows[("OGDL-Taiwan-1.0", "law_moj")]["characters"] > 0
    code, out, _ = cli("audit", "licences")
    assert "UNKNOWN" in out
    code, out, _ = cli("licences", "check")
    assert code == 0 and "LicenseRef-Unknown-Thing" in out


@pytest.mark.parametrize(
    "query",
    [
        "UPDATE records SET status = 'active'",
        "DELETE FROM provenance_events",
        "INSERT INTO exports SELECT * FROM exports",
        "SELECT 1; DROP TABLE records",
        "CREATE TABLE x AS SELECT 1",
        "ATTACH 'other.duckdb'",
    ],
    ids=["update", "delete", "insert", "stacked", "create", "attach"],
)
def test_audit_sql_refuses_writes(mixed, db_path, cli, query):
    before = db_path.read_bytes()
    code, _, err = cli("audit", "sql", query)
    assert code == 2 and ("read-only" in err.lower() or "refused" in err)
    assert db_path.read_bytes() == before


def test_audit_sql_reads_and_refuses_raw_vault(mixed, db_path, cli):
    code, out, _ = cli("audit", "sql", "SELECT source_id, count(*) AS n FROM records GROUP BY 1 ORDER BY 1", "--json")
    assert code == 0 and {"source_id": "law_moj", "n": 4} in json.loads(out)
    con = duckdb.connect(str(db_path))
    con.execute("CREATE TABLE IF NOT EXISTS raw_vault (record_id VARCHAR, ciphertext BLOB)")  # migration 0004
    con.close()
    code, _, err = cli("audit", "sql", "SELECT * FROM raw_vault")
    assert code == 2 and "raw_vault" in err
    code, _, err = cli("audit", "sql", "SELECT count(*) FROM RAW_VAULT")
    assert code == 2 and "raw_vault" in err


def test_auditor_commands_never_write(exported, db_path, cli):
    ids, exp = exported
    before = db_path.read_bytes()
    for args in (
        ["verify"],
        ["record", ids["law"][0]],
        ["export", exp["export_id"]],
        ["licences"],
        ["withdrawn"],
        ["sql", "SELECT 1"],
    ):
        code, _, err = cli("audit", *args, "--json")
        assert code == 0, (args, err)
    assert db_path.read_bytes() == before


def test_audit_on_missing_catalogue(tmp_path, cli):
    code, _, err = cli("audit", "verify", db=tmp_path / "absent.duckdb")
    assert code == 1 and "does not exist" in err
    assert not (tmp_path / "absent.duckdb").exists()


def test_audit_on_catalogue_before_migration_0002(tmp_path, cli):
    from provenance.db import migrations

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE _schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    number, name, sql = migrations()[0]
    con.execute(sql)
    con.execute("INSERT INTO _schema_migrations VALUES (?, ?, now())", [number, name])
    con.close()
    code, _, err = cli("audit", "withdrawn", db=path)
    assert code == 1 and "curate init" in err
    code, out, _ = cli("audit", "verify", db=path)
    assert code == 0


def test_lineage_follows_versions_across_doc_keys(mixed, db_path):
    """records has no index (migration 0101): the chain is read by doc_key, then followed across doc_keys."""
    from provenance import audit, db
    from provenance.records import insert_versions

    raw, scrubbed = mixed["pii_raw_parent"][0], mixed["pii_scrubbed"][0]
    con = db.connect(db_path)
    with db.transaction(con):
        con.execute(
            "CREATE TEMP TABLE _v AS SELECT * FROM (VALUES ('child-x', ?, 'elsewhere', 'child text'),"
            " ('grandchild-x', 'child-x', 'elsewhere', 'grandchild text')) t(record_id, parent_id, doc_key, text)",
            [scrubbed],
        )
        assert insert_versions(con, "_v", run_id="t", stage="test") == 1  # the grandchild's parent is not in yet
        assert insert_versions(con, "_v", run_id="t", stage="test") == 1
    con.close()
    con = db.connect_readonly(db_path)
    try:
        rep = audit.record_report(con, raw)
        assert [(v["record_id"], v["depth"]) for v in rep["versions"]] == [
            (raw, 0),
            (scrubbed, 1),
            ("child-x", 2),
            ("grandchild-x", 3),
        ]
        rep = audit.record_report(con, "grandchild-x")
        assert [(v["record_id"], v["depth"]) for v in rep["versions"]] == [
            (raw, -3),
            (scrubbed, -2),
            ("child-x", -1),
            ("grandchild-x", 0),
        ]
        assert rep["record"]["doc_key"] == "elsewhere"
    finally:
        con.close()
