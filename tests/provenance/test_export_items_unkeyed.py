"""Migration 0102: ``export_items`` keeps its rows and loses its primary key and index (issue 17)."""

from __future__ import annotations

from catalogue_builder import catalogue_before

from provenance import db


def test_migration_keeps_the_items_and_drops_the_indexes(tmp_path):
    con = catalogue_before(tmp_path / "old.duckdb", 102)
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
