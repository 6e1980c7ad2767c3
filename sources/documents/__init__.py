"""Document extraction shared by the file-based ingestors (MODA PDFs, TABF, textbooks).

:func:`extract` turns one file (PDF, DOCX, EPUB, HTML, plain text) into an :class:`ExtractedDocument`:
a list of :class:`Segment` (one per chapter/section where the structure allows, else one per
page) with a locator fragment (``page=3``, ``section=2&pages=4-6``, ``chapter=OEBPS/ch1.xhtml``,
``lines=1-40``). Running headers/footers and page numbers are removed; lines broken inside a
sentence are joined, without inserting a space between CJK characters. Problems that make a
file unusable raise :class:`ExtractionError` with a stable ``reason`` (the quarantine reason).

Parsers are permissively licensed: pypdf (BSD), python-docx (MIT), stdlib zipfile + lxml (BSD)
for EPUB, BeautifulSoup (MIT) for HTML, charset-normalizer (MIT) for legacy encodings.

Modules: ``model`` (types), ``pdf``, ``office`` (DOCX, EPUB), ``html``, ``text`` (decoding,
language, plain text), ``cleanup`` (headers/footers, page numbers, line joining, headings).
"""

from __future__ import annotations

from pathlib import Path

from sources.documents.cleanup import join_broken_lines, remove_headers_footers
from sources.documents.html import extract_html
from sources.documents.model import (
    DOCUMENT_SUFFIXES,
    ExtractConfig,
    ExtractedDocument,
    ExtractionError,
    Reason,
    Segment,
    segment_key,
)
from sources.documents.office import extract_docx, extract_epub
from sources.documents.pdf import extract_pdf
from sources.documents.text import decode_text, detect_lang, extract_text

__all__ = [
    "DOCUMENT_SUFFIXES",
    "ExtractConfig",
    "ExtractedDocument",
    "ExtractionError",
    "Reason",
    "Segment",
    "decode_text",
    "detect_lang",
    "extract",
    "join_broken_lines",
    "remove_headers_footers",
    "segment_key",
]


def extract(path: str | Path, config: ExtractConfig | None = None) -> ExtractedDocument:
    """Extract one file; raise :class:`ExtractionError` with a quarantine reason if unusable."""
    config = config or ExtractConfig()
    path = Path(path)
    kind = DOCUMENT_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ExtractionError(
            Reason.UNSUPPORTED, f"suffix `{path.suffix}`; known: {', '.join(sorted(DOCUMENT_SUFFIXES))}"
        )
    if path.stat().st_size == 0:
        raise ExtractionError(Reason.EMPTY, "0 bytes")
    if kind == "docx":
        doc = extract_docx(path, config)
    elif kind == "epub":
        doc = extract_epub(path, config)
    else:
        data = path.read_bytes()
        if not data.strip():
            raise ExtractionError(Reason.EMPTY, "only whitespace")
        if kind == "pdf":
            doc = extract_pdf(path, data, config)
        elif kind == "html":
            doc = extract_html(path, data, config)
        else:
            doc = extract_text(path, data, config)
    if not any(s.text.strip() for s in doc.segments):
        raise ExtractionError(Reason.NO_TEXT, f"{doc.format} file without text")
    return doc
