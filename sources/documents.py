"""Document extraction shared by the file-based ingestors (MODA PDFs, TABF, textbooks).

:func:`extract` turns one file (PDF, DOCX, EPUB, HTML, plain text) into a :class:`Document`: a
list of :class:`Segment` (one per chapter/section where the structure allows, else one per
page) with a locator fragment (``page=3``, ``section=2&pages=4-6``, ``chapter=OEBPS/ch1.xhtml``,
``lines=1-40``). Running headers/footers and page numbers are removed; lines broken inside a
sentence are joined, without inserting a space between CJK characters. Problems that make a
file unusable raise :class:`ExtractionError` with a stable ``reason`` (the quarantine reason).

Parsers are permissively licensed: pypdf (BSD), python-docx (MIT), stdlib zipfile + lxml (BSD)
for EPUB, BeautifulSoup (MIT) for HTML, charset-normalizer (MIT) for legacy encodings.
"""

from __future__ import annotations

import re
import statistics
import struct
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

__all__ = [
    "DOCUMENT_SUFFIXES",
    "Document",
    "ExtractConfig",
    "ExtractionError",
    "Reason",
    "Segment",
    "decode_text",
    "detect_lang",
    "extract",
    "join_broken_lines",
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
class Document:
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

# ---------------------------------------------------------------------------------------------
# character classes and line joining

_CJK_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
    (0x3000, 0x303F),
    (0xFF00, 0xFFEF),
    (0x3100, 0x312F),
    (0x31A0, 0x31BF),
)
_SENTENCE_END = set("。！？!?；;：:」』）)】》")
_LIST_START = re.compile(
    r"^\s*(第[一二三四五六七八九十百零〇\d]+[編章節條篇]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、]|[•·●○■□▪\-*]\s)"
)


_CJK_CLASS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _CJK_RANGES)
_CJK_RE = re.compile(f"[{_CJK_CLASS}]")
# byte classes of UTF-8 for a fast language guess: lead bytes of U+3400..U+9FFF, and letters
_CJK_LEADS = bytes(range(0xE3, 0xEA))
_OTHER_LETTERS = bytes(range(0x41, 0x5B)) + bytes(range(0x61, 0x7B)) + bytes(range(0xC3, 0xE0))
_ALL_BYTES = bytes(range(256))
_DROP_NON_CJK = bytes(b for b in range(256) if b not in _CJK_LEADS)
_DROP_NON_OTHER = bytes(b for b in range(256) if b not in _OTHER_LETTERS)


def _is_cjk(ch: str) -> bool:
    return _CJK_RE.match(ch) is not None


def detect_lang(text: str) -> str:
    """``zh`` when CJK characters make up at least 10 % of the letters (first 2,000 chars), else ``en``.

    Counted on UTF-8 lead bytes (fast, approximate: CJK punctuation counts as CJK).

    >>> detect_lang("金融監督管理委員會"), detect_lang("Financial Supervisory Commission")
    ('zh', 'en')
    """
    data = text[:2000].encode("utf-8", "replace")
    cjk = len(data.translate(_ALL_BYTES, _DROP_NON_CJK))
    other = len(data.translate(_ALL_BYTES, _DROP_NON_OTHER))
    return "zh" if cjk and cjk / (cjk + other) >= 0.1 else "en"


def join_broken_lines(lines: Sequence[str]) -> str:
    """Join lines wrapped inside a sentence; keep paragraph breaks.

    A break is kept after sentence-final punctuation, after a short line (< 60 % of the median
    line length: the end of a paragraph), before a heading/list item, and at blank lines.
    Otherwise the lines are joined: with nothing between CJK characters, with one space
    between Latin words, and without the hyphen of a hyphenated Latin word.

    >>> join_broken_lines(["本行應依洗錢防制法之規定，建立內部控制與稽", "核制度，並定期檢討。", "第二條　定義"])
    '本行應依洗錢防制法之規定，建立內部控制與稽核制度，並定期檢討。\\n第二條　定義'
    """
    stripped = [ln.strip() for ln in lines]
    lengths = [len(s) for s in stripped if s]
    median = statistics.median(lengths) if lengths else 0
    out: list[str] = []
    cur = ""
    for i, line in enumerate(stripped):
        if not line:
            if cur:
                out.append(cur)
                cur = ""
            continue
        if not cur:
            cur = line
            continue
        prev_line = stripped[i - 1]
        keep_break = (
            cur[-1] in _SENTENCE_END
            or _LIST_START.match(line) is not None
            or _is_heading(prev_line)
            or (median and len(prev_line) < 0.6 * median)
        )
        if keep_break:
            out.append(cur)
            cur = line
        elif cur.endswith("-") and cur[-2:-1].isalpha() and not _is_cjk(cur[-2]) and line[0].isalpha():
            cur = cur[:-1] + line
        elif _is_cjk(cur[-1]) or _is_cjk(line[0]):
            cur += line
        else:
            cur += " " + line
    if cur:
        out.append(cur)
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# running headers, footers and page numbers

_PAGE_NO = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:第\s*)?(?:\d+|[ivxlcdmIVXLCDM]+)(?:\s*頁)?(?:\s*[-–—])?\s*$"
    r"|^\s*(?:page|p\.)\s*\d+(?:\s*(?:of|/)\s*\d+)?\s*$"
    r"|^\s*\d+\s*/\s*\d+\s*$"
    r"|^\s*第\s*\d+\s*頁\s*(?:[,，/／]?\s*共\s*\d+\s*頁)?\s*$",
    re.IGNORECASE,
)


def _norm_hf(line: str) -> str:
    line = line.strip()
    if len(line) > 50 or line[-1:] in ("。", "！", "？", "；"):
        return "\0" + line  # sentences are body text, never running headers: keep them unique
    return re.sub(r"\d+", "#", line)


def remove_headers_footers(pages: list[list[str]], config: ExtractConfig) -> list[list[str]]:
    """Drop page numbers and lines repeated at the top/bottom of many pages.

    >>> pages = [["台灣金融研訓院 講義", f"內文第{i}頁的句子。", f"- {i} -"] for i in range(1, 5)]
    >>> remove_headers_footers(pages, ExtractConfig())[0]
    ['內文第1頁的句子。']
    """
    cleaned = []
    for lines in pages:
        lines = [ln for ln in lines if ln.strip()]
        # page numbers: only at the very top or bottom of a page
        while lines and _PAGE_NO.match(lines[-1]):
            lines = lines[:-1]
        while lines and _PAGE_NO.match(lines[0]):
            lines = lines[1:]
        cleaned.append(lines)
    if len(cleaned) < config.header_footer_min_pages:
        return cleaned
    edge = Counter()
    for lines in cleaned:
        keys = {_norm_hf(ln) for ln in lines[:2]} | {_norm_hf(ln) for ln in lines[-2:]}
        edge.update(keys)
    threshold = max(2, config.header_footer_min_share * len(cleaned))
    repeated = {k for k, n in edge.items() if n >= threshold and not k.startswith("\0")}
    if not repeated:
        return cleaned
    result = []
    for lines in cleaned:
        head = 0
        while head < min(2, len(lines)) and _norm_hf(lines[head]) in repeated:
            head += 1
        tail = len(lines)
        while tail > head and len(lines) - tail < 2 and _norm_hf(lines[tail - 1]) in repeated:
            tail -= 1
        result.append(lines[head:tail])
    return result


# ---------------------------------------------------------------------------------------------
# structure: chapter / section headings

_HEADING = re.compile(
    r"^\s*(第\s*[一二三四五六七八九十百零〇\d]+\s*[篇編章節講課單元]+"
    r"|(?:chapter|part|section|unit)\s+[\dIVXLC]+\b)",
    re.IGNORECASE,
)


def _is_heading(line: str) -> bool:
    """A chapter/section heading line: short, numbered, not a sentence.

    >>> _is_heading("第一章　總則"), _is_heading("第二章續前。"), _is_heading("Chapter 3 Risk")
    (True, False, True)
    """
    line = line.strip()
    return 0 < len(line) <= 60 and _HEADING.match(line) is not None and line[-1] not in "。！？；，、：.!?;,:"


def _split_paged(path_title: str | None, pages: list[list[str]], config: ExtractConfig) -> list[Segment]:
    """Sections with page ranges when headings are found, else one segment per page."""
    headings = [(p, i) for p, lines in enumerate(pages) for i, ln in enumerate(lines) if _is_heading(ln)]
    if len(headings) >= config.min_headings:
        segments: list[Segment] = []
        bounds = headings + [(len(pages), 0)]
        first_p, first_i = headings[0]
        front = [ln for lines in pages[:first_p] for ln in lines] + pages[first_p][:first_i]
        if any(ln.strip() for ln in front):
            text = join_broken_lines(front)
            end = first_p + 1 if first_i else first_p
            segments.append(
                Segment(
                    f"section=0&pages=1-{max(end, 1)}",
                    text,
                    path_title,
                    {"section": 0, "page_start": 1, "page_end": max(end, 1)},
                )
            )
        for n, ((p, i), (np_, ni)) in enumerate(zip(bounds[:-1], bounds[1:]), start=1):
            lines: list[str] = []
            for q in range(p, min(np_, len(pages) - 1) + 1):
                start = i if q == p else 0
                stop = ni if q == np_ else len(pages[q])
                lines.extend(pages[q][start:stop])
            last_page = min(np_ if ni > 0 else np_ - 1, len(pages) - 1)
            last_page = max(last_page, p)
            title = lines[0].strip() if lines else None
            text = join_broken_lines(lines)
            if not text.strip():
                continue
            segments.append(
                Segment(
                    f"section={n}&pages={p + 1}-{last_page + 1}",
                    text,
                    title,
                    {"section": n, "section_title": title, "page_start": p + 1, "page_end": last_page + 1},
                )
            )
        return segments
    return [
        Segment(f"page={p + 1}", join_broken_lines(lines), path_title, {"page": p + 1})
        for p, lines in enumerate(pages)
        if any(ln.strip() for ln in lines)
    ]


# ---------------------------------------------------------------------------------------------
# PDF


_PDF_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    OSError,
    struct.error,
    zlib.error,
    RecursionError,
    AssertionError,
    UnicodeDecodeError,
)


def _extract_pdf(path: Path, data: bytes, config: ExtractConfig) -> Document:
    import io

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError, PdfStreamError

    errors = (PdfReadError, PdfStreamError, *_PDF_ERRORS)
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ExtractionError(Reason.CORRUPT_PDF, "no %PDF header")
    if b"%%EOF" not in data[-2048:]:
        raise ExtractionError(Reason.CORRUPT_PDF, "no %%EOF marker at the end (truncated?)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                raise ExtractionError(Reason.ENCRYPTED_PDF, str(exc)) from exc
            if not ok:
                raise ExtractionError(Reason.ENCRYPTED_PDF, "a password is needed to open it")
        raw_pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = (reader.metadata or {}).get("/Title") if reader.metadata else None
    except FileNotDecryptedError as exc:
        raise ExtractionError(Reason.ENCRYPTED_PDF, str(exc)) from exc
    except errors as exc:
        raise ExtractionError(Reason.CORRUPT_PDF, f"{type(exc).__name__}: {exc}") from exc
    if not raw_pages:
        raise ExtractionError(Reason.CORRUPT_PDF, "no pages")
    if not any(t.strip() for t in raw_pages):
        raise ExtractionError(Reason.NEEDS_OCR, f"none of {len(raw_pages)} pages has a text layer")
    skipped = [(f"page={i + 1}", Reason.NEEDS_OCR) for i, t in enumerate(raw_pages) if not t.strip()]
    pages = remove_headers_footers([_nfc(t).splitlines() for t in raw_pages], config)
    title = str(meta_title) if meta_title else None
    return Document("pdf", _split_paged(title, pages, config), pages=len(raw_pages), title=title, skipped=skipped)


def _nfc(text: str) -> str:
    # pypdf may return CJK compatibility ideographs/radicals from some fonts; NFC keeps
    # the characters as drawn (NFKC would fold compatibility forms, which is a later stage).
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------------------------------------
# ZIP containers (DOCX, EPUB)


def _check_zip(path: Path, config: ExtractConfig) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ExtractionError(Reason.CORRUPT_CONTAINER, f"not a readable ZIP: {exc}") from exc
    total = sum(i.file_size for i in infos)
    if total > config.max_uncompressed_bytes:
        zf.close()
        raise ExtractionError(
            Reason.ZIP_BOMB,
            f"{total} bytes uncompressed > limit {config.max_uncompressed_bytes} "
            f"({sum(i.compress_size for i in infos)} compressed)",
        )
    return zf


def _read_member(zf: zipfile.ZipFile, name: str, config: ExtractConfig) -> bytes:
    """Read a ZIP member with a hard cap (declared sizes can lie)."""
    try:
        with zf.open(name) as fh:
            data = fh.read(config.max_uncompressed_bytes + 1)
    except KeyError as exc:
        raise ExtractionError(Reason.CORRUPT_CONTAINER, f"missing member {name}") from exc
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
        raise ExtractionError(Reason.CORRUPT_CONTAINER, f"member {name}: {exc}") from exc
    if len(data) > config.max_uncompressed_bytes:
        raise ExtractionError(Reason.ZIP_BOMB, f"member {name} exceeds {config.max_uncompressed_bytes} bytes")
    return data


# ---------------------------------------------------------------------------------------------
# DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _extract_docx(path: Path, config: ExtractConfig) -> Document:
    zf = _check_zip(path, config)
    zf.close()
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ExtractionError(Reason.CORRUPT_CONTAINER, f"not a readable DOCX: {exc}") from exc
    title = document.core_properties.title or None
    # walk the body in order: paragraphs (with headings, page breaks) and tables
    pages: list[list[str]] = [[]]
    heading_marks: list[tuple[int, int, str]] = []  # (page, line index, text)
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            style = child.find(f"{_W}pPr/{_W}pStyle")
            style_id = style.get(f"{_W}val") if style is not None else ""
            for run in child.iter(f"{_W}br", f"{_W}t", f"{_W}lastRenderedPageBreak"):
                if run.tag == f"{_W}br" and run.get(f"{_W}type") == "page" and pages[-1]:
                    pages.append([])
            text = "".join(t.text or "" for t in child.iter(f"{_W}t")).strip()
            if not text:
                continue
            if re.match(r"(?i)^(heading|title)\s*[12]?$|^標題\s*[12]?$", style_id or "") or _is_heading(text):
                heading_marks.append((len(pages) - 1, len(pages[-1]), text))
            pages[-1].append(text)
        elif child.tag == f"{_W}tbl":
            for row in child.iter(f"{_W}tr"):
                cells = ["".join(t.text or "" for t in tc.iter(f"{_W}t")).strip() for tc in row.iter(f"{_W}tc")]
                line = "\t".join(c for c in cells if c)
                if line:
                    pages[-1].append(line)
    pages = [p for p in pages if p] or [[]]
    if not any(pages[0]) and len(pages) == 1:
        raise ExtractionError(Reason.NO_TEXT, "the DOCX body holds no text")
    if len(heading_marks) >= config.min_headings:
        segments = _split_on_marks(pages, heading_marks)
    else:
        segments = [
            Segment(f"page={i + 1}", "\n".join(lines), title, {"page": i + 1}) for i, lines in enumerate(pages) if lines
        ]
    return Document("docx", segments, pages=len(pages), title=title)


def _split_on_marks(pages: list[list[str]], marks: list[tuple[int, int, str]]) -> list[Segment]:
    """Sections between heading marks (page, line) with their page ranges (paragraphs kept)."""
    flat = [(p, ln) for p, lines in enumerate(pages) for ln in lines]
    index = {}
    pos = 0
    for p, lines in enumerate(pages):
        for i in range(len(lines)):
            index[(p, i)] = pos
            pos += 1
    starts = [index[(p, i)] for p, i, _ in marks]
    segments = []
    if starts[0] > 0:
        part = flat[: starts[0]]
        segments.append(
            Segment(
                f"section=0&pages=1-{part[-1][0] + 1}",
                "\n".join(t for _, t in part),
                None,
                {"section": 0, "page_start": 1, "page_end": part[-1][0] + 1},
            )
        )
    for n, (a, b) in enumerate(zip(starts, starts[1:] + [len(flat)]), start=1):
        part = flat[a:b]
        p0, p1 = part[0][0] + 1, part[-1][0] + 1
        title = part[0][1]
        segments.append(
            Segment(
                f"section={n}&pages={p0}-{p1}",
                "\n".join(t for _, t in part),
                title,
                {"section": n, "section_title": title, "page_start": p0, "page_end": p1},
            )
        )
    return segments


# ---------------------------------------------------------------------------------------------
# HTML and EPUB


def _html_blocks(markup: bytes | str) -> tuple[str | None, list[tuple[str, str]]]:
    """(title, [(tag, text)]) of block elements in document order, boilerplate removed."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template"]):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    blocks: list[tuple[str, str]] = []
    body = soup.body or soup
    block_tags = ["h1", "h2", "h3", "h4", "p", "li", "pre", "blockquote", "td", "th", "dd", "dt", "div"]
    for el in body.find_all(block_tags):
        if el.name == "div" and el.find(block_tags):
            continue  # only leaf-level divs
        if el.name in ("p", "li", "td", "th") and el.find_parent(["p", "li"]) is not None and el.name != "li":
            continue
        text = el.get_text("", strip=False)
        text = join_broken_lines(text.splitlines())
        if text.strip():
            blocks.append((el.name, text.strip()))
    return title, blocks


def _sections_from_blocks(blocks: list[tuple[str, str]], config: ExtractConfig) -> list[tuple[str | None, list[str]]]:
    heads = [i for i, (tag, text) in enumerate(blocks) if tag in ("h1", "h2") or _is_heading(text)]
    if len(heads) < config.min_headings:
        return [(None, [t for _, t in blocks])]
    out: list[tuple[str | None, list[str]]] = []
    if heads[0] > 0:
        out.append((None, [t for _, t in blocks[: heads[0]]]))
    for a, b in zip(heads, heads[1:] + [len(blocks)]):
        out.append((blocks[a][1], [t for _, t in blocks[a:b]]))
    return out


def _extract_html(path: Path, data: bytes, config: ExtractConfig) -> Document:
    encoding = _html_declared_encoding(data)
    if encoding:
        try:
            markup = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            markup, encoding = decode_text(data)
    else:
        markup, encoding = decode_text(data)
    title, blocks = _html_blocks(markup)
    if not blocks:
        raise ExtractionError(Reason.NO_TEXT, "the HTML page holds no text")
    sections = _sections_from_blocks(blocks, config)
    first = 0 if sections[0][0] is None else 1
    segments = [
        Segment(f"section={n}", "\n".join(texts), head or title, {"section": n, "section_title": head})
        for n, (head, texts) in enumerate(sections, start=first)
    ]
    if len(segments) == 1:
        segments = [Segment("all", segments[0].text, title, {})]
    return Document("html", segments, encoding=encoding, title=title)


def _html_declared_encoding(data: bytes) -> str | None:
    m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", data[:4096], re.IGNORECASE)
    return m.group(1).decode("ascii").lower() if m else None


def _extract_epub(path: Path, config: ExtractConfig) -> Document:
    from lxml import etree

    zf = _check_zip(path, config)
    with zf:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        try:
            container = etree.fromstring(_read_member(zf, "META-INF/container.xml", config), parser)
            rootfile = container.find(".//{*}rootfile").get("full-path")
            opf = etree.fromstring(_read_member(zf, rootfile, config), parser)
        except (etree.XMLSyntaxError, AttributeError) as exc:
            raise ExtractionError(Reason.CORRUPT_CONTAINER, f"bad EPUB package files: {exc}") from exc
        base = PurePosixPath(rootfile).parent
        manifest = {item.get("id"): item.get("href") for item in opf.iterfind(".//{*}manifest/{*}item")}
        spine = [manifest.get(ref.get("idref")) for ref in opf.iterfind(".//{*}spine/{*}itemref")]
        title_el = opf.find(".//{*}metadata/{*}title")
        book_title = title_el.text.strip() if title_el is not None and title_el.text else None
        segments: list[Segment] = []
        for n, href in enumerate(h for h in spine if h):
            name = str(base / href) if str(base) not in ("", ".") else href
            chapter_title, blocks = _html_blocks(_read_member(zf, name, config))
            if not blocks:
                continue
            head = next((t for tag, t in blocks if tag in ("h1", "h2")), None) or chapter_title
            segments.append(
                Segment(
                    f"chapter={name}",
                    "\n".join(t for _, t in blocks),
                    head,
                    {"chapter": n + 1, "chapter_file": name, "section_title": head},
                )
            )
    if not segments:
        raise ExtractionError(Reason.NO_TEXT, "no chapter with text in the EPUB spine")
    return Document("epub", segments, title=book_title)


# ---------------------------------------------------------------------------------------------
# plain text

#: tried in order after UTF-8; Taiwanese legacy files are Big5 or its Microsoft superset CP950
_LEGACY_ENCODINGS = ("big5", "cp950", "big5hkscs")


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8, else Big5/CP950, else charset-normalizer's best guess.

    Returns ``(text, encoding)``; raises :class:`ExtractionError` (undecodable) otherwise.

    >>> decode_text("臺灣銀行".encode("big5"))
    ('臺灣銀行', 'big5')
    >>> decode_text("\\ufeff臺灣".encode("utf-8"))
    ('臺灣', 'utf-8-sig')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise ExtractionError(Reason.UNDECODABLE, f"UTF-8 BOM but invalid UTF-8 at byte {exc.start + 3}") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ExtractionError(Reason.UNDECODABLE, f"UTF-16 BOM but invalid UTF-16: {exc}") from exc
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    for enc in _LEGACY_ENCODINGS:
        try:
            return _checked(data.decode(enc), enc)
        except (UnicodeDecodeError, ExtractionError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ExtractionError(Reason.UNDECODABLE, "not UTF-8, Big5, CP950 or any encoding charset-normalizer knows")
    return _checked(str(best), best.encoding)


def _checked(text: str, encoding: str) -> tuple[str, str]:
    bad = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if text and bad / len(text) > 0.01:
        raise ExtractionError(Reason.UNDECODABLE, f"{bad} control characters after decoding as {encoding}")
    return text, encoding


def _extract_text(path: Path, data: bytes, config: ExtractConfig) -> Document:
    text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:  # form feeds = pages
        pages = remove_headers_footers([pg.split("\n") for pg in text.split("\f")], config)
        return Document("text", _split_paged(None, pages, config), encoding=encoding, pages=len(pages))
    lines = text.removesuffix("\n").split("\n")
    heads = [i for i, ln in enumerate(lines) if _is_heading(ln)]
    segments: list[Segment] = []
    if len(heads) >= config.min_headings:
        bounds = ([0] if heads[0] > 0 else []) + heads + [len(lines)]
        for n, (a, b) in enumerate(zip(bounds[:-1], bounds[1:]), start=0 if heads[0] > 0 else 1):
            body = join_broken_lines(lines[a:b])
            if body.strip():
                title = lines[a].strip() if a in heads else None
                segments.append(
                    Segment(
                        f"section={n}&lines={a + 1}-{b}",
                        body,
                        title,
                        {"section": n, "section_title": title, "line_start": a + 1, "line_end": b},
                    )
                )
    else:
        start, size = 0, 0
        for i, ln in enumerate(lines + [""]):
            size += len(ln) + 1
            end_of_para = i == len(lines) or not ln.strip()
            if (size >= config.max_part_chars and end_of_para) or i == len(lines):
                body = join_broken_lines(lines[start:i])
                if body.strip():
                    part = len(segments) + 1
                    segments.append(
                        Segment(
                            f"part={part}&lines={start + 1}-{i}",
                            body,
                            None,
                            {"part": part, "line_start": start + 1, "line_end": i},
                        )
                    )
                start, size = i + 1, 0
    return Document("text", segments, encoding=encoding)


# ---------------------------------------------------------------------------------------------


def segment_key(fragment: str) -> str:
    """The stable part of a locator fragment (ranges move between editions; numbering does not).

    >>> segment_key("section=2&pages=4-6"), segment_key("part=1&lines=1-40"), segment_key("page=3")
    ('section=2', 'part=1', 'page=3')
    """
    return re.sub(r"&(?:pages|lines)=\d+-\d+", "", fragment)


def extract(path: str | Path, config: ExtractConfig | None = None) -> Document:
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
        doc = _extract_docx(path, config)
    elif kind == "epub":
        doc = _extract_epub(path, config)
    else:
        data = path.read_bytes()
        if not data.strip():
            raise ExtractionError(Reason.EMPTY, "only whitespace")
        if kind == "pdf":
            doc = _extract_pdf(path, data, config)
        elif kind == "html":
            doc = _extract_html(path, data, config)
        else:
            doc = _extract_text(path, data, config)
    if not any(s.text.strip() for s in doc.segments):
        raise ExtractionError(Reason.NO_TEXT, f"{doc.format} file without text")
    return doc
