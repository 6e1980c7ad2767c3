"""An eighth held-out-like set (``heldout_like_forms13_review.txt``, 104 items: 40 with 53 values, 64 negatives),
written blind in the review of review 13's rules, before reading their set: the new kinds of values (OCR'd IDs and
phones, tables under headers, persons' English addresses, labels with a remark) and the bank text the new rules
could over-scrub (rate and product tables with a Name column, model numbers and formulas with O and l beside digits,
English addresses of branches and companies, a branch directory, institutions' fax lines).

When written: main (2711605) 30/53 found, 30/38 precise, 4 negatives with a span; rv13-pii 52/53, 52/64, 8 (a
branch directory's addresses, companies under a Name header, companies' English addresses); rv13-pii-r 53/53,
53/55, 2 (an institution's fax number with Head Office or Customer Service Dept. after it, as on main)."""

from pathlib import Path

import pytest

from curate.pii.engine import PiiDetector
from tests.helpers.marked_set import escaped_items, score_items

SET = Path(__file__).parent / "heldout_like_forms13_review.txt"


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


@pytest.fixture(scope="module")
def counts(det):
    return score_items(det, escaped_items(SET))


def test_the_set_is_what_it_says():
    its = escaped_items(SET)
    assert len(its) >= 100 and sum(not s for _, s in its) >= 60


def test_recall_and_precision(counts):
    gold, found, pred, true_pred = counts
    assert sum(found.values()) / sum(gold.values()) >= 0.98, (found, gold)
    assert sum(true_pred.values()) / sum(pred.values()) >= 0.95, (true_pred, pred)


def test_negatives_stay_clean(det):
    dirty = [t for t, s in escaped_items(SET) if not s and det.analyze(t)]
    assert len(dirty) <= 2, dirty
