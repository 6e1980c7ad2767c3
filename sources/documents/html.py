"""HTML extraction with BeautifulSoup (MIT) + lxml: block elements in order, boilerplate removed."""

from __future__ import annotations

import re
from pathlib import Path

from sources.documents.cleanup import is_heading, join_broken_lines
from sources.documents.model import ExtractConfig, ExtractedDocument, ExtractionError, Reason, Segment
from sources.documents.text import decode_declared

__all__ = ["extract_html", "html_blocks"]

#: elements that start and end a block of text: the block-level, list, table and heading elements of the HTML
#: rendering rules (what html2text and inscriptis break lines on); every other element is inline
BLOCK_TAGS = frozenset(
    "html body address article aside blockquote caption center dd details dialog dir div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend li listing main menu nav ol p plaintext pre "
    "search section summary table tbody td tfoot th thead tr ul xmp".split()
)
#: elements whose text is never read: those the HTML rendering rules do not display (``display: none`` in every
#: browser, ``noscript`` included), embedded fallbacks, and page furniture (navigation, header, footer, sidebar, form)
SKIPPED_TAGS = frozenset(
    "area base basefont datalist head iframe link meta noembed noframes noscript param rp script style template "
    "title nav header footer aside form".split()
)
#: a prolog whose DOCTYPE holds an internal DTD subset (XHTML, EPUB chapters): an HTML parser ends the DOCTYPE
#: at its first ``>`` and reads the rest of the subset (``]>``) as text. The subset is read as XML reads it: its
#: quoted literals (an entity value ``"見]>附註"``), comments and processing instructions may hold ``]>``, which does
#: not end it; the loop is possessive, so a subset that never ends is left to the parser in linear time
_DTD_SUBSET = r"""<!DOCTYPE[^\[>]*\[(?:"[^"]*"|'[^']*'|<!--.*?-->|<\?.*?\?>|[^\]"'<]|<(?!!--|\?))*+\]\s*>"""
_DTD_SUBSET_TEXT = re.compile(r"\A(\ufeff?\s*(?:<\?xml[^>]*\?>)?\s*)" + _DTD_SUBSET, re.I | re.S)
_DTD_SUBSET_BYTES = re.compile(rb"\A((?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>)?\s*)" + _DTD_SUBSET.encode(), re.I | re.S)


def html_blocks(markup: bytes | str) -> tuple[str | None, list[tuple[str, str]]]:
    """(title, [(tag, text)]): the text a browser shows, in document order, one entry per block.

    Every text node is read once, inside the innermost block element that holds it (``tag``): text
    directly in a ``div`` or ``body`` beside nested blocks is a block of its own, and a block nested in
    another (a ``p`` in a ``td``, a list in an ``li``) ends the text before it. :data:`SKIPPED_TAGS` are
    left out with everything inside them. Text a page hides until the reader asks for it (the ``hidden``
    attribute, ``hidden="until-found"``, an inline ``display: none`` or ``visibility: hidden``: FAQ answers,
    tab panels, accordions a script opens) is read: it is the page's content, not hidden DOCX runs, and
    dropping it would lose text silently. The walk is iterative and visits each node once, so time is linear
    in the page, however deeply it nests.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_without_dtd_subset(markup), "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    return title, _walk(soup.body or soup)


def _without_dtd_subset(markup: bytes | str) -> bytes | str:
    """The markup without its prolog's internal DTD subset (never expanded: its entities stay literal)."""
    if isinstance(markup, bytes):
        return _DTD_SUBSET_BYTES.sub(rb"\1", markup, count=1)
    return _DTD_SUBSET_TEXT.sub(r"\1", markup, count=1)


def _walk(root) -> list[tuple[str, str]]:
    from bs4 import CData, NavigableString, Tag

    blocks = _Blocks(root.name)
    stack: list = [root]
    while stack:
        node = stack.pop()
        if node is _END:
            blocks.close()
        elif isinstance(node, Tag):
            if node.name == "br":
                blocks.add("\n")
            elif node.name not in SKIPPED_TAGS:
                if node.name in BLOCK_TAGS and node is not root:
                    blocks.open(node.name)
                    stack.append(_END)
                stack.extend(reversed(node.contents))
        elif type(node) in (NavigableString, CData):  # text as get_text reads it: no comments, no ruby annotations
            blocks.add(str(node))
    blocks.close()
    return blocks.done


#: the end of a block element, on the walk's stack after the element's children
_END = object()


class _Blocks:
    """Text gathered in the innermost open block; each block's start and end ends the text before it."""

    def __init__(self, root: str) -> None:
        self.open_tags = [root]
        self.parts: list[str] = []
        self.done: list[tuple[str, str]] = []

    def add(self, text: str) -> None:
        self.parts.append(text)

    def open(self, tag: str) -> None:
        self._flush()
        self.open_tags.append(tag)

    def close(self) -> None:
        self._flush()
        if len(self.open_tags) > 1:
            self.open_tags.pop()

    def _flush(self) -> None:
        text = join_broken_lines("".join(self.parts).splitlines()).strip()
        self.parts = []
        if text:
            self.done.append((self.open_tags[-1], text))


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
    markup, encoding = decode_declared(data, _html_declared_encoding(data))
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
