"""An ingest never reads the PII key file (review 12): a key file kept in the data folder became a record's text,
in the clear in the catalogue (and so in exports); an input that is the key (by name or a hard link) or a folder
holding it is refused before anything is read or written."""

from __future__ import annotations

import os

import duckdb
import pytest

KEY = "5eed" * 16


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "doc.txt").write_text("金融監督管理委員會發布金融科技發展路徑圖。\n", encoding="utf-8")
    (d / "pii_key.txt").write_text(KEY + "\n", encoding="utf-8")
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.setenv("CURATE_PII_KEY_FILE", str(d / "pii_key.txt"))
    return d


@pytest.mark.parametrize("how", ["folder", "file", "hard link"])
def test_the_key_file_is_never_ingested(corpus, tmp_path, cli, db_path, how):
    target = {"folder": corpus, "file": corpus / "pii_key.txt", "hard link": tmp_path / "notes.txt"}[how]
    if how == "hard link":
        os.link(corpus / "pii_key.txt", target)
    code, out, err = cli("ingest", "moda", str(target), "--licence", "OGDL-Taiwan-1.0")
    assert code == 2, out + err
    assert "PII key file" in err and "nothing was read or written" in err and KEY not in out + err
    assert not db_path.exists()


def test_a_folder_without_the_key_is_ingested(corpus, cli, db_path):
    code, out, err = cli("ingest", "moda", str(corpus / "doc.txt"), "--licence", "OGDL-Taiwan-1.0")
    assert code == 0, out + err
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM records WHERE text LIKE '%' || $k || '%'", {"k": KEY}).fetchone() == (
            0,
        )
        assert con.execute("SELECT count(*) FROM records").fetchone() == (1,)
    finally:
        con.close()
