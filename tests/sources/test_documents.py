"""sources.documents: every format, Chinese text intact, locators, and each bad-input reason."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sources.documents import (
    ExtractConfig,
    ExtractionError,
    Reason,
    decode_text,
    extract,
    join_broken_lines,
    remove_headers_footers,
)

PARA1 = "本行應依洗錢防制法之規定，建立內部控制與稽核制度，並定期檢討。"
PARA2 = "本辦法所稱金融機構，指銀行業、證券期貨業及保險業；其範圍由主管機關定之。"


def test_pdf_chinese_text_survives_and_headers_pages_removed(tmp_path, build, cjk_font):
    pages = [["前言", PARA1[:21], PARA1[21:]], [PARA2[:20], PARA2[20:]], ["臺灣的金融機構應遵守個人資料保護法。"]]
    pdf = build.make_pdf(tmp_path / "a.pdf", pages, header="台灣金融研訓院　講義", page_numbers=True)
    doc = extract(pdf)
    assert doc.format == "pdf" and doc.pages == 3
    assert [s.fragment for s in doc.segments] == ["page=1", "page=2", "page=3"]
    assert doc.segments[0].text == "前言\n" + PARA1
    assert doc.segments[1].text == PARA2  # broken line joined, no space inserted
    assert "講義" not in "".join(s.text for s in doc.segments)
    assert not any("- 2 -" in s.text for s in doc.segments)


def test_pdf_split_by_chapter_with_page_ranges(tmp_path, build, cjk_font):
    pages = [
        ["第一章　總則", PARA1],
        ["續第一章。", "第二章　定義", PARA2],
        ["第二章續。"],
        ["第三章　附則", "本辦法自發布日施行。"],
    ]
    doc = extract(build.make_pdf(tmp_path / "c.pdf", pages))
    frags = [s.fragment for s in doc.segments]
    assert frags == ["section=1&pages=1-2", "section=2&pages=2-3", "section=3&pages=4-4"]
    assert doc.segments[1].title == "第二章　定義"
    assert PARA2 in doc.segments[1].text and "第二章續。" in doc.segments[1].text
    assert "續第一章。" in doc.segments[0].text and PARA1 in doc.segments[0].text


@pytest.mark.parametrize("kind", ["encrypted", "truncated", "garbage", "scanned", "empty"])
def test_pdf_bad_inputs_have_their_own_reason(tmp_path, build, cjk_font, kind):
    path = tmp_path / f"{kind}.pdf"
    if kind == "encrypted":
        build.make_pdf(path, [[PARA1]], encrypt="s3cret")
        want = Reason.ENCRYPTED_PDF
    elif kind == "truncated":
        good = build.make_pdf(tmp_path / "good.pdf", [[PARA1], [PARA2]]).read_bytes()
        path.write_bytes(good[: len(good) * 2 // 3])
        want = Reason.CORRUPT_PDF
    elif kind == "garbage":
        path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n")
        want = Reason.CORRUPT_PDF
    elif kind == "scanned":
        build.make_image_pdf(path)
        want = Reason.NEEDS_OCR
    else:
        path.write_bytes(b"")
        want = Reason.EMPTY
    with pytest.raises(ExtractionError) as info:
        extract(path)
    assert info.value.reason == want


def test_docx_headings_sections_and_page_fallback(tmp_path, build):
    blocks = [
        ("h1", "第一章　金融市場"),
        ("p", PARA1),
        ("pagebreak", ""),
        ("p", "第一章第二頁。"),
        ("h1", "第二章　銀行"),
        ("p", PARA2),
    ]
    doc = extract(build.make_docx(tmp_path / "b.docx", blocks, title="金融概論"))
    assert [s.fragment for s in doc.segments] == ["section=1&pages=1-2", "section=2&pages=2-2"]
    assert doc.segments[0].text == "第一章　金融市場\n" + PARA1 + "\n第一章第二頁。"
    assert doc.segments[1].text == "第二章　銀行\n" + PARA2
    assert "請勿外流" not in "".join(s.text for s in doc.segments)  # footer part not in body
    flat = extract(build.make_docx(tmp_path / "p.docx", [("p", PARA1), ("pagebreak", ""), ("p", PARA2)]))
    assert [(s.fragment, s.text) for s in flat.segments] == [("page=1", PARA1), ("page=2", PARA2)]


def test_epub_chapters_and_zip_bomb(tmp_path, build):
    chapters = [("ch01.xhtml", "第一章　貨幣", [PARA1]), ("ch02.xhtml", "第二章　信用", [PARA2, "結語。"])]
    doc = extract(build.make_epub(tmp_path / "b.epub", chapters, title="貨幣銀行學"))
    assert doc.title == "貨幣銀行學"
    assert [s.fragment for s in doc.segments] == ["chapter=OEBPS/text/ch01.xhtml", "chapter=OEBPS/text/ch02.xhtml"]
    assert doc.segments[1].text == "第二章　信用\n" + PARA2 + "\n結語。"
    bomb = build.make_zip_bomb_epub(tmp_path / "bomb.epub", uncompressed_mb=4)
    with pytest.raises(ExtractionError) as info:
        extract(bomb, ExtractConfig(max_uncompressed_bytes=1024 * 1024))
    assert info.value.reason == Reason.ZIP_BOMB
    (tmp_path / "broken.epub").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ExtractionError) as info:
        extract(tmp_path / "broken.epub")
    assert info.value.reason == Reason.CORRUPT_CONTAINER


@pytest.mark.parametrize("encoding", ["utf-8", "big5", "cp950"])
def test_text_encodings_detected_and_recorded(tmp_path, encoding):
    text = "第一章　總論\n" + PARA1 + "\n第二章　各論\n" + PARA2 + "\n"
    if encoding == "cp950":
        text += "碁銹裏墻恒粧嫺\n"  # characters outside plain Big5, present in CP950
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    doc = extract(path)
    assert doc.encoding == ("utf-8" if encoding == "utf-8" else "cp950")  # Big5 is read as its superset CP950
    last = 5 if encoding == "cp950" else 4
    assert [s.fragment for s in doc.segments] == ["section=1&lines=1-2", f"section=2&lines=3-{last}"]
    assert doc.segments[0].text == "第一章　總論\n" + PARA1
    assert doc.segments[1].text.startswith("第二章　各論\n" + PARA2)


def test_undecodable_and_whitespace_only_text(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(bytes(range(32)) * 50 + b"\xff\xfe\xfd" * 10)
    with pytest.raises(ExtractionError) as info:
        extract(bad)
    assert info.value.reason == Reason.UNDECODABLE
    blank = tmp_path / "blank.txt"
    blank.write_text("  \n\n  ")
    with pytest.raises(ExtractionError) as info:
        extract(blank)
    assert info.value.reason == Reason.EMPTY


def test_html_sections_and_declared_big5(tmp_path):
    html = (
        "<html><head><meta charset='big5'><title>講義</title></head><body><nav>首頁</nav>"
        f"<h2>第一節　存款</h2><p>{PARA1}</p><h2>第二節　放款</h2><p>{PARA2}</p>"
        "<footer>版權所有</footer></body></html>"
    )
    path = tmp_path / "a.html"
    path.write_bytes(html.encode("big5"))
    doc = extract(path)
    assert doc.encoding == "cp950"
    assert [s.text for s in doc.segments] == ["第一節　存款\n" + PARA1, "第二節　放款\n" + PARA2]


def test_join_broken_lines_keeps_latin_spaces_and_breaks_after_punctuation():
    assert (
        join_broken_lines(["The bank shall keep", "records of transactions."])
        == "The bank shall keep records of transactions."
    )
    assert join_broken_lines(["第一句結束。", "第二句開始"]) == "第一句結束。\n第二句開始"
    assert join_broken_lines(["臺灣金融", "", "新段落"]) == "臺灣金融\n新段落"


def test_header_footer_needs_repetition():
    pages = [[f"唯一標題{i}", "內文"] for i in range(4)]
    # digits are normalised: "唯一標題0..3" is a running header
    assert (
        remove_headers_footers(pages, ExtractConfig()) == [["內文"]] * 4
        or remove_headers_footers(pages, ExtractConfig()) == [[]] * 4
    )
    assert decode_text("臺灣".encode("cp950"))[0] == "臺灣"


def test_pdf_with_owner_password_only_is_read(tmp_path, build, cjk_font):
    path = build.make_pdf(tmp_path / "owner.pdf", [[PARA1]], encrypt="")  # empty user password
    assert extract(path).segments[0].text == PARA1


def test_docx_zip_bomb_and_corrupt_docx(tmp_path, build):
    import zipfile

    good = build.make_docx(tmp_path / "g.docx", [("p", PARA1)])
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/media/huge.bin", __import__("os").urandom(3 * 1024 * 1024))  # big, not compressible
    with pytest.raises(ExtractionError) as info:
        extract(bomb, ExtractConfig(max_uncompressed_bytes=1024 * 1024))
    assert info.value.reason == Reason.ZIP_BOMB
    assert extract(bomb).segments[0].text == PARA1  # under the default limit it is fine
    truncated = tmp_path / "t.docx"
    truncated.write_bytes(good.read_bytes()[:300])
    with pytest.raises(ExtractionError) as info:
        extract(truncated)
    assert info.value.reason == Reason.CORRUPT_CONTAINER


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "a.xls"
    path.write_bytes(b"x")
    with pytest.raises(ExtractionError) as info:
        extract(path)
    assert info.value.reason == Reason.UNSUPPORTED


def test_pdf_with_one_scanned_page_quarantines_that_page(tmp_path, build, cjk_font, collect):
    """A text PDF with a page without text: the page is reported for OCR, the rest ingested."""
    import csv

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    build.make_pdf(tmp_path / "text.pdf", [[PARA1]])  # registers the CJK font
    path = tmp_path / "mixed.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("CJK", 12)
    c.drawString(60, 700, PARA1)
    c.showPage()
    c.rect(50, 300, 200, 100, fill=1)  # 'scanned' page: drawing only
    c.showPage()
    c.setFont("CJK", 12)
    c.drawString(60, 700, PARA2)
    c.showPage()
    c.save()
    with (tmp_path / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["path", "licence_id"], ["mixed.pdf", "CC-BY-4.0"], ["text.pdf", "CC-BY-4.0"]])
    from sources.textbooks import TextbooksSource

    records, rejections, _ = collect(TextbooksSource([tmp_path / "manifest.csv"]))
    assert [(r.locator, r.reason) for r in rejections] == [("mixed.pdf#page=2", Reason.NEEDS_OCR)]
    assert [(r.locator, r.text) for r in records] == [
        ("mixed.pdf#page=1", PARA1),
        ("mixed.pdf#page=3", PARA2),
        ("text.pdf#page=1", PARA1),
    ]


CJK_CHARS = "金融監督管理委員會銀行保險證券洗錢防制，。、；：「」（）第一二三章節"


@given(st.lists(st.text(alphabet=CJK_CHARS, min_size=1, max_size=30), min_size=1, max_size=12))
def test_join_broken_lines_never_adds_or_drops_cjk_characters(lines):
    joined = join_broken_lines(lines)
    assert joined.replace("\n", "") == "".join(lines).replace(" ", "")
    assert " " not in joined
