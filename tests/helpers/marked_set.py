"""Hand-written PII sets with inline gold marks (``tests/pii/heldout_like*.txt``), scored as the shared scorer
does: a prediction hits a gold span when it covers at least half of it; untyped."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

TYPES = {
    "P": "PERSON",
    "ID": "TW_NATIONAL_ID",
    "ARC": "TW_RESIDENT_ID",
    "TEL": "TW_PHONE",
    "MAIL": "EMAIL_ADDRESS",
    "CARD": "CREDIT_CARD",
    "ACCT": "TW_BANK_ACCOUNT",
    "PP": "TW_PASSPORT",
    "ADDR": "TW_ADDRESS",
    "DOB": "DATE_OF_BIRTH",
    "NHI": "TW_NHI_CARD",
}
MARK = re.compile(r"\[\[(\w+)\|([^\]]+)\]\]")
#: types the shared scorer ignores
IGNORED = {"TW_UBN", "ORG", "ORGANIZATION", "GPE", "LOC", "DATE_TIME", "MONEY", "LAW_REF"}


def _marked(line: str) -> tuple[str, list[tuple[int, int, str]]]:
    """One item's text without the marks, and its gold spans (start, end, entity type)."""
    text, spans, pos = "", [], 0
    for m in MARK.finditer(line):
        text += line[pos : m.start()]
        spans.append((len(text), len(text) + len(m.group(2)), TYPES[m.group(1)]))
        text += m.group(2)
        pos = m.end()
    return text + line[pos:], spans


def _read(path: Path, decode) -> list[tuple[str, list[tuple[int, int, str]]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [_marked(decode(line)) for line in lines if line and not line.startswith("#")]


def items(path: Path) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Each item of the set: its text without the marks, and its gold spans (start, end, entity type).

    An item is one line; ``\\n`` in it stands for a line break inside the item (a name split across lines).
    """
    return _read(path, lambda line: line.replace("\\n", "\n"))


def _hits(s: int, e: int, ps: int, pe: int) -> bool:
    return min(e, pe) - max(s, ps) >= 0.5 * (e - s)


def score(det, path: Path) -> tuple[Counter, Counter, Counter, Counter]:
    """Per entity type: gold spans, gold spans found, predicted spans, predicted spans hitting a gold span."""
    return score_items(det, items(path))


_ESCAPE = re.compile(r"\\(n|t|r|u[0-9a-f]{4})")


def _unescape(m: re.Match[str]) -> str:
    code = m.group(1)
    return {"n": "\n", "t": "\t", "r": "\r"}.get(code) or chr(int(code[1:], 16))


def escaped_items(path: Path) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """As :func:`items`, each line's ``\\n``, ``\\t``, ``\\r`` and ``\\uXXXX`` escapes decoded first (a table's
    cells, a chat log's lines, a form's ideographic spaces)."""
    return _read(path, lambda line: _ESCAPE.sub(_unescape, line))


def score_items(det, its) -> tuple[Counter, Counter, Counter, Counter]:
    """:func:`score` of items already read."""
    gold, found, pred, true_pred = Counter(), Counter(), Counter(), Counter()
    for text, spans in its:
        spans_p = [p for p in det.analyze(text) if p.entity_type not in IGNORED]
        for s, e, t in spans:
            gold[t] += 1
            found[t] += any(_hits(s, e, p.start, p.end) for p in spans_p)
        for p in spans_p:
            pred[p.entity_type] += 1
            true_pred[p.entity_type] += any(_hits(s, e, p.start, p.end) for s, e, _ in spans)
    return gold, found, pred, true_pred
