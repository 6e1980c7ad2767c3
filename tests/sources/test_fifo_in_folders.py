"""What is in an input folder but no regular file (a FIFO, a symlink to nothing) is one of its files, quarantined
``not a regular file``, never opened, in every source (review 17): before, law.moj, MODA and FSC passed over it
uncounted (a file the user put there silently dropped), a manifest's folder did not report it unlisted, a manifest row
naming one said the file was `missing`, a MODA FIFO named ``x.pdf`` was an `empty file` of 0 bytes, and a manifest
that is a FIFO (``curate ingest tabf <(unzip -p m.zip manifest.csv)``) was waited on for good (``manifest check``
called it `not found`). A writer thread, for each open, keeps the old code from waiting for good."""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager

import pytest
from catalogue_query import query as _q

from sources.folder_files import NOT_REGULAR
from sources.manifest_rows import ManifestReason

MISSING = ManifestReason.MISSING_FILE


@contextmanager
def _fed(fifo):
    """A writer that opens the FIFO (each time a reader does), writes nothing and closes."""
    stop = threading.Event()

    def write():
        while not stop.is_set():
            with open(fifo, "wb"):
                pass

    threading.Thread(target=write, daemon=True).start()
    try:
        yield
    finally:
        stop.set()
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))  # lets a writer still waiting go


def _odd_entries(folder, name):
    os.mkfifo(folder / name)
    os.symlink(folder / f"gone-{name}", folder / f"link-{name}")  # a link to nothing inside the folder
    os.symlink(f"loop-{name}", folder / f"loop-{name}")  # a link to itself: resolving it raises


@pytest.mark.parametrize(
    ("source", "name", "extra", "good"),
    [
        ("law-moj", "laws.json", [], "law"),
        ("moda", "rows.jsonl", ["--licence", "OGDL-Taiwan-1.0"], "moda"),
        ("fsc", "cases.csv", [], "fsc"),
    ],
)
def test_a_folders_fifo_and_broken_link_are_quarantined(
    cli, db_path, tmp_path, monkeypatch, law_fixtures, source, name, extra, good
):
    monkeypatch.setenv("CURATE_PII_KEY", "0123456789abcdef0123456789abcdef")
    folder = tmp_path / "in"
    folder.mkdir()
    if good == "law":
        shutil.copy(law_fixtures / "chlaw_json/ch/G0380001.json", folder / "G0380001.json")
    elif good == "moda":
        (folder / "good.jsonl").write_text('{"id": "1", "text": "第一筆資料內容。"}\n', encoding="utf-8")
    else:
        (folder / "good.csv").write_text("標題,內容\n裁罰案,某銀行違反洗錢防制法，核處罰鍰。\n", encoding="utf-8")
    _odd_entries(folder, name)
    with _fed(folder / name):
        code, out, err = cli("ingest", source, str(folder), *extra)
    assert code == 3 and "Traceback" not in err, out + err
    rows = _q(db_path, "SELECT locator, reason FROM quarantine ORDER BY locator")
    assert [r for _, r in rows] == [NOT_REGULAR] * 3, rows
    assert {loc.rsplit("/", 1)[-1] for loc, _ in rows} == {name, f"link-{name}", f"loop-{name}"}, rows


def test_a_moda_fifo_named_as_a_pdf_is_no_empty_file(cli, db_path, tmp_path):
    os.mkfifo(tmp_path / "report.pdf")
    with _fed(tmp_path / "report.pdf"):
        code, out, err = cli("ingest", "moda", str(tmp_path / "report.pdf"), "--licence", "OGDL-Taiwan-1.0")
    assert code == 3 and "Traceback" not in err, out + err
    assert _q(db_path, "SELECT reason FROM quarantine") == [(NOT_REGULAR,)]


def test_a_manifest_rows_fifo_is_not_missing_and_an_unlisted_one_is_named(cli, db_path, tmp_path):
    books = tmp_path / "books"
    books.mkdir()
    (books / "deposit.txt").write_text("第一章 存款\n銀行應依法辦理存款業務。\n", encoding="utf-8")
    _odd_entries(books, "ch2.txt")
    (books / "manifest.csv").write_text(
        "path,licence_id\ndeposit.txt,CC-BY-4.0\nch2.txt,CC-BY-4.0\nlink-ch2.txt,CC-BY-4.0\n", encoding="utf-8"
    )
    os.mkfifo(books / "extra.txt")  # in the folder, in no row
    with _fed(books / "ch2.txt"), _fed(books / "extra.txt"):
        code, out, err = cli("ingest", "textbooks", str(books / "manifest.csv"))
    assert code == 3 and "Traceback" not in err, out + err
    rows = _q(db_path, "SELECT locator, reason FROM quarantine ORDER BY locator")
    # a row's path is looked through its links: a link to nothing names a file that is missing indeed
    assert rows == [("manifest.csv:3:ch2.txt", NOT_REGULAR), ("manifest.csv:4:link-ch2.txt", MISSING)], rows
    for unlisted in ("extra.txt", "loop-ch2.txt"):  # named as not in the manifest, as an unlisted regular file is
        assert unlisted in out + err, out + err


@pytest.mark.parametrize("command", [["ingest", "tabf"], ["manifest", "check"]])
def test_a_manifest_that_is_a_fifo_is_named_so_in_one_line(cli, db_path, tmp_path, command):
    fifo = tmp_path / "manifest.csv"
    os.mkfifo(fifo)
    with _fed(fifo):
        code, out, err = cli(*command, str(fifo))
    assert code != 0 and "Traceback" not in err, out + err
    errors = [line for line in err.splitlines() if line.startswith("curate: error:")]
    assert len(errors) == 1 and NOT_REGULAR in errors[0] and "not found" not in err, err
