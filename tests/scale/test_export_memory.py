"""An export's candidate ranges fit DuckDB's cap: at 100k articles `export dataset` ran out of the default 128 MB
(each range's query built a hash table of every record's ``version_of``, and a range was 50,000 texts whatever
their length). Here 20,000 articles are exported under a 48 MB cap."""

from __future__ import annotations

import duckdb

from curate.ingest import ingest
from sources.law_moj import LawMojSource


def test_export_of_20k_articles_under_a_48mb_cap(tmp_path, monkeypatch, cli, law_gen) -> None:
    dump = tmp_path / "ChLaw.json"
    law_gen.write_dump(dump, 20_000)
    db = tmp_path / "c.duckdb"
    ingest(db, LawMojSource([dump], scope="all"))
    con = duckdb.connect(str(db))
    try:  # past the PII stage, so the export writes them (a withdrawn leaf is a candidate too)
        con.execute("UPDATE records SET pii_state = 'clean'")
        con.execute("UPDATE records SET status = 'withdrawn' WHERE rowid = 7")
    finally:
        con.close()
    monkeypatch.setenv("CURATE_DUCKDB_MEMORY", "48MB")
    out = tmp_path / "export"
    args = ("export", "dataset", "--purpose", "training", "--audience", "consortium", "--non-commercial")
    code, stdout, stderr = cli(*args, "--out", str(out), db=db)
    assert code == 0, stderr
    assert "19999 records" in stdout and "1 blocked (withdrawn 1)" in stdout, stdout


def test_export_of_long_texts_does_not_hold_them_in_its_joins(tmp_path, monkeypatch, cli, law_gen) -> None:
    """The pass that finds which stage last changed each text (``_TEXT_STAGES``) joined every version with its
    parent carrying both texts, so its hash tables held every text twice, outside the ranges' budget: 4,000
    articles of ~4 KB ran a 64 MB cap out (review 9). It now joins the texts' SHA-256 digests."""
    dump = tmp_path / "ChLaw.json"
    law_gen.write_dump(dump, 4_000)
    db = tmp_path / "c.duckdb"
    ingest(db, LawMojSource([dump], scope="all"))
    con = duckdb.connect(str(db))
    try:  # ~4 KB texts (their digests kept true: the export checks them)
        con.execute("UPDATE records SET text = repeat(text, 7), pii_state = 'clean'")
        con.execute("UPDATE records SET content_sha256 = sha256(text)")
        assert con.execute("SELECT sum(strlen(text)) FROM records").fetchone()[0] > 14e6
    finally:
        con.close()
    monkeypatch.setenv("CURATE_DUCKDB_MEMORY", "64MB")
    out = tmp_path / "export"
    args = ("export", "dataset", "--purpose", "training", "--audience", "consortium", "--non-commercial")
    code, stdout, stderr = cli(*args, "--out", str(out), db=db)
    assert code == 0, stderr
    assert "4000 records" in stdout, stdout
