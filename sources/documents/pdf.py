"""PDF extraction with pypdf (BSD): text layer per page, headers/footers removed, sections by heading."""

from __future__ import annotations

import re
import struct
import unicodedata
import zlib
from pathlib import Path

from sources.documents.cleanup import remove_headers_footers, split_paged
from sources.documents.model import ExtractConfig, ExtractedDocument, ExtractionError, Reason

__all__ = ["extract_pdf"]


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


def extract_pdf(path: Path, data: bytes, config: ExtractConfig) -> ExtractedDocument:
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
        raw_pages, failed = _page_texts(reader, len(data), config, errors)
        meta_title = (reader.metadata or {}).get("/Title") if reader.metadata else None
    except FileNotDecryptedError as exc:
        raise ExtractionError(Reason.ENCRYPTED_PDF, str(exc)) from exc
    except errors as exc:
        raise ExtractionError(Reason.CORRUPT_PDF, f"{type(exc).__name__}: {exc}") from exc
    if not raw_pages:
        raise ExtractionError(Reason.CORRUPT_PDF, "no pages")
    raw_pages = ["" if _unmapped(t) else t for t in raw_pages]
    if failed and not any(t.strip() for t in raw_pages):  # damaged, the rest without text: not a file for OCR alone
        n, exc = next(iter(failed.items()))
        raise ExtractionError(
            Reason.CORRUPT_PDF,
            f"page {n}: {type(exc).__name__}: {exc} ({len(failed)} of {len(raw_pages)} pages damaged, none has text)",
        )
    if not any(t.strip() for t in raw_pages):
        raise ExtractionError(
            Reason.NEEDS_OCR, f"none of {len(raw_pages)} pages has a text layer (or glyphs that map to characters)"
        )
    skipped = [
        (f"page={i + 1}", Reason.CORRUPT_PDF if i + 1 in failed else Reason.NEEDS_OCR)
        for i, t in enumerate(raw_pages)
        if not t.strip()
    ]
    pages = remove_headers_footers([_nfc(t).splitlines() for t in raw_pages], config)
    title = str(meta_title) if meta_title else None
    return ExtractedDocument(
        "pdf", split_paged(title, pages, config), pages=len(raw_pages), title=title, skipped=skipped
    )


def _page_texts(reader, file_bytes: int, config: ExtractConfig, errors: tuple) -> tuple[list[str], dict]:
    """Each page's text and the pages pypdf failed on, with the error (``errors``: their text is empty, and the file is kept without
    them, quarantined by page; one damaged page quarantined the whole book); a file whose every page fails raises the
    first page's error. Refused as a bomb before pypdf parses more content than the file can honestly hold.

    pypdf parses a page's content streams at a few MB a second and caps each stream only at 75 MB: a 17 KB file whose
    pages all draw one stream of 4 MB of text operators held the ingest for hours. The decoded content of every page
    is counted (a stream drawn by many pages once per page), with the form XObjects it draws (:func:`_drawn`: the same
    bomb moved into a form each page draws with ``/Fm0 Do`` was not counted), before the page is read, and refused past
    :data:`~sources.capped.MAX_RATIO` times the file's size (above 1 MiB) or ``max_uncompressed_bytes``, as a ZIP
    member is; the extracted text is counted too, against ``max_extracted_chars``.
    """
    from sources.capped import MAX_RATIO

    limit = min(config.max_uncompressed_bytes, max(file_bytes * MAX_RATIO, 1 << 20))
    content = chars = 0
    texts: list[str] = []
    failed: dict[int, BaseException] = {}
    forms: dict = {}  # a form XObject's drawn bytes, by object: pages share their forms
    for n, page in enumerate(reader.pages, start=1):
        try:
            stream = page.get_contents()
            data = stream.get_data() if stream is not None else b""
            resources = page.get_inherited("/Resources") if hasattr(page, "get_inherited") else page.get("/Resources")
            content += _drawn(data, resources, limit - content + 1, forms)
        except _limit_error() as exc:  # pypdf's own cap on one stream (75 MB): a bomb, not a damaged page
            raise ExtractionError(Reason.ZIP_BOMB, f"page {n}: {exc}") from exc
        except errors as exc:
            failed[n] = exc
            texts.append("")
            continue
        if content > limit:
            raise ExtractionError(
                Reason.ZIP_BOMB,
                f"PDF content streams uncompress past {limit} bytes at page {n} ({file_bytes} bytes on disk)",
            )
        try:
            text = page.extract_text() or ""
        except errors as exc:
            failed[n], text = exc, ""
        chars += len(text)
        if chars > config.max_extracted_chars:
            raise ExtractionError(
                Reason.ZIP_BOMB, f"extracted text passes {config.max_extracted_chars} characters at page {n}"
            )
        texts.append(text)
    if texts and len(failed) == len(texts):
        raise failed[1]
    return texts, failed


#: ``/Name Do``: a content stream drawing an XObject (a name's delimiters per ISO 32000-1, 7.2.2)
_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do(?![^\s/\[\]()<>{}%])")


def _limit_error() -> tuple[type[BaseException], ...]:
    """pypdf's error for a stream past its own cap (pypdf 6 on; the project accepts pypdf 5, which has none)."""
    import pypdf.errors

    error = getattr(pypdf.errors, "LimitReachedError", None)
    return (error,) if error is not None else ()


def _drawn(data: bytes, resources, budget: int, forms: dict, drawing: frozenset = frozenset()) -> int:
    """The bytes pypdf parses to read a content stream ``data``: its own, and each form XObject's it draws (``Do``) from
    ``resources``, as often as it draws it, with the forms that form draws in turn (from its own resources; a form
    drawing itself is skipped, as pypdf does). Stops past ``budget``: forms nest (one drawing another twice, twenty
    deep, is a million draws). Form costs are kept in ``forms`` (by object, for the pages that share them).
    """
    from pypdf.generic import IndirectObject

    total = len(data)
    resources = resources.get_object() if resources is not None else None
    xobjects = resources.get("/XObject") if isinstance(resources, dict) else None
    xobjects = xobjects.get_object() if xobjects is not None else None
    if not isinstance(xobjects, dict):  # none, or malformed: pypdf draws no form from it either
        return total
    for match in _DO.finditer(data):
        if total > budget:
            break
        name = "/" + re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), match[1]).decode(
            "utf-8", "replace"
        )
        if name not in xobjects:
            continue
        ref = xobjects.raw_get(name)
        key = (ref.idnum, ref.generation) if isinstance(ref, IndirectObject) else id(ref)
        if key in drawing:
            continue
        if key not in forms:
            forms[key] = _form(ref.get_object(), budget - total, forms, drawing | {key})
        total += forms[key]
    return total


def _form(form, budget: int, forms: dict, drawing: frozenset) -> int:
    """The bytes pypdf parses to draw ``form``: none for an image, or a form without resources (pypdf reads no text
    from it) or whose stream pypdf cannot decode (it decides whether the page fails); past its own cap, a bomb."""
    if not hasattr(form, "get_data") or form.get("/Subtype") != "/Form" or not form.get("/Resources"):
        return 0
    try:
        data = form.get_data()
    except _limit_error():
        raise
    except Exception:  # noqa: BLE001 - a damaged form: pypdf's own reading of the page judges it
        return 0
    return _drawn(data, form.get("/Resources"), budget, forms, drawing)


def _unmapped(text: str) -> bool:
    """Whether a page's text is mostly U+FFFD: pypdf's character for a glyph its font maps to none (a font without a
    Unicode map, a damaged ``Tf``). Such a page was stored as a record of ``����``; it has no text layer that reads,
    so it is listed for OCR as a page without one is.

    >>> _unmapped("\ufffd" * 19), _unmapped("第一章\ufffd授信"), _unmapped("")
    (True, False, False)
    """
    letters = sum(not c.isspace() for c in text)
    return bool(letters) and text.count("\ufffd") * 2 >= letters


def _nfc(text: str) -> str:
    # pypdf may return CJK compatibility ideographs/radicals from some fonts; NFC keeps
    # the characters as drawn (NFKC would fold compatibility forms, which is a later stage).
    return unicodedata.normalize("NFC", text)
