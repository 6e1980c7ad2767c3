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
    (d / "pii_key.txt").chmod(0o600)  # (a key file other users may read is refused: tests/pii/test_key_file.py)
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


@pytest.fixture
def key_elsewhere(tmp_path, monkeypatch):
    key = tmp_path / "secrets" / "pii.key"
    key.parent.mkdir()
    key.write_text(KEY + "\n", encoding="utf-8")
    key.chmod(0o600)
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.setenv("CURATE_PII_KEY_FILE", str(key))
    return key


@pytest.mark.parametrize("how", ["hard link", "symlink", "copy", "copy with a BOM and CRLF", "copy in UTF-16"])
def test_a_folder_holding_a_link_to_or_copy_of_the_key_is_refused(tmp_path, key_elsewhere, cli, db_path, how):
    """Second look (review 12): only the key file's own path was looked for in a folder, so a hard link to the key,
    or a copy of it, in the data folder was ingested as a record's text."""
    d = tmp_path / "corpus" / "sub"
    d.mkdir(parents=True)
    (d / "doc.txt").write_text("金融監督管理委員會發布金融科技發展路徑圖。\n", encoding="utf-8")
    notes = d / "notes.txt"
    if how == "hard link":
        os.link(key_elsewhere, notes)
    elif how == "symlink":
        notes.symlink_to(key_elsewhere)
    elif how == "copy in UTF-16":  # PowerShell 5.1's `"<hex>" > notes.txt`: ingested as a record's text
        notes.write_bytes(("\ufeff" + KEY + "\r\n").encode("utf-16-le"))
    else:
        notes.write_bytes(("\ufeff" + KEY + "\r\n").encode() if "BOM" in how else key_elsewhere.read_bytes())
    code, out, err = cli("ingest", "moda", str(tmp_path / "corpus"), "--licence", "OGDL-Taiwan-1.0")
    assert code == 2, out + err
    assert "PII key" in err and "notes.txt" in err and KEY not in out + err
    assert not db_path.exists()


def test_a_manifest_row_naming_a_copy_of_the_key_is_refused(tmp_path, key_elsewhere, cli, db_path):
    """A TABF/textbooks manifest is the input, its rows name the files: a row naming a copy of the key (or a hard
    link to it) was extracted like any chapter."""
    d = tmp_path / "books"
    d.mkdir()
    (d / "ch1.txt").write_text("第一章 存款\n銀行應依法辦理存款業務。\n", encoding="utf-8")
    (d / "appendix.txt").write_bytes(key_elsewhere.read_bytes())
    rows = "path,licence_id,title,licensor\nch1.txt,CC-BY-4.0,第一章,某大學\nappendix.txt,CC-BY-4.0,附錄,某大學\n"
    (d / "manifest.csv").write_text(rows, encoding="utf-8")
    code, out, err = cli("ingest", "textbooks", str(d / "manifest.csv"))
    assert code == 2, out + err
    assert "appendix.txt" in err and "manifest.csv" in err and "PII key" in err and KEY not in out + err
    assert not db_path.exists()
    (d / "manifest.csv").write_text(rows.splitlines()[0] + "\n" + rows.splitlines()[1] + "\n", encoding="utf-8")
    code, out, err = cli("ingest", "textbooks", str(d / "manifest.csv"))  # an unlisted copy is never read
    assert code == 0, out + err
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert con.execute(
            "SELECT count(*), count(*) FILTER (text LIKE '%' || $k || '%') FROM records", {"k": KEY}
        ).fetchone() == (1, 0)
    finally:
        con.close()


@pytest.mark.parametrize("dry", [(), ("--dry-run",)])
def test_a_pipeline_reading_the_key_is_refused_before_its_first_step(tmp_path, key_elsewhere, cli, db_path, dry):
    """Integration review 12: the pipeline file refused a batch holding a copy of the key only at its ingest step,
    after the batches before it had been ingested (the refusal said 'nothing was read or written'), and its dry run
    read the key as a batch's input and said it would ingest it."""
    law = tmp_path / "law"
    law.mkdir()
    (law / "doc.txt").write_text("金融監督管理委員會發布金融科技發展路徑圖。\n", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "notes.jsonl").write_text(KEY + "\n", encoding="utf-8")
    pipe = tmp_path / "pipeline.toml"
    pipe.write_text(
        '[[ingest]]\nsource = "moda"\npaths = ["law"]\noptions = { licence = "OGDL-Taiwan-1.0" }\n\n'
        '[[ingest]]\nsource = "moda"\npaths = ["data"]\noptions = { licence = "OGDL-Taiwan-1.0" }\n',
        encoding="utf-8",
    )
    assert cli("init")[0] == 0
    code, out, err = cli("pipeline", "run", str(pipe), *dry)
    assert code == 2, out + err
    assert "[[ingest]] #2" in err and "copy of the PII key" in err and KEY not in out + err
    assert "would read" not in out
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM records").fetchone() == (0,)
    finally:
        con.close()
