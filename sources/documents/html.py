"""HTML extraction with BeautifulSoup (MIT) + lxml: block elements in order, boilerplate removed."""

from __future__ import annotations

import re
from pathlib import Path

from sources.documents.cleanup import is_heading, join_broken_lines
from sources.documents.model import ExtractConfig, ExtractedDocument, ExtractionError, Reason, Segment
from sources.documents.text import decode_text

__all__ = ["extract_html", "html_blocks"]


def html_blocks(markup: bytes | str) -> tuple[str | None, list[tuple[str, str]]]:
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
    heads = [i for i, (tag, text) in enumerate(blocks) if tag in ("h1", "h2") or is_heading(text)]
    if len(heads) < config.min_headings:
        return [(None, [t for _, t in blocks])]
    out: list[tuple[str | None, list[str]]] = []
    if heads[0] > 0:
        out.append((None, [t for _, t in blocks[: heads[0]]]))
    for a, b in zip(heads, heads[1:] + [len(blocks)]):
        out.append((blocks[a][1], [t for _, t in blocks[a:b]]))
    return out


def extract_html(path: Path, data: bytes, config: ExtractConfig) -> ExtractedDocument:
    encoding = _html_declared_encoding(data)
    if encoding:
        try:
            markup = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            markup, encoding = decode_text(data)
    else:
        markup, encoding = decode_text(data)
    title, blocks = html_blocks(markup)
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
    return ExtractedDocument("html", segments, encoding=encoding, title=title)


def _html_declared_encoding(data: bytes) -> str | None:
    m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", data[:4096], re.IGNORECASE)
    return m.group(1).decode("ascii").lower() if m else None
