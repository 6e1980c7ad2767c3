"""Two manifests of one ingest that each list a file of the same name (``a/ch1.txt``, ``b/ch1.txt``: two years of
one course) name two files under one doc key: before review 17 the second was stored as a new version of the first,
whose text then left every export with no word said. Both rows are rejected, each naming the other's line; a file
of a name no other folder holds is read."""

from __future__ import annotations

import pytest
from catalogue_query import query as _q

from sources.manifest_rows import ManifestReason


def _folder(root, name, text):
    d = root / name
    d.mkdir()
    (d / "ch1.txt").write_text(text, encoding="utf-8")
    (d / f"only-{name}.txt").write_text(f"第九章 {name}\n本章說明授信風險管理之原則。\n", encoding="utf-8")
    (d / "manifest.csv").write_text(
        f"path,licence_id\nch1.txt,CC-BY-4.0\nonly-{name}.txt,CC-BY-4.0\n", encoding="utf-8"
    )
    return d / "manifest.csv"


@pytest.mark.parametrize("order", [1, -1])
def test_two_files_of_one_name_in_two_manifests_are_both_rejected(cli, db_path, tmp_path, order):
    a = _folder(tmp_path, "a", "第一章 存款\n銀行應依法辦理存款業務並保障存款人權益。\n")
    b = _folder(tmp_path, "b", "第一章 放款\n放款應審慎評估借款人之信用狀況。\n")
    code, out, err = cli("ingest", "textbooks", *[str(m) for m in [a, b][::order]])
    assert code == 3 and "Traceback" not in err, out + err
    rows = _q(db_path, "SELECT locator, reason, excerpt FROM quarantine ORDER BY excerpt")
    # one row: both manifests are `manifest.csv`, and the table holds an input and reason once
    assert {r[:2] for r in rows} == {("manifest.csv:2:ch1.txt", ManifestReason.SAME_NAME)}, rows
    assert "2 quarantined" in out + err, out + err
    assert all("line 2 of another manifest" in r[2] for r in rows), rows
    docs = _q(db_path, "SELECT doc_key, status FROM records ORDER BY doc_key")
    assert [d for d, _ in docs] == ["textbooks:only-a.txt#part=1", "textbooks:only-b.txt#part=1"], docs
    assert {s for _, s in docs} == {"active"}, docs


def test_rows_that_disagree_still_hold_the_file_beside_a_same_name(cli, db_path, tmp_path):
    """A file whose own manifest's rows disagree is disputed (its records ingested earlier held from export), whether
    or not another manifest of the ingest lists a file of its name: review 17's same-name rejection replaced the
    conflict's, and the earlier records stayed exportable under a licence their manifest no longer states."""
    a = _folder(tmp_path, "a", "第一章 存款\n銀行應依法辦理存款業務並保障存款人權益。\n")
    b = _folder(tmp_path, "b", "第一章 放款\n放款應審慎評估借款人之信用狀況。\n")
    assert cli("ingest", "textbooks", str(a))[0] == 0
    rows = "ch1.txt,CC-BY-4.0,T1\nch1.txt,CC-BY-4.0,T2\nonly-a.txt,CC-BY-4.0,\n"
    a.write_text(f"path,licence_id,title\n{rows}", encoding="utf-8")
    code, out, err = cli("ingest", "textbooks", str(a), str(b))
    assert code == 3 and "Traceback" not in err, out + err
    reasons = {r[0] for r in _q(db_path, "SELECT reason FROM quarantine")}
    assert ManifestReason.CONFLICTING_ROWS in reasons and ManifestReason.SAME_NAME in reasons, reasons
    assert _q(db_path, "SELECT container FROM licence_holds") == [("textbooks:ch1.txt",)]
