"""A licence named by its alias (the ids domain-sources.md gives) is stored as the catalogue's own id (review 6, 10):
stored as typed, the same licence under its id later made new versions with false ``licence_terms_changed`` events."""

from __future__ import annotations

import duckdb

from curate.ingest import ingest
from curate.pipeline import IngestStep, _source
from sources.moda import ModaSource

FSC_ALIAS, FSC_ID = "LicenseRef-TW-CopyrightAct-Art9", "LicenseRef-TW-Copyright-Art9"
MODA_ALIAS, MODA_ID = "LicenseRef-SAITD-Lic-Taiwan-1.0", "LicenseRef-MODA-AI-Training"


def _rows(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _licences(db):
    return _rows(
        db,
        "SELECT (SELECT list(DISTINCT licence_id ORDER BY licence_id) FROM records),"
        " (SELECT list(licence_id ORDER BY source_id) FROM sources),"
        " (SELECT count(*) FROM provenance_events WHERE action = 'licence_terms_changed')",
    )[0]


def test_fsc_alias_on_the_command_line_is_stored_as_the_licence_id(cli, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "3c" * 32)
    f = tmp_path / "cases.csv"
    f.write_text("日期,受處分人,主旨\n114/09/26,甲商業銀行股份有限公司,核處甲商業銀行新臺幣300萬元\n", encoding="utf-8")
    code, out, err = cli("--quiet", "ingest", "fsc", "--licence", FSC_ALIAS, str(f))
    assert code == 0, out + err
    code, out, err = cli("--quiet", "ingest", "fsc", str(f))  # the default: the licence's own id
    assert code == 0 and "1 unchanged" in out and "licence terms changed" not in out, out + err
    assert _licences(db_path) == ([FSC_ID], [FSC_ID], 0)


def test_moda_alias_is_stored_as_the_licence_id(db_path, tmp_path):
    f = tmp_path / "ds" / "a.jsonl"
    f.parent.mkdir()
    f.write_text('{"id": 1, "text": "臺灣主權AI語料。"}\n', encoding="utf-8")
    first = ingest(db_path, ModaSource([f], licence=MODA_ALIAS, dataset="測試集"))
    assert first.records_new == 1
    again = ingest(db_path, ModaSource([f], licence=MODA_ID, dataset="測試集"))
    assert again.versions_new == 0 and again.unchanged == 1
    assert _licences(db_path) == ([MODA_ID], [MODA_ID], 0)
    meta = _rows(db_path, "SELECT json_extract_string(metadata, '$.licence_class') FROM records")
    assert meta == [(MODA_ID,)]


def test_pipeline_file_alias_is_the_licence_id(tmp_path):
    step = IngestStep("fsc", [tmp_path], {"licence": FSC_ALIAS})
    assert _source(step, tmp_path / "none.duckdb", read_catalogue=False).licence == FSC_ID


def test_fsc_source_built_directly_stores_the_licence_id(tmp_path):
    """Library callers (not the CLI, not a pipeline) get the catalogue's id too."""
    from sources.fsc import FscSource

    assert FscSource([tmp_path], licence=FSC_ALIAS).licence == FSC_ID


def _as_stored_before_the_fix(db, licence_id):
    """The licence ids as the code before aliases were resolved stored them: as typed."""
    con = duckdb.connect(str(db))
    con.execute("UPDATE records SET licence_id = ?", [licence_id])
    con.execute("UPDATE sources SET licence_id = ?", [licence_id])
    con.close()


def test_an_alias_stored_by_an_older_catalogue_is_the_same_licence(cli, db_path, tmp_path, monkeypatch):
    """A catalogue made before aliases were stored as the id holds the alias: the same command again made a new
    version of every record with a false ``licence_terms_changed`` (review of the fixes, 7)."""
    monkeypatch.setenv("CURATE_PII_KEY", "3c" * 32)
    f = tmp_path / "cases.csv"
    f.write_text("日期,受處分人,主旨\n114/09/26,甲商業銀行股份有限公司,核處甲商業銀行新臺幣300萬元\n", encoding="utf-8")
    code, out, err = cli("--quiet", "ingest", "fsc", "--licence", FSC_ALIAS, str(f))
    assert code == 0, out + err
    _as_stored_before_the_fix(db_path, FSC_ALIAS)
    code, out, err = cli("--quiet", "ingest", "fsc", "--licence", FSC_ALIAS, str(f))
    assert code == 0 and "1 unchanged" in out and "licence terms changed" not in out, out + err
    m = tmp_path / "ds" / "a.jsonl"
    m.parent.mkdir()
    m.write_text('{"id": 1, "text": "臺灣主權AI語料。"}\n', encoding="utf-8")
    ingest(db_path, ModaSource([m], licence=MODA_ALIAS, dataset="測試集"))
    _as_stored_before_the_fix(db_path, MODA_ALIAS)
    again = ingest(db_path, ModaSource([m], licence=MODA_ALIAS, dataset="測試集"))
    assert again.versions_new == 0 and again.unchanged == 1
    assert _rows(db_path, "SELECT count(*) FROM provenance_events WHERE action = 'licence_terms_changed'") == [(0,)]
