"""tests/helpers/catalogue_builder.py: test records go through the one version writer."""

from __future__ import annotations

import json

import pytest
from catalogue_builder import add_record, add_records, add_source

from provenance.db import connect
from provenance.records import ingest_record_id, sha256_text


def test_rows_are_written_in_order_with_derived_ids_and_defaults(db_path):
    con = connect(db_path)
    add_source(con, "s", licence_id="CC-BY-4.0", metadata={"provider": "測試"})
    texts = ["丙", "甲", "乙"]  # record ids do not sort like this: order must come from the input
    ids = add_records(con, [{"source_id": "s", "locator": f"L{i}", "text": t} for i, t in enumerate(texts)])
    assert ids == [ingest_record_id("s", f"L{i}", t) for i, t in enumerate(texts)]
    rows = con.execute(
        "SELECT record_id, doc_key, status, stage, run_id, content_sha256, version_of FROM records ORDER BY rowid"
    ).fetchall()
    assert [r[0] for r in rows] == ids
    assert rows[0][1:] == ("s/L0", "active", "ingest", "test-run", sha256_text("丙"), None)
    meta = con.execute("SELECT metadata FROM sources WHERE source_id = 's'").fetchone()[0]
    assert json.loads(meta) == {"provider": "測試"}


def test_columns_pass_through_and_rewriting_a_version_is_a_no_op(db_path):
    con = connect(db_path)
    add_source(con, "s")
    rid = add_record(con, "s", "a", "文", title="標題", pii_state="clean", metadata={"k": 1}, stage="pii")
    assert add_record(con, "s", "a", "文", title="other") == rid
    assert con.execute(
        "SELECT count(*), any_value(title), any_value(stage), any_value(pii_state) FROM records"
    ).fetchone() == (
        1,
        "標題",
        "pii",
        "clean",
    )
    with pytest.raises(ValueError, match="colour"):
        add_record(con, "s", "b", "x", colour="red")
