"""A value read 非個資 in one span and marked personal data (漏標, 正確) elsewhere in the same annotation is a conflict:
the allow-list works per value, so restoring it in one span lets it through in the whole source. Since review 11
hygiene keeps a tab or U+3000 between CJK characters, so the masked span's value (受處分人：石　家銘) and the region a
reviewer marked (查石家銘) may spell the same name differently; compared as strings, the 非個資 reading won and the name
was allow-listed (integration review of round 11: 8ac5eb8 made the 漏標 masking spacing-blind, not this check)."""

import pytest

from annotation.decide import _value_conflicts
from annotation.review import Review

TEXT = "受處分人：〔姓名〕\n查石家銘未依規定辦理。"


@pytest.mark.parametrize(("shown", "marked"), [("石\u3000家銘", "石家銘"), ("石家銘", "石\t家銘")])
def test_a_value_marked_elsewhere_spaced_otherwise_is_a_conflict(shown, marked):
    text = TEXT.replace("石家銘", marked)
    start = text.index(marked)
    review = Review(
        not_pii=[{"index": 0, "start": 5, "end": 9}],
        added=[{"start": start, "end": start + len(marked), "type": "姓名"}],
    )
    _value_conflicts(text, review, [("PERSON", shown)])
    assert review.not_pii == [] and [s["index"] for s in review.conflicts] == [0]


def test_a_value_confirmed_in_another_span_spaced_otherwise_is_a_conflict():
    review = Review(not_pii=[{"index": 0, "start": 0, "end": 4}], confirmed=[{"index": 1, "start": 5, "end": 9}])
    _value_conflicts("x", review, [("PERSON", "石\u3000家銘"), ("PERSON", "石家銘")])
    assert review.not_pii == []


def test_other_values_stay_not_pii():
    review = Review(not_pii=[{"index": 0, "start": 0, "end": 2}], confirmed=[{"index": 1, "start": 5, "end": 9}])
    _value_conflicts("x", review, [("PERSON", "王小"), ("PERSON", "王小明")])  # equal values only, as before
    assert [s["index"] for s in review.not_pii] == [0]
