"""Hostile files and manifest rows: each is quarantined or rejected with a reason, the rest is ingested."""

from __future__ import annotations

import subprocess
import zipfile

import pytest

from sources.documents import ExtractionError, Reason, extract
from sources.manifest import ManifestReason, read_manifest
from sources.tabf import TabfSource

PARA = "授信五P原則：借款戶、資金用途、還款來源、債權保障、未來展望。"


def _rezip(src, dst, change):
    """A copy of the ZIP ``src`` with ``change(name, bytes)`` applied to every member."""
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            zo.writestr(info.filename, change(info.filename, zi.read(info)))
    return dst


def test_truncated_docx_xml_is_a_corrupt_container(tmp_path, build):
    good = build.make_docx(tmp_path / "g.docx", [("p", PARA)])
    bad = _rezip(good, tmp_path / "badxml.docx", lambda n, b: b[: len(b) // 2] if n == "word/document.xml" else b)
    with pytest.raises(ExtractionError) as info:
        extract(bad)
    assert info.value.reason == Reason.CORRUPT_CONTAINER
    assert "XMLSyntaxError" in info.value.detail


def test_unknown_pdf_filter_is_a_corrupt_pdf(tmp_path, build, cjk_font):
    pdf = build.make_pdf(tmp_path / "a.pdf", [[PARA]])
    data = pdf.read_bytes()
    assert b"/FlateDecode" in data
    pdf.write_bytes(data.replace(b"/FlateDecode", b"/FlateDOcode"))
    with pytest.raises(ExtractionError) as info:
        extract(pdf)
    assert info.value.reason == Reason.CORRUPT_PDF
    assert "NotImplementedError" in info.value.detail


@pytest.mark.parametrize("exc", [__import__("zlib").error("invalid bit length repeat"), EOFError(), RuntimeError("x")])
def test_any_parser_failure_is_quarantined_with_its_type(tmp_path, build, monkeypatch, exc):
    import sources.documents as documents

    def broken(path, config):
        raise exc

    monkeypatch.setattr(documents, "extract_docx", broken)
    good = build.make_docx(tmp_path / "g.docx", [("p", PARA)])
    with pytest.raises(ExtractionError) as info:
        extract(good)
    assert info.value.reason == Reason.CORRUPT_CONTAINER
    assert info.value.detail.startswith(type(exc).__name__)


def test_encrypted_epub_members_are_password_protected(tmp_path, build):
    book = build.make_epub(tmp_path / "b.epub", [("c1.xhtml", "第一章", [PARA])])
    folder = tmp_path / "x"
    with zipfile.ZipFile(book) as zf:
        zf.extractall(folder)
    locked = tmp_path / "locked.epub"
    subprocess.run(["zip", "-q", "-r", "-P", "secret", str(locked), "."], cwd=folder, check=True)
    with pytest.raises(ExtractionError) as info:
        extract(locked)
    assert info.value.reason == Reason.ENCRYPTED_CONTAINER


def _manifest(folder, lines):
    path = folder / "manifest.csv"
    path.write_text("path,licence_id,title\n" + "".join(f"{ln}\n" for ln in lines), encoding="utf-8")
    return path


def test_hostile_files_are_quarantined_and_the_good_one_ingested(tmp_path, build, cjk_font):
    from curate.ingest import ingest

    d = tmp_path / "m"
    d.mkdir()
    (d / "good.txt").write_text(PARA * 3, encoding="utf-8")
    good = build.make_docx(tmp_path / "g.docx", [("p", PARA)])
    _rezip(good, d / "badxml.docx", lambda n, b: b[: len(b) // 2] if n == "word/document.xml" else b)
    pdf = build.make_pdf(d / "bad.pdf", [[PARA]])
    pdf.write_bytes(pdf.read_bytes().replace(b"/FlateDecode", b"/FlateDOcode"))
    (d / "loop1.txt").symlink_to("loop2.txt")
    (d / "loop2.txt").symlink_to("loop1.txt")
    rows = ["good.txt,CC-BY-4.0,", "badxml.docx,CC-BY-4.0,", "bad.pdf,CC-BY-4.0,", "loop1.txt,CC-BY-4.0,"]
    rows += ["x" * 300 + ".txt,CC-BY-4.0,", ",CC-BY-4.0,no path"]
    report = ingest(tmp_path / "c.duckdb", TabfSource([_manifest(d, rows)]))
    assert report.records_new == 1
    assert report.quarantine_reasons == {
        Reason.CORRUPT_CONTAINER: 1,
        Reason.CORRUPT_PDF: 1,
        ManifestReason.BAD_PATH: 2,
        ManifestReason.MISSING_PATH: 1,
    }


def test_manifest_rows_with_unusable_paths_are_rejected_by_line(tmp_path):
    d = tmp_path / "m"
    d.mkdir()
    (d / "loop1.txt").symlink_to("loop2.txt")
    (d / "loop2.txt").symlink_to("loop1.txt")
    out = list(read_manifest(_manifest(d, ["loop1.txt,CC-BY-4.0,", "y" * 300 + ",CC-BY-4.0,", ",CC-BY-4.0,t"])))
    assert [(r.locator.split(":")[1], r.reason) for r in out] == [
        ("2", ManifestReason.BAD_PATH),
        ("3", ManifestReason.BAD_PATH),
        ("4", ManifestReason.MISSING_PATH),
    ]


def test_ids_in_folder_and_file_names_never_stored_in_clear(tmp_path):
    import duckdb

    from curate.ingest import ingest

    d = tmp_path / "學員王小明_A123456789"
    d.mkdir()
    (d / "陳大文_F131104093_講義.txt").write_text(PARA * 3, encoding="utf-8")
    manifest = _manifest(d, ["陳大文_F131104093_講義.txt,CC-BY-4.0,"])
    db = tmp_path / "c.duckdb"
    assert ingest(db, TabfSource([manifest])).records_new == 1
    con = duckdb.connect(str(db), read_only=True)
    stored = con.execute("SELECT doc_key, locator, container, metadata::VARCHAR FROM records").fetchall()
    stored += con.execute("SELECT origin, metadata::VARCHAR FROM sources").fetchall()
    text = " ".join(str(v) for row in stored for v in row)
    assert "F131104093" not in text and "A123456789" not in text
    assert "〔身分證字號#" in con.execute("SELECT json_extract_string(metadata, '$.file') FROM records").fetchone()[0]


def test_rows_of_one_file_in_two_manifests_are_compared(tmp_path):
    from curate.ingest import ingest

    d = tmp_path / "two"
    d.mkdir()
    (d / "a.txt").write_text(PARA * 3, encoding="utf-8")
    (d / "b.txt").write_text(PARA * 2, encoding="utf-8")
    (d / "m1.csv").write_text("path,licence_id\na.txt,CC-BY-4.0\n", encoding="utf-8")
    (d / "m2.csv").write_text("path,licence_id\na.txt,CC-BY-NC-SA-4.0\nb.txt,CC-BY-4.0\n", encoding="utf-8")
    report = ingest(tmp_path / "c.duckdb", TabfSource([d / "m1.csv", d / "m2.csv"]))
    assert report.records_new == 1  # b.txt
    assert report.quarantine_reasons == {ManifestReason.CONFLICTING_ROWS: 2}
    assert dict(report.skipped) == {}  # b.txt is listed by m2, a.txt by both
    (d / "m2.csv").write_text("path,licence_id\na.txt,CC-BY-4.0\nb.txt,CC-BY-4.0\n", encoding="utf-8")
    report = ingest(tmp_path / "c2.duckdb", TabfSource([d / "m1.csv", d / "m2.csv"]))
    assert report.records_new == 2 and dict(report.skipped) == {ManifestReason.REPEATED_ROW: 1}


def test_a_rejected_row_is_not_also_reported_as_not_in_manifest(tmp_path, collect):
    d = tmp_path / "m"
    d.mkdir()
    for name in ("a.txt", "c.txt", "n.txt"):
        (d / name).write_text(PARA, encoding="utf-8")
    (tmp_path / "out.txt").write_text(PARA, encoding="utf-8")
    (d / "link_out.txt").symlink_to(tmp_path / "out.txt")
    manifest = _manifest(d, ["a.txt,CC-BY-4.0,", "c.txt,cc-by-4.0,", "n.txt,,", "link_out.txt,CC-BY-4.0,"])
    records, rejections, skips = collect(TabfSource([manifest]))
    assert len(records) == 1 and len(rejections) == 3
    assert skips == []


TRACKED_BODY = """<w:body>
<w:p><w:r><w:t>KEEP。</w:t></w:r><w:del w:id="1" w:author="x"><w:r><w:delText>DELETED</w:delText></w:r></w:del>
<w:ins w:id="2" w:author="x"><w:r><w:t>INSERTED。</w:t></w:r></w:ins></w:p>
<w:p><w:moveFrom w:id="3" w:author="x"><w:r><w:t>MOVED。</w:t></w:r></w:moveFrom></w:p>
<w:p><w:moveTo w:id="4" w:author="x"><w:r><w:t>MOVED。</w:t></w:r></w:moveTo></w:p>
<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>HIDDEN A123456789</w:t></w:r><w:r><w:t>SHOWN</w:t></w:r></w:p>
<w:sdt><w:sdtContent><w:p><w:r><w:t>SDT_BODY。</w:t></w:r></w:p></w:sdtContent></w:sdt>
<w:p><w:sdt><w:sdtContent><w:r><w:t>SDT_RUN。</w:t></w:r></w:sdtContent></w:sdt></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>OUTER</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>NESTED</w:t></w:r></w:p>
</w:tc></w:tr></w:tbl></w:tc><w:tc><w:p><w:r><w:t>RIGHT</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:sectPr/></w:body>"""


def test_docx_text_is_the_accepted_visible_view(tmp_path, build):
    import re

    good = build.make_docx(tmp_path / "g.docx", [("p", PARA)])

    def body(name, data):
        if name != "word/document.xml":
            return data
        return re.sub(r"<w:body>.*</w:body>", TRACKED_BODY, data.decode(), flags=re.S).encode()

    doc = extract(_rezip(good, tmp_path / "tracked.docx", body))
    text = "\n".join(s.text for s in doc.segments)
    assert text.split("\n") == [
        "KEEP。INSERTED。",
        "MOVED。",
        "SHOWN",
        "SDT_BODY。",
        "SDT_RUN。",
        "OUTER NESTED\tRIGHT",
    ]


#: a paragraph with a text box as Word writes it: the DrawingML box it shows (mc:Choice) and a VML copy (mc:Fallback)
TEXT_BOX = (
    '<w:p><w:r><w:t>BODY。</w:t></w:r><w:r><mc:AlternateContent xmlns:mc="{mc}"><mc:Choice Requires="wps">'
    '<w:drawing><wps:txbx xmlns:wps="{wps}"><w:txbxContent><w:p><w:r><w:t>BOX。</w:t></w:r></w:p></w:txbxContent>'
    '</wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox xmlns:v="urn:schemas-microsoft-com:vml">'
    "<w:txbxContent><w:p><w:r><w:t>BOX。</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback>"
    "</mc:AlternateContent></w:r></w:p>"
).format(
    mc="http://schemas.openxmlformats.org/markup-compatibility/2006",
    wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
)


def test_docx_text_box_is_read_once_not_with_its_fallback_copy(tmp_path, build):
    """Word writes every text box twice, the copy for old readers in mc:Fallback: both were read (BOX。BOX。)."""
    good = build.make_docx(tmp_path / "g.docx", [("p", PARA)])

    def body(name, data):
        if name != "word/document.xml":
            return data
        return data.decode().replace("<w:body>", "<w:body>" + TEXT_BOX, 1).encode()

    doc = extract(_rezip(good, tmp_path / "box.docx", body))
    assert "\n".join(s.text for s in doc.segments).split("\n")[0] == "BODY。BOX。"


def test_docx_without_core_properties_has_no_title(tmp_path, build):
    import re

    good = build.make_docx(tmp_path / "g.docx", [("p", PARA)], title="金融概論")
    assert extract(good).title == "金融概論"

    def no_core(name, data):  # the package no longer relates its core properties part
        return re.sub(rb"<Relationship [^>]*core-properties[^>]*/>", b"", data) if name == "_rels/.rels" else data

    doc = extract(_rezip(good, tmp_path / "bare.docx", no_core))
    assert doc.title is None and doc.segments[0].title is None  # not python-docx's invented "Word Document"


@pytest.mark.parametrize("kind", ["docx", "epub"])
def test_zip_members_over_the_ratio_cap_are_refused_before_parsing(tmp_path, build, kind):
    if kind == "docx":
        src = build.make_docx(tmp_path / "g.docx", [("p", PARA)])
        member = "word/document.xml"
    else:
        src = build.make_epub(tmp_path / "g.epub", [("c1.xhtml", "第一章", [PARA])])
        member = "OEBPS/text/c1.xhtml"
    pad = b"<!--" + b" " * (4 * 1024 * 1024) + b"-->"  # 4 MiB that deflate to ~4 KiB: ratio ~1000:1

    def inflate(name, data):
        return data.replace(b"?>", b"?>" + pad, 1) if name == member else data

    bomb = _rezip(src, tmp_path / f"bomb.{kind}", inflate)
    with pytest.raises(ExtractionError) as info:
        extract(bomb)
    assert info.value.reason == Reason.ZIP_BOMB and "ratio" in info.value.detail


def test_epub_spine_repeats_and_broken_idrefs_are_counted(tmp_path, build, collect):
    book = build.make_epub(tmp_path / "b.epub", [("c1.xhtml", "第一章", [PARA]), ("c2.xhtml", "第二章", [PARA + "二"])])

    def spine(name, data):  # the builder names items c0, c1: spine c0, c1, nope, c1
        if not name.endswith(".opf"):
            return data
        data = data.replace(b'<itemref idref="c1"/>', b'<itemref idref="c1"/><itemref idref="nope"/>', 1)
        return data.replace(b"</spine>", b'<itemref idref="c1"/></spine>')

    (tmp_path / "m").mkdir()
    _rezip(book, tmp_path / "m" / "dup.epub", spine)
    records, rejections, _ = collect(TabfSource([_manifest(tmp_path / "m", ["dup.epub,CC-BY-4.0,"])]))
    assert len(records) == 2
    assert [(r.locator, r.reason) for r in rejections] == [("dup.epub#spine=3", Reason.BROKEN_SPINE)]


def test_epub_hrefs_are_urls_percent_encoded_or_climbing_out_of_the_package_folder(tmp_path, build):
    """A valid EPUB whose package names 第1章.xhtml as %E7%AC%AC1%E7%AB%A0.xhtml (the spec's URL form, what EPUB tools
    write) or a chapter as ../OEBPS/text/... was quarantined whole: `missing member`."""
    from urllib.parse import quote

    chapters = [("第1章.xhtml", "第一章", [PARA]), ("ch 2.xhtml", "第二章", [PARA + "二"])]
    plain = build.make_epub(tmp_path / "plain.epub", chapters)

    def encoded(name, data):
        if not name.endswith(".opf"):
            return data
        opf = data.decode().replace('"text/第1章.xhtml"', f'"text/{quote("第1章.xhtml")}"')
        return opf.replace('"text/ch 2.xhtml"', '"../OEBPS/text/ch%202.xhtml"').encode()

    doc = extract(_rezip(plain, tmp_path / "encoded.epub", encoded))
    assert [(s.fragment, s.text) for s in doc.segments] == [(s.fragment, s.text) for s in extract(plain).segments]
    assert [s.fragment for s in doc.segments] == ["chapter=OEBPS/text/第1章.xhtml", "chapter=OEBPS/text/ch 2.xhtml"]
