"""A file whose manifest row is gone (deleted by a licence withdrawal, or the file renamed and edited) is held.

Before review 16 its records kept the licence of the row that was gone and every later export shipped them: the
file still in the folder was only named "not in manifest", and a renamed file's old copy went out beside the new one
under the old, wider licence.
"""

from __future__ import annotations

from tests.sources.test_licence_disputes import _export, _held
from tests.sources.test_manifest_terms import _blocked_codes, _manifest


def test_a_deleted_row_holds_the_files_records_until_a_row_names_it_again(cli, db_path, books):
    both = [{"path": "deposit.txt", "licence_id": "CC-BY-4.0"}, {"path": "loans.txt", "licence_id": "CC-BY-4.0"}]
    m = _manifest(books, both)
    assert cli("ingest", "textbooks", str(m))[0] == 0
    before = _export(cli, books.parent / "e0")
    assert before["records"] == 2

    _manifest(books, both[1:])  # the licensor withdrew deposit.txt: its row deleted, the file left in the folder
    code, out, err = cli("ingest", "textbooks", str(m))
    assert code == 0 and "textbooks:deposit.txt: 1 records held" in out and "no longer in manifest" in out, out + err
    assert _held(db_path) == [("textbooks:deposit.txt", 1)]
    res = _export(cli, books.parent / "e1")
    assert res["records"] == 1 and res["blocked_by_code"] == {"licence_disputed": 1}
    assert _blocked_codes(books.parent / "e1") == ["licence_disputed"]

    _manifest(books, both)  # the row back: released
    assert cli("ingest", "textbooks", str(m))[0] == 0
    assert _held(db_path) == []
    assert _export(cli, books.parent / "e2")["records"] == 2


def test_a_renamed_and_edited_file_leaves_no_old_copy_under_the_old_licence(cli, db_path, books):
    m = _manifest(
        books, [{"path": "deposit.txt", "licence_id": "CC-BY-4.0"}, {"path": "loans.txt", "licence_id": "CC-BY-4.0"}]
    )
    assert cli("ingest", "textbooks", str(m))[0] == 0
    (books / "deposit.txt").rename(books / "deposit_v2.txt")
    (books / "deposit_v2.txt").write_text("第一章 存款（修訂）\n銀行應依法辦理存款業務。\n", encoding="utf-8")
    _manifest(
        books,
        [{"path": "deposit_v2.txt", "licence_id": "CC-BY-NC-4.0"}, {"path": "loans.txt", "licence_id": "CC-BY-4.0"}],
    )
    code, out, _ = cli("ingest", "textbooks", str(m))
    assert code == 0 and "textbooks:deposit.txt: 1 records held" in out, out
    res = _export(cli, books.parent / "e1")  # a commercial export: the NC copy is refused, the old copy held
    assert res["records"] == 1 and res["blocked_by_code"] == {"commercial": 1, "licence_disputed": 1}


def test_files_of_another_manifest_in_the_folder_are_not_held(cli, db_path, books):
    first = _manifest(books, [{"path": "deposit.txt", "licence_id": "CC-BY-4.0"}])
    second = first.rename(books / "batch1.csv")
    assert cli("ingest", "textbooks", str(second))[0] == 0
    batch2 = _manifest(books, [{"path": "loans.txt", "licence_id": "CC-BY-4.0"}]).rename(books / "batch2.csv")
    code, out, _ = cli("ingest", "textbooks", str(batch2))
    assert "held" not in out and _held(db_path) == [], out
    assert _export(cli, books.parent / "e1")["records"] == 2
