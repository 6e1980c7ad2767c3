"""Plain text: decoding (UTF-8, Big5/CP950, charset-normalizer), language guess, and the text extractor."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from sources.documents.cleanup import is_heading, join_broken_lines, remove_headers_footers, split_paged
from sources.documents.model import ExtractConfig, ExtractedDocument, ExtractionError, Reason, Segment

__all__ = ["decode_text", "detect_lang", "extract_text"]

# byte classes of UTF-8 for a fast language guess: lead bytes of U+3400..U+9FFF, and letters
_CJK_LEADS = bytes(range(0xE3, 0xEA))
_OTHER_LETTERS = bytes(range(0x41, 0x5B)) + bytes(range(0x61, 0x7B)) + bytes(range(0xC3, 0xE0))
_ALL_BYTES = bytes(range(256))
_DROP_NON_CJK = bytes(b for b in range(256) if b not in _CJK_LEADS)
_DROP_NON_OTHER = bytes(b for b in range(256) if b not in _OTHER_LETTERS)


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
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):  # before UTF-16: FF FE starts both
        raise ExtractionError(Reason.UNDECODABLE, "UTF-32 byte-order mark: convert the file to UTF-8")
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


def extract_text(path: Path, data: bytes, config: ExtractConfig) -> ExtractedDocument:
    text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:  # form feeds = pages
        pages = remove_headers_footers([pg.split("\n") for pg in text.split("\f")], config)
        return ExtractedDocument("text", split_paged(None, pages, config), encoding=encoding, pages=len(pages))
    lines = text.removesuffix("\n").split("\n")
    heads = [i for i, ln in enumerate(lines) if is_heading(ln)]
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
    return ExtractedDocument("text", segments, encoding=encoding)
