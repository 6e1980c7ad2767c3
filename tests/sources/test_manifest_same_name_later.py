"""Review 18 sources #2: a file of the name of one another manifest folder gave in an EARLIER ingest (``a/ch1.txt``
ingested, later ``b/ch1.txt``) silently became its new version, the first file's text gone from every export. One
ingest rejects both (review 17); across ingests it may be the same file moved (a course folder renamed), so it is
still read as the new version, but with a warning naming the name and the way out (exit 0)."""

from __future__ import annotations

from sources.manifest_rows import ManifestReason


def _folder(root, name, text):
    d = root / name
    d.mkdir()
    (d / "ch1.txt").write_text(text, encoding="utf-8")
    (d / "manifest.csv").write_text("path,licence_id\nch1.txt,CC-BY-4.0\n", encoding="utf-8")
    return d / "manifest.csv"


def test_a_same_name_from_another_folder_in_a_later_ingest_is_warned(cli, tmp_path):
    a = _folder(tmp_path, "a", "第一章 存款\n銀行應依法辦理存款業務並保障存款人權益。\n")
    b = _folder(tmp_path, "b", "第一章 放款\n放款應審慎評估借款人之信用狀況。\n")
    assert cli("ingest", "textbooks", str(a))[0] == 0
    code, out, err = cli("ingest", "textbooks", str(b))
    assert code == 0 and "Traceback" not in err, out + err
    assert ManifestReason.SAME_NAME_HELD in out and "ch1.txt" in out and "--source-id" in out, out
    # the same folder again: no warning
    code, out, _ = cli("ingest", "textbooks", str(b))
    assert code == 0 and ManifestReason.SAME_NAME_HELD not in out, out
