"""A sixth held-out-like set (``heldout_like_struct_r.txt``, 44 items, 24 negatives), written by the second
reviewer of review 12 without reading the first one's set: values cut by a line break (LF, CR LF), in tab cells
and with U+00A0, 小老鼠 e-mails, labelled checksum-failing IDs and digit-only birth dates; negatives are numeric
tables one cell a line, statutes, FSC numbers, 0800 lines, and 發生日 dates. When written: main 12/22 found, 12/13
precise; rv12-piistruct 22/22, 22/26 (a table cell's tail over the next row as a landline, three 發生日 dates as
births); rv12-piistruct-r 22/22, 22/22."""

import re
from pathlib import Path

import pytest

from curate.pii.engine import PiiDetector
from tests.helpers.marked_set import IGNORED, MARK, TYPES, _hits

SET = Path(__file__).parent / "heldout_like_struct_r.txt"
_ESCAPE = re.compile(r"\\(n|t|r|u[0-9a-f]{4})")


def _unescape(m: re.Match[str]) -> str:
    code = m.group(1)
    return {"n": "\n", "t": "\t", "r": "\r"}.get(code) or chr(int(code[1:], 16))


def _items() -> list[tuple[str, list[tuple[int, int, str]]]]:
    """As :func:`tests.helpers.marked_set.items`, each line's escapes decoded after the split into items."""
    out = []
    for raw in SET.read_text(encoding="utf-8").splitlines():
        if not raw or raw.startswith("#"):
            continue
        line, text, spans, pos = _ESCAPE.sub(_unescape, raw), "", [], 0
        for m in MARK.finditer(line):
            text += line[pos : m.start()]
            spans.append((len(text), len(text) + len(m.group(2)), TYPES[m.group(1)]))
            text += m.group(2)
            pos = m.end()
        out.append((text + line[pos:], spans))
    return out


@pytest.fixture(scope="module")
def counts():
    det = PiiDetector()
    gold = found = pred = true_pred = 0
    for text, spans in _items():
        found_p = [p for p in det.analyze(text) if p.entity_type not in IGNORED]
        gold += len(spans)
        found += sum(any(_hits(s, e, p.start, p.end) for p in found_p) for s, e, _ in spans)
        pred += len(found_p)
        true_pred += sum(any(_hits(s, e, p.start, p.end) for s, e, _ in spans) for p in found_p)
    return gold, found, pred, true_pred


def test_the_set_holds_its_breaks():
    its = _items()
    assert len(its) >= 40 and sum(not s for _, s in its) >= 20
    assert sum("\n" in t[s:e] for t, spans in its for s, e, _ in spans) >= 4


def test_recall(counts):
    gold, found, _, _ = counts
    assert found / gold >= 0.95, (found, gold)


def test_no_span_on_a_negative(counts):
    _, _, pred, true_pred = counts
    assert true_pred == pred, (true_pred, pred)
