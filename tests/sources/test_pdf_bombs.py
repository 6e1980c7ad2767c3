"""Hostile PDFs built by hand: a content bomb (a small file whose pages draw a large content stream) is quarantined
before pypdf parses it; a page whose glyphs map to no character is listed for OCR, never stored as U+FFFD."""

from __future__ import annotations

import zlib

import pytest

from sources.documents import ExtractConfig, ExtractionError, Reason, extract


def _write(path, objs: list[bytes]):
    """A PDF file of ``objs`` (object 1 the catalogue), with its cross-reference table and trailer."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def _pdf(path, pages: int, content_bytes: int):
    """A PDF whose ``pages`` pages all draw one Flate stream of ``content_bytes`` bytes of text operators (Helvetica,
    no embedded font): a few KB on disk."""
    line = b"BT /F1 12 Tf 72 720 Td (" + b"A" * 80 + b") Tj ET\n"
    content = line * max(1, content_bytes // len(line))
    packed = zlib.compress(content, 9)
    kids = " ".join(f"{5 + i} 0 R" for i in range(pages))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    objs += [page] * pages
    return _write(path, objs)


def test_pages_drawing_one_large_stream_are_a_bomb_quarantined_and_the_rest_ingested(tmp_path, cli, db_path):
    d = tmp_path / "m"
    d.mkdir()
    bomb = _pdf(d / "bomb.pdf", pages=3, content_bytes=1 << 20)
    assert bomb.stat().st_size < 8192  # 3 MiB of content drawn from a few KB
    (d / "good.txt").write_text("授信五P原則：借款戶、資金用途、還款來源。", encoding="utf-8")
    (d / "manifest.csv").write_text(
        "path,licence_id,title\nbomb.pdf,CC-BY-4.0,炸彈\ngood.txt,CC-BY-4.0,好\n", encoding="utf-8"
    )
    code, out, err = cli("ingest", "tabf", str(d / "manifest.csv"))
    assert code == 3, out + err
    code, out, err = cli("sql", "SELECT reason || ' | ' || excerpt FROM quarantine")
    assert Reason.ZIP_BOMB in out and "PDF content streams uncompress past" in out and "at page 2" in out, out + err
    code, out, err = cli("sql", "SELECT count(*) AS n, min(locator) AS loc FROM records")
    assert "good.txt" in out and "bomb.pdf" not in out, out


def test_a_pdf_whose_content_fits_its_size_is_read(tmp_path):
    doc = extract(_pdf(tmp_path / "ok.pdf", pages=3, content_bytes=4096))
    assert doc.pages == 3 and all("AAAA" in s.text for s in doc.segments)


def test_pdf_extracted_text_is_counted_against_the_cap(tmp_path):
    pdf = _pdf(tmp_path / "long.pdf", pages=3, content_bytes=4096)
    with pytest.raises(ExtractionError) as info:
        extract(pdf, ExtractConfig(max_extracted_chars=5000))
    assert info.value.reason == Reason.ZIP_BOMB
    assert "extracted text passes 5000 characters at page 2" in info.value.detail


def _pages_pdf(path, texts: list[bytes]):
    """A PDF with one page per content (its own stream, Helvetica as /F1)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for content in texts:
        packed = zlib.compress(content)
        objs.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream")
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
            b" /Contents %d 0 R >>" % len(objs)
        )
        kids.append(len(objs))
    objs[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    return _write(path, objs)


def test_a_page_whose_glyphs_map_to_no_character_is_listed_for_ocr_not_stored(tmp_path, cli, db_path):
    """Page 2 selects a font its resources lack: pypdf gives one U+FFFD per glyph, which was stored as its record."""
    d = tmp_path / "m"
    d.mkdir()
    _pages_pdf(
        d / "book.pdf",
        [
            b"BT /F1 12 Tf 72 720 Td (Page one of the book.) Tj ET",
            b"BT /F9 12 Tf 72 720 Td (Page two of the book.) Tj ET",  # /F9: no such font in its resources
            b"BT /F1 12 Tf 72 720 Td (Page three of the book.) Tj ET",
        ],
    )
    (d / "manifest.csv").write_text("path,licence_id,title\nbook.pdf,CC-BY-4.0,書\n", encoding="utf-8")
    code, out, err = cli("ingest", "tabf", str(d / "manifest.csv"))
    assert code == 3, out + err
    code, out, _ = cli("sql", "SELECT locator || ' | ' || reason FROM quarantine")
    assert f"book.pdf#page=2 | {Reason.NEEDS_OCR}" in out, out
    code, out, _ = cli("sql", "SELECT count(*) AS n, sum(CAST(contains(text, chr(65533)) AS INT)) AS bad FROM records")
    assert out.split()[-2:] == ["2", "0"], out


def test_a_page_pypdf_fails_on_is_quarantined_and_the_other_pages_kept(tmp_path, cli):
    """One damaged page (a content stream pypdf cannot parse) quarantined the whole book as a corrupt PDF."""
    d = tmp_path / "m"
    d.mkdir()
    pages = [b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % t for t in (b"Credit risk basics.", b"", b"Deposit insurance.")]
    pages[1] = b"BT \xff\xff 12 Tf 72 720 Td (Page 2.) Tj ET"
    _pages_pdf(d / "book.pdf", pages)
    _pages_pdf(d / "broken.pdf", [pages[1]])  # every page fails: the file is corrupt, as before
    (d / "manifest.csv").write_text(
        "path,licence_id,title\nbook.pdf,CC-BY-4.0,書\nbroken.pdf,CC-BY-4.0,壞\n", encoding="utf-8"
    )
    code, out, err = cli("ingest", "tabf", str(d / "manifest.csv"))
    assert code == 3, out + err
    code, out, _ = cli("sql", "SELECT locator || ' | ' || reason AS q FROM quarantine ORDER BY 1")
    assert f"book.pdf#page=2 | {Reason.CORRUPT_PDF}" in out and f"broken.pdf | {Reason.CORRUPT_PDF}" in out, out
    code, out, _ = cli("sql", "SELECT string_agg(text, '/' ORDER BY locator) AS t FROM records")
    assert "Credit risk basics./Deposit insurance." in out, out


def _form_pdf(path, pages: int, form_bytes: int, nest: int = 0):
    """A PDF whose ``pages`` pages each draw (``/Fm0 Do``) one form XObject of ``form_bytes`` bytes of text operators;
    with ``nest``, that form is drawn twice by a form drawn twice by ... ``nest`` deep."""
    line = b"BT /F1 12 Tf 72 720 Td (" + b"A" * 80 + b") Tj ET\n"
    packed = zlib.compress(line * max(1, form_bytes // len(line)), 9)
    form = b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources %s /Length %d /Filter /FlateDecode >>"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    objs.append(form % (b"<< /Font << /F1 3 0 R >> >>", len(packed)) + b"\nstream\n" + packed + b"\nendstream")
    for _ in range(nest):
        body = zlib.compress(b"/X Do /X Do")
        objs.append(
            form % (b"<< /XObject << /X %d 0 R >> >>" % len(objs), len(body)) + b"\nstream\n" + body + b"\nendstream"
        )
    top = len(objs)
    objs.append(b"<< /Length 7 >>\nstream\n/Fm0 Do\nendstream")
    res = b"<< /Font << /F1 3 0 R >> /XObject << /Fm0 %d 0 R >> >>" % top
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources %s /Contents %d 0 R >>" % (res, len(objs))
    kids = [len(objs) + 1 + i for i in range(pages)]
    objs += [page] * pages
    objs[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {pages} >>".encode()
    return _write(path, objs)


@pytest.mark.parametrize(("pages", "form_bytes", "nest", "at"), [(3, 1 << 20, 0, 2), (1, 256, 14, 1)])
def test_a_bomb_moved_into_a_form_xobject_every_page_draws_is_refused(tmp_path, pages, form_bytes, nest, at):
    """The same bomb as above, its operators moved from the pages' content into a form each page draws (or a form
    drawn twice by a form drawn twice, 14 deep): only the pages' 7-byte content was counted, 3 MiB (16K draws) parsed.
    """
    pdf = _form_pdf(tmp_path / "form.pdf", pages, form_bytes, nest)
    assert pdf.stat().st_size < 8192
    with pytest.raises(ExtractionError) as info:
        extract(pdf)
    assert info.value.reason == Reason.ZIP_BOMB and f"uncompress past 1048576 bytes at page {at}" in str(info.value)


def test_pages_drawing_a_small_form_xobject_are_read(tmp_path):
    doc = extract(_form_pdf(tmp_path / "ok.pdf", pages=3, form_bytes=4096, nest=2))
    assert doc.pages == 3 and all("AAAA" in s.text for s in doc.segments)


def test_a_stream_past_pypdfs_own_cap_is_a_bomb_not_a_damaged_page(tmp_path):
    """pypdf refuses a stream past 75 MB (LimitReachedError); the page was taken for a corrupt one."""
    pdf = _pages_pdf(tmp_path / "big.pdf", [b"BT /F1 12 Tf 72 720 Td (Page one.) Tj ET", b" " * (80 << 20)])
    with pytest.raises(ExtractionError) as info:
        extract(pdf)
    assert info.value.reason == Reason.ZIP_BOMB and "page 2" in info.value.detail


@pytest.mark.parametrize("other", [b"", b"BT /F9 12 Tf 72 720 Td (Page two of the book.) Tj ET"])
def test_a_damaged_page_beside_pages_without_text_is_a_corrupt_file_not_one_for_ocr(tmp_path, other):
    """Before pages were quarantined one by one this file was corrupt; it was then sent whole to OCR as having no text
    layer, the damaged page's error lost."""
    pdf = _pages_pdf(tmp_path / "book.pdf", [b"BT \xff\xff 12 Tf 72 720 Td (Page 1.) Tj ET", other])
    with pytest.raises(ExtractionError) as info:
        extract(pdf)
    assert info.value.reason == Reason.CORRUPT_PDF and "page 1: PdfReadError" in info.value.detail, info.value.detail
