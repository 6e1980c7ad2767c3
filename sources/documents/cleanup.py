"""Text clean-up shared by the extractors: line joining, running headers/footers, page numbers, headings.

Line joining never inserts a space between CJK characters; headings (``第一章``, ``Chapter 3``) split
paged text into sections with page ranges.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence

from sources.documents.model import ExtractConfig, Segment

__all__ = ["is_heading", "join_broken_lines", "remove_headers_footers", "split_paged"]

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


def _is_cjk(ch: str) -> bool:
    return _CJK_RE.match(ch) is not None


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
            or is_heading(prev_line)
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


def is_heading(line: str) -> bool:
    """A chapter/section heading line: short, numbered, not a sentence.

    >>> is_heading("第一章　總則"), is_heading("第二章續前。"), is_heading("Chapter 3 Risk")
    (True, False, True)
    """
    line = line.strip()
    return 0 < len(line) <= 60 and _HEADING.match(line) is not None and line[-1] not in "。！？；，、：.!?;,:"


def split_paged(path_title: str | None, pages: list[list[str]], config: ExtractConfig) -> list[Segment]:
    """Sections with page ranges when headings are found, else one segment per page."""
    headings = [(p, i) for p, lines in enumerate(pages) for i, ln in enumerate(lines) if is_heading(ln)]
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
