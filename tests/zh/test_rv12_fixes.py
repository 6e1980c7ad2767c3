"""Review 12 (rv12-zh): defects found with the blind set ``heldout_like_v.jsonl``, one test each."""

from __future__ import annotations

import pytest

from curate.zh import normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("若干家银行联合发放贷款。", "若干家銀行聯合發放貸款。"),  # 放贷 -> 放款 inside 发放|贷款 gave 發放款款
        ("受理后五个工作日内发放贷款。", "受理後五個工作日內發放貸款。"),
        ("银行不得违规放贷。", "銀行不得違規放款。"),  # the entry as a word still fires
    ],
)
def test_a_term_does_not_fire_across_the_parts_of_a_longer_word(text, expected):
    """jieba's 发放贷款 is one word holding 放贷; the entry must read it as 发放 | 贷款, not rewrite 放贷 inside it."""
    assert normalise(text).text == expected
