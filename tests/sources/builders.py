"""Builders of fixture files in every format the document ingestors read.

Used by the tests, bench/bench_ingest.py and the demo (PDF/DOCX are generated, never shipped).
PDFs embed a real CJK TrueType font (Debian fonts-arphic-uming or fonts-noto-cjk) so that the
text layer holds real Traditional Chinese characters.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
)


def cjk_font_path() -> Path | None:
    """The first CJK font found on this machine, or None."""
    for cand in CJK_FONT_CANDIDATES:
        if Path(cand).exists():
            return Path(cand)
    return None


_REGISTERED: dict[str, str] = {}


def _font_name() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = cjk_font_path()
    if path is None:
        raise RuntimeError("no CJK font: apt-get install fonts-arphic-uming (or fonts-noto-cjk)")
    if "cjk" not in _REGISTERED:
        pdfmetrics.registerFont(TTFont("CJK", str(path), subfontIndex=0))
        _REGISTERED["cjk"] = str(path)
    return "CJK"


def make_pdf(
    path: Path,
    pages: Sequence[Sequence[str]],
    *,
    header: str | None = None,
    page_numbers: bool = False,
    encrypt: str | None = None,
    title: str | None = None,
) -> Path:
    """A PDF with one text line per entry, CJK font embedded; optional running header/page numbers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _font_name()
    kwargs = {}
    if encrypt is not None:
        from reportlab.lib import pdfencrypt

        kwargs["encrypt"] = pdfencrypt.StandardEncryption(encrypt, ownerPassword=encrypt + "-owner", strength=128)
    c = canvas.Canvas(str(path), pagesize=A4, **kwargs)
    if title:
        c.setTitle(title)
    width, height = A4
    for n, lines in enumerate(pages, start=1):
        c.setFont(font, 12)
        if header:
            c.drawString(60, height - 40, header)
        y = height - 80
        for line in lines:
            c.drawString(60, y, line)
            y -= 18
        if page_numbers:
            c.drawString(width / 2, 30, f"- {n} -")
        c.showPage()
    c.save()
    return path


def make_image_pdf(path: Path, n_pages: int = 2) -> Path:
    """A 'scanned' PDF: drawings only, no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(n_pages):
        for k in range(20):
            c.rect(50 + k * 10, 300 + k * 5, 200, 12, fill=1)
        c.showPage()
    c.save()
    return path


def make_docx(path: Path, blocks: Sequence[tuple[str, str]], title: str | None = None) -> Path:
    """A DOCX from (kind, text) blocks: kind = 'h1', 'h2', 'p' or 'pagebreak'; header/footer set."""
    import docx

    d = docx.Document()
    if title:
        d.core_properties.title = title
    section = d.sections[0]
    section.header.paragraphs[0].text = "台灣金融研訓院　內部講義"
    section.footer.paragraphs[0].text = "版權所有　請勿外流"
    for kind, text in blocks:
        if kind == "pagebreak":
            d.add_page_break()
        elif kind in ("h1", "h2"):
            d.add_heading(text, level=int(kind[1]))
        else:
            d.add_paragraph(text)
    d.save(str(path))
    return path


def make_epub(path: Path, chapters: Sequence[tuple[str, str, Sequence[str]]], title: str = "測試書") -> Path:
    """An EPUB 3 from (file name, heading, paragraphs) chapters, zipped by hand."""
    manifest = "\n".join(
        f'<item id="c{i}" href="text/{name}" media-type="application/xhtml+xml"/>'
        for i, (name, _, _) in enumerate(chapters)
    )
    spine = "\n".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
    opf = f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title>
<dc:identifier id="id">urn:test</dc:identifier><dc:language>zh-TW</dc:language></metadata>
<manifest>{manifest}</manifest><spine>{spine}</spine></package>"""
    container = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        zf.writestr("META-INF/container.xml", container)
        zf.writestr("OEBPS/content.opf", opf)
        for name, head, paras in chapters:
            body = "".join(f"<p>{p}</p>" for p in paras)
            zf.writestr(
                f"OEBPS/text/{name}",
                f"""<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>{head}</title></head>
<body><h1>{head}</h1>{body}</body></html>""",
            )
    return path


def make_zip_bomb_epub(path: Path, uncompressed_mb: int = 8) -> Path:
    """An EPUB whose one chapter uncompresses to ``uncompressed_mb`` MiB of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        zf.writestr("META-INF/container.xml", "<container/>")
        zf.writestr("OEBPS/bomb.xhtml", b"\0" * (uncompressed_mb * 1024 * 1024))
    return path
