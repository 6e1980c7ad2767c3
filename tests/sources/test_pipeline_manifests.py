"""A pipeline file whose TABF/textbooks manifest its ingest would refuse whole is refused before its first step
(review 13): the batches before it ran and wrote their records, and the dry run said nothing of it."""

from __future__ import annotations

import pytest

HEADERS = {
    "a column named twice": b"path,licence_id,licence_id\nd.txt,CC-BY-4.0,CC-BY-4.0\n",
    "a reserved column": b"path,licence_id,file_sha256\nd.txt,CC-BY-4.0,abc\n",
    "GB18030": "path,licence_id,title\nd.txt,CC-BY-4.0,银行授信实务讲义风险管理与内部控制\n".encode("gb18030"),
}


@pytest.mark.parametrize("dry", [False, True], ids=["run", "dry run"])
@pytest.mark.parametrize("manifest", list(HEADERS), ids=list(HEADERS))
def test_a_manifest_refused_whole_stops_the_pipeline_before_its_first_step(tmp_path, cli, db_path, manifest, dry):
    (tmp_path / "a.csv").write_text("id,text\n1,金融監督管理委員會發布金融科技發展路徑圖。\n", encoding="utf-8")
    books = tmp_path / "books"
    books.mkdir()
    (books / "d.txt").write_text("第一章 存款\n銀行應依法辦理存款業務。\n", encoding="utf-8")
    (books / "manifest.csv").write_bytes(HEADERS[manifest])
    pipe = tmp_path / "pipe.toml"
    pipe.write_text(
        '[[ingest]]\nsource = "moda"\npaths = ["a.csv"]\noptions = { licence = "OGDL-Taiwan-1.0" }\n\n'
        '[[ingest]]\nsource = "tabf"\npaths = ["books/manifest.csv"]\n',
        encoding="utf-8",
    )
    code, out, err = cli("pipeline", "run", str(pipe), *(["--dry-run"] if dry else []))
    assert code == 1, out + err
    assert "[[ingest]] #2" in err and "manifest.csv" in err and "Traceback" not in err
    assert "ingest moda:" not in out  # the first batch neither ran nor was read
    assert not db_path.exists()


@pytest.mark.parametrize("key", [False, True], ids=["no PII key", "a PII key set"])
def test_the_checks_before_the_first_step_read_each_manifest_once(tmp_path, cli, monkeypatch, key):
    """A bank's textbooks manifest lists tens of thousands of files: the key-file check and the check of the manifest
    itself read it once between them, not once each (a dry run read it three times)."""
    import sources.manifest_rows as rows

    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    if key:
        k = tmp_path / "pii.key"
        k.write_text("5eed" * 16 + "\n", encoding="utf-8")
        k.chmod(0o600)
        monkeypatch.setenv("CURATE_PII_KEY_FILE", str(k))
    books = tmp_path / "books"
    books.mkdir()
    (books / "d.txt").write_text("第一章 存款\n銀行應依法辦理存款業務。\n", encoding="utf-8")
    (books / "manifest.csv").write_text("path,licence_id,title\nd.txt,CC-BY-4.0,講義\n", encoding="utf-8")
    pipe = tmp_path / "pipe.toml"
    pipe.write_text('[[ingest]]\nsource = "tabf"\npaths = ["books/manifest.csv"]\n', encoding="utf-8")
    reads = []
    real = rows.read_manifests
    monkeypatch.setattr(rows, "read_manifests", lambda ms, *a, **kw: reads.append(ms) or real(ms, *a, **kw))
    from curate.pipeline import _check_source_ids, load

    _check_source_ids(load(pipe), tmp_path / "c.duckdb")
    assert len(reads) == 1, reads
