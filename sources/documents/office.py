"""ZIP-based formats: DOCX (python-docx, MIT) and EPUB (stdlib zipfile + lxml), with zip-bomb limits."""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from sources.capped import InputLimitError, check_member
from sources.documents.cleanup import is_heading
from sources.documents.html import html_blocks
from sources.documents.model import ExtractConfig, ExtractedDocument, ExtractionError, Reason, Segment

__all__ = ["extract_docx", "extract_epub"]

# ---------------------------------------------------------------------------------------------
# ZIP containers (DOCX, EPUB)


def _check_zip(path: Path, config: ExtractConfig) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ExtractionError(Reason.CORRUPT_CONTAINER, f"not a readable ZIP: {exc}") from exc
    if any(i.flag_bits & 0x1 for i in infos):
        zf.close()
        raise ExtractionError(Reason.ENCRYPTED_CONTAINER, "ZIP members are encrypted; save the file without a password")
    for info in infos:  # each member by its inflated size and ratio (sources/capped.py), before any is parsed
        try:
            check_member(info, max_bytes=config.max_uncompressed_bytes)
        except InputLimitError as exc:
            zf.close()
            raise ExtractionError(Reason.ZIP_BOMB, exc.detail) from exc
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


def extract_docx(path: Path, config: ExtractConfig) -> ExtractedDocument:
    zf = _check_zip(path, config)
    zf.close()
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ExtractionError(Reason.CORRUPT_CONTAINER, f"not a readable DOCX: {exc}") from exc
    title = _core_title(document)
    # walk the body in order: paragraphs (with headings, page breaks) and tables, inside content controls too
    pages: list[list[str]] = [[]]
    heading_marks: list[tuple[int, int, str]] = []  # (page, line index, text)
    for child in _blocks(document.element.body):
        if child.tag == f"{_W}p":
            style = child.find(f"{_W}pPr/{_W}pStyle")
            style_id = style.get(f"{_W}val") if style is not None else ""
            if pages[-1] and any(br.get(f"{_W}type") == "page" for br in child.iter(f"{_W}br")):
                pages.append([])
            text = _paragraph_text(child).strip()
            if not text:
                continue
            if re.match(r"(?i)^(heading|title)\s*[12]?$|^標題\s*[12]?$", style_id or "") or is_heading(text):
                heading_marks.append((len(pages) - 1, len(pages[-1]), text))
            pages[-1].append(text)
        else:
            pages[-1].extend(_table_lines(child))
    pages = [p for p in pages if p] or [[]]
    if not any(pages[0]) and len(pages) == 1:
        raise ExtractionError(Reason.NO_TEXT, "the DOCX body holds no text")
    if len(heading_marks) >= config.min_headings:
        segments = _split_on_marks(pages, heading_marks)
    else:
        segments = [
            Segment(f"page={i + 1}", "\n".join(lines), title, {"page": i + 1}) for i, lines in enumerate(pages) if lines
        ]
    return ExtractedDocument("docx", segments, pages=len(pages), title=title)


def _core_title(document) -> str | None:
    """The title the file's own core properties give; none without them (python-docx would invent "Word Document")."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    try:
        core = document.part.package.part_related_by(RELATIONSHIP_TYPE.CORE_PROPERTIES)
    except KeyError:  # the file has no core properties part
        return None
    return core.core_properties.title or None


#: containers whose children are body content: content controls (``w:sdt``) and custom XML
_WRAPPERS = (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml")
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
#: run content that the accepted view of tracked changes drops (the origin of a move; deleted runs), and the copy of a
#: text box Word writes for readers without DrawingML (``mc:Fallback``, VML) beside the one it shows (``mc:Choice``):
#: read both, every text box's text was in the record twice
_DROPPED = (f"{_W}moveFrom", f"{_W}del", f"{_MC}Fallback")


def _blocks(parent):
    """Paragraphs and tables of ``parent`` in order, looking inside content controls and custom XML."""
    for child in parent.iterchildren():
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag in _WRAPPERS:
            yield from _blocks(child)


def _paragraph_text(p) -> str:
    """A paragraph's text as Word shows it with changes accepted: no moved-away or deleted runs, no hidden text."""
    out = []
    for t in p.iter(f"{_W}t"):
        run = t.getparent()
        if _hidden(run) or any(a.tag in _DROPPED for a in t.iterancestors() if a is not p):
            continue
        out.append(t.text or "")
    return "".join(out)


def _hidden(run) -> bool:
    vanish = run.find(f"{_W}rPr/{_W}vanish") if run is not None else None
    return vanish is not None and vanish.get(f"{_W}val") not in ("0", "false", "off")


def _table_lines(tbl) -> list[str]:
    """One line per row (cells joined by tabs); a table nested in a cell is read once, inside that cell."""
    lines = []
    for row in _rows(tbl):
        cells = [_cell_text(tc) for tc in _cells(row)]
        line = "\t".join(c for c in cells if c)
        if line:
            lines.append(line)
    return lines


def _rows(tbl):
    for child in tbl.iterchildren():
        if child.tag == f"{_W}tr":
            yield child
        elif child.tag in _WRAPPERS:
            yield from _rows(child)


def _cells(row):
    for child in row.iterchildren():
        if child.tag == f"{_W}tc":
            yield child
        elif child.tag in _WRAPPERS:
            yield from _cells(child)


def _cell_text(tc) -> str:
    parts = []
    for block in _blocks(tc):
        text = _paragraph_text(block) if block.tag == f"{_W}p" else " ".join(_table_lines(block))
        if text.strip():
            parts.append(text.strip())
    return " ".join(parts)


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
# EPUB


def extract_epub(path: Path, config: ExtractConfig) -> ExtractedDocument:
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
        spine, skipped = _spine(manifest, [ref.get("idref") for ref in opf.iterfind(".//{*}spine/{*}itemref")])
        title_el = opf.find(".//{*}metadata/{*}title")
        book_title = title_el.text.strip() if title_el is not None and title_el.text else None
        segments: list[Segment] = []
        extracted = 0
        for n, href in enumerate(h for h in spine if h):
            name = _member_name(zf, base, href)
            if any(seg.fragment == f"chapter={name}" for seg in segments):
                continue  # a chapter the spine lists again is one chapter (one record)
            chapter_title, blocks = html_blocks(_read_member(zf, name, config))
            if not blocks:
                continue
            extracted += sum(len(t) for _, t in blocks)
            if extracted > config.max_extracted_chars:  # counted, not declared: the spine can repeat a member
                raise ExtractionError(
                    Reason.ZIP_BOMB,
                    f"extracted text passes {config.max_extracted_chars} characters at spine item {n + 1} ({name})",
                )
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
    return ExtractedDocument("epub", segments, title=book_title, skipped=skipped)


def _member_name(zf: zipfile.ZipFile, base: PurePosixPath, href: str) -> str:
    """The ZIP member a package item's ``href`` names, relative to the package file's folder ``base``.

    An href is a URL: EPUB tools percent-encode a space or a Chinese file name (``text/%E7%AC%AC1%E7%AB%A0.xhtml``
    for ``text/第1章.xhtml``) and may climb out of the package folder (``../Text/c1.xhtml``); read as a member name as
    it stands, such a valid book was quarantined whole as corrupt. The name as written is kept where the ZIP holds
    it (the chapter's locator is unchanged), else the decoded, normalised one.
    """
    name = str(base / href) if str(base) not in ("", ".") else href
    if name in zf.NameToInfo:
        return name
    path = unquote(href.split("#", 1)[0])
    decoded = posixpath.normpath(posixpath.join(str(base), path) if str(base) not in ("", ".") else path)
    return decoded if decoded in zf.NameToInfo else name


def _spine(manifest: dict, idrefs: list) -> tuple[list[str], list[tuple[str, str]]]:
    """The spine's files and the items naming no file."""
    hrefs, skipped = [], []
    for n, ref in enumerate(idrefs, start=1):
        href = manifest.get(ref)
        if href is None:
            skipped.append((f"spine={n}", Reason.BROKEN_SPINE))
        else:
            hrefs.append(href)
    return hrefs, skipped
