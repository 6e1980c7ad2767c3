"""Types of :mod:`sources.documents`: quarantine reasons, the error, options and the extracted document."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DOCUMENT_SUFFIXES",
    "ExtractConfig",
    "ExtractedDocument",
    "ExtractionError",
    "Reason",
    "Segment",
    "segment_key",
]


class Reason:
    """Stable quarantine reasons (``quarantine.reason``); details go into the excerpt."""

    CORRUPT_PDF = "corrupt or truncated PDF"
    ENCRYPTED_PDF = "password-protected PDF"
    NEEDS_OCR = "needs OCR (no text layer)"
    UNDECODABLE = "undecodable text"
    EMPTY = "empty file"
    ZIP_BOMB = "zip bomb (uncompressed size over limit)"
    CORRUPT_CONTAINER = "corrupt DOCX/EPUB container"
    ENCRYPTED_CONTAINER = "password-protected DOCX/EPUB"
    UNREADABLE = "unreadable file"
    BROKEN_SPINE = "EPUB spine item naming no file"
    UNSUPPORTED = "unsupported file type"
    NO_TEXT = "no text extracted"


class ExtractionError(Exception):
    """A file could not be turned into text; ``reason`` is one of :class:`Reason`."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ExtractConfig:
    """Options of :func:`extract`."""

    #: an EPUB/DOCX whose members uncompress to more than this is refused (zip bomb)
    max_uncompressed_bytes: int = 256 * 1024 * 1024
    #: a document whose extracted text is longer than this is refused, whatever its members declare
    #: (an EPUB spine may list one large chapter many times)
    max_extracted_chars: int = 32_000_000
    #: a line seen at the top/bottom of at least this share of pages is a running header/footer
    header_footer_min_share: float = 0.5
    #: header/footer detection needs at least this many pages
    header_footer_min_pages: int = 3
    #: split by headings only when at least this many headings are found
    min_headings: int = 2
    #: plain text without structure is cut into parts of at most this many characters
    max_part_chars: int = 20_000


@dataclass(frozen=True, slots=True)
class Segment:
    """One record-sized piece of a document."""

    fragment: str  # locator fragment, e.g. "page=3" or "section=2&pages=4-6"
    text: str
    title: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    """The result of :func:`extract`."""

    format: str
    segments: list[Segment]
    encoding: str | None = None
    pages: int | None = None
    title: str | None = None
    #: (fragment, reason) of parts that were left out, e.g. pages without a text layer
    skipped: list[tuple[str, str]] = field(default_factory=list)


DOCUMENT_SUFFIXES = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".epub": "epub",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
}


def segment_key(fragment: str) -> str:
    """The stable part of a locator fragment (ranges move between editions; numbering does not).

    >>> segment_key("section=2&pages=4-6"), segment_key("part=1&lines=1-40"), segment_key("page=3")
    ('section=2', 'part=1', 'page=3')
    """
    return re.sub(r"&(?:pages|lines)=\d+-\d+", "", fragment)
