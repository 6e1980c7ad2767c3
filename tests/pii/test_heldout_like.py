"""Floors on a hand-written held-out-like set (``tests/pii/heldout_like.txt``, review 9): text of the kind the
maintainers' held-back set holds but written apart from the dev set, so a change that loses recall or precision on
unseen text fails here, not only one that loses it on the dev set. Scored as the shared scorer does (a prediction hits
a gold span when it covers at least half of it; untyped). Measured when written: PERSON recall 77/78, structured
recall 41/41, untyped precision 118/119 (before the fixes of review 9: PERSON 64/78, precision 105/112)."""

import re
from collections import Counter
from pathlib import Path

import pytest

from curate.pii.engine import STRUCTURED_TYPES, PiiDetector

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
}
MARK = re.compile(r"\[\[(\w+)\|([^\]]+)\]\]")
#: types the shared scorer ignores
IGNORED = {"TW_UBN", "ORG", "ORGANIZATION", "GPE", "LOC", "DATE_TIME", "MONEY", "LAW_REF"}


def _items() -> list[tuple[str, list[tuple[int, int, str]]]]:
    out = []
    for line in (Path(__file__).parent / "heldout_like.txt").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        text, spans, pos = "", [], 0
        for m in MARK.finditer(line):
            text += line[pos : m.start()]
            spans.append((len(text), len(text) + len(m.group(2)), TYPES[m.group(1)]))
            text += m.group(2)
            pos = m.end()
        out.append((text + line[pos:], spans))
    return out


def _hits(s: int, e: int, ps: int, pe: int) -> bool:
    return min(e, pe) - max(s, ps) >= 0.5 * (e - s)


@pytest.fixture(scope="module")
def scores():
    det = PiiDetector()
    gold, found, pred, true_pred = Counter(), Counter(), 0, 0
    for text, spans in _items():
        spans_p = [p for p in det.analyze(text) if p.entity_type not in IGNORED]
        for s, e, t in spans:
            gold[t] += 1
            found[t] += any(_hits(s, e, p.start, p.end) for p in spans_p)
        pred += len(spans_p)
        true_pred += sum(any(_hits(s, e, p.start, p.end) for s, e, _ in spans) for p in spans_p)
    structured = [t for t in gold if t in STRUCTURED_TYPES]
    return {
        "items": len(_items()),
        "r_PERSON": found["PERSON"] / gold["PERSON"],
        "r_structured": sum(found[t] for t in structured) / sum(gold[t] for t in structured),
        "r_TW_ADDRESS": found["TW_ADDRESS"] / gold["TW_ADDRESS"],
        "untyped_r": sum(found.values()) / sum(gold.values()),
        "untyped_p": true_pred / pred,
    }


def test_the_set_is_large_and_varied():
    items = _items()
    assert len(items) >= 80
    assert sum(not spans for _, spans in items) >= 15  # decoy-only items
    assert {t for _, spans in items for _, _, t in spans} == set(TYPES.values())


@pytest.mark.parametrize(
    ("key", "floor"),
    [("r_PERSON", 0.95), ("r_structured", 0.97), ("r_TW_ADDRESS", 0.83), ("untyped_r", 0.96), ("untyped_p", 0.97)],
)
def test_floor(scores, key, floor):
    assert scores[key] >= floor, scores
