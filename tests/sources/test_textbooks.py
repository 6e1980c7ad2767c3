"""TextbooksSource: EPUB/HTML/DOCX/Big5 text chapters, locators, and editions."""

from __future__ import annotations

import csv

from sources.textbooks import TextbooksSource

CH1 = "貨幣的功能包括交易媒介、價值儲藏與計價單位。"
CH2 = "中央銀行透過公開市場操作調節市場資金。"


def test_textbooks_split_by_chapter_with_locators(tmp_path, build, collect):
    d = tmp_path / "books"
    d.mkdir()
    build.make_epub(
        d / "money.epub", [("c1.xhtml", "第一章　貨幣", [CH1]), ("c2.xhtml", "第二章　央行", [CH2])], title="貨幣銀行學"
    )
    (d / "notes.txt").write_bytes(f"第一節　存款\n{CH1[:10]}\n{CH1[10:]}\n第二節　放款\n{CH2}\n".encode("cp950"))
    (d / "ocw.html").write_text(
        f"<html><body><h1>Unit 1</h1><p>{CH1}</p><h1>Unit 2</h1><p>{CH2}</p></body></html>", encoding="utf-8"
    )
    with (d / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["path", "title", "licensor", "licence_id", "edition", "isbn", "publisher"])
        w.writerow(["money.epub", "貨幣銀行學", "某出版社", "CC-BY-NC-4.0", "3", "9789570000000", "某出版社"])
        w.writerow(["notes.txt", "講義", "某教授", "CC-BY-4.0", "", "", ""])
        w.writerow(["ocw.html", "OCW", "某大學", "CC-BY-SA-4.0", "", "", ""])
    records, rejections, skips = collect(TextbooksSource([d / "manifest.csv"]))
    assert rejections == [] and skips == []
    got = {r.locator: r.text for r in records}
    assert got["money.epub#chapter=OEBPS/text/c2.xhtml"] == "第二章　央行\n" + CH2
    assert got["notes.txt#section=1&lines=1-3"] == "第一節　存款\n" + CH1  # joined without a space
    assert got["notes.txt#section=2&lines=4-5"] == "第二節　放款\n" + CH2
    assert got["ocw.html#section=1"] == "Unit 1\n" + CH1
    epub = next(r for r in records if r.locator.startswith("money.epub"))
    assert epub.licence_id == "CC-BY-NC-4.0" and epub.metadata["isbn"] == "9789570000000"
    assert epub.metadata["publisher"] == "某出版社" and "licence_terms" not in epub.metadata
    assert epub.title == "貨幣銀行學 — 第一章　貨幣"
    notes = next(r for r in records if r.locator.startswith("notes.txt"))
    assert notes.metadata["encoding"] == "cp950"
    assert len({r.doc_key for r in records}) == len(records)
