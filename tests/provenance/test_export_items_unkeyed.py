"""Migration 0102: ``export_items`` keeps its rows and loses its primary key and index (issue 17)."""

from __future__ import annotations

import duckdb

from provenance import db


def test_migration_keeps_the_items_and_drops_the_indexes(tmp_path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute(
        "CREATE TABLE _schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP DEFAULT now())"
    )
    for number, name, sql in db.migrations():
        if number < 102:
            con.execute(sql)
            con.execute("INSERT INTO _schema_migrations (version, name) VALUES (?, ?)", [number, name])
    con.execute("INSERT INTO export_items VALUES ('e1', 'r1', 'd1', 'CC0-1.0'), ('e1', 'r2', NULL, NULL)")
    assert con.execute("SELECT count(*) FROM duckdb_indexes() WHERE table_name = 'export_items'").fetchone()[0] == 1
    assert 102 in db.migrate(con)
    rows = con.execute("SELECT * FROM export_items ORDER BY record_id").fetchall()
    assert rows == [("e1", "r1", "d1", "CC0-1.0"), ("e1", "r2", None, None)]
    assert con.execute("SELECT count(*) FROM duckdb_indexes() WHERE table_name = 'export_items'").fetchone()[0] == 0
    assert not con.execute(
        "SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'export_items'"
        " AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')"
    ).fetchall()
    con.close()
