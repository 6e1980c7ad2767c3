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
    """Extract one file; raise :class:`ExtractionError` with a quarantine reason if unusable.

    A file's extraction is isolated: whatever a parser raises while reading it (``zlib.error``, lxml's
    ``XMLSyntaxError``, ``EOFError``, ``NotImplementedError`` for an unknown filter, ...) becomes an
    :class:`ExtractionError` naming the failure's type, so one broken file is quarantined and the ingest goes on.
    """
    config = config or ExtractConfig()
    path = Path(path)
    kind = DOCUMENT_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ExtractionError(
            Reason.UNSUPPORTED, f"suffix `{path.suffix}`; known: {', '.join(sorted(DOCUMENT_SUFFIXES))}"
        )
    try:
        doc = _extract(path, kind, config)
    except ExtractionError:
        raise
    except OSError as exc:  # the file itself (permissions, a vanished file, an I/O error)
        raise ExtractionError(Reason.UNREADABLE, f"{type(exc).__name__}: {exc.strerror or exc}") from exc
    except Exception as exc:  # noqa: BLE001 - any parser failure on one file: that file is quarantined
        raise ExtractionError(_FAILED.get(kind, Reason.UNREADABLE), f"{type(exc).__name__}: {exc}"[:300]) from exc
    if not any(s.text.strip() for s in doc.segments):
        raise ExtractionError(Reason.NO_TEXT, f"{doc.format} file without text")
    return doc


#: the reason of an unforeseen parser failure, by kind of file
_FAILED = {"pdf": Reason.CORRUPT_PDF, "docx": Reason.CORRUPT_CONTAINER, "epub": Reason.CORRUPT_CONTAINER}


def _extract(path: Path, kind: str, config: ExtractConfig) -> ExtractedDocument:
    if path.stat().st_size == 0:
        raise ExtractionError(Reason.EMPTY, "0 bytes")
    if kind == "docx":
        return extract_docx(path, config)
    if kind == "epub":
        return extract_epub(path, config)
    data = path.read_bytes()
    if not data.strip():
        raise ExtractionError(Reason.EMPTY, "only whitespace")
    if kind == "pdf":
        return extract_pdf(path, data, config)
    if kind == "html":
        return extract_html(path, data, config)
    return extract_text(path, data, config)
