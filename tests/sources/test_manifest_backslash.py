"""A manifest saved by Excel on Windows names files with ``\\`` (``sub\\ch1.txt``): the row was `missing` and the
file `not in manifest`, with no word of why (review 17). The row is still rejected (a name may hold a ``\\`` on
Linux, so no guess is read), its excerpt saying how to write the path; a ``\\`` row whose file is not there either
keeps the bare path."""

from __future__ import annotations

from catalogue_query import query as _q

from sources.manifest_rows import ManifestReason


def test_a_backslash_path_is_named_with_the_way_on(cli, db_path, tmp_path):
    books = tmp_path / "books"
    (books / "sub").mkdir(parents=True)
    (books / "sub" / "ch1.txt").write_text("第一章 存款\n銀行應依法辦理存款業務。\n", encoding="utf-8")
    (books / "manifest.csv").write_bytes(
        b"\xef\xbb\xbfpath,licence_id\r\nsub\\ch1.txt,CC-BY-4.0\r\nsub\\gone.txt,CC-BY-4.0\r\n"
    )
    code, out, err = cli("ingest", "textbooks", str(books / "manifest.csv"))
    assert code == 3 and "Traceback" not in err, out + err
    rows = _q(db_path, "SELECT locator, reason, excerpt FROM quarantine ORDER BY locator")
    assert rows == [
        (
            "manifest.csv:2:sub\\ch1.txt",
            ManifestReason.MISSING_FILE,
            "sub\\ch1.txt: paths are separated by /, not \\; write `sub/ch1.txt`",
        ),
        ("manifest.csv:3:sub\\gone.txt", ManifestReason.MISSING_FILE, "sub\\gone.txt"),
    ], rows


def test_a_backslash_path_out_of_the_folder_gets_no_way_on(cli, db_path, tmp_path):
    """``..\\secret.txt`` whose ``../secret.txt`` is a file beside the folder: the advice to write a path the ingest
    then refuses (outside the manifest folder) named a file outside it in the quarantine; the bare path is kept."""
    books = tmp_path / "books"
    books.mkdir()
    (tmp_path / "secret.txt").write_text("第一章 存款\n銀行應依法辦理存款業務。\n", encoding="utf-8")
    (books / "manifest.csv").write_text("path,licence_id\n..\\secret.txt,CC-BY-4.0\n", encoding="utf-8")
    code, out, err = cli("ingest", "textbooks", str(books / "manifest.csv"))
    assert code == 3 and "Traceback" not in err, out + err
    rows = _q(db_path, "SELECT reason, excerpt FROM quarantine")
    assert rows == [(ManifestReason.MISSING_FILE, "..\\secret.txt")], rows
