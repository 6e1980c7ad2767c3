"""Review 12's name rules, each found missing by the held-out-like set ``heldout_like_names2.txt``: a name after a
time and a space (chat and call logs)."""

import pytest

from curate.pii.engine import PiiDetector


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


def _names(det, text):
    return [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("09:41 吳家豪：我剛剛轉了五萬過去", "吳家豪"),  # a chat log's time, a space, the speaker
        ("2024-05-02 16:47 李明哲 要求調高額度", "李明哲"),
        ("Case 12 吳家豪來電詢問", "吳家豪"),
    ],
)
def test_a_name_after_a_time_or_number_and_a_space(det, text, name):
    assert name in _names(det, text)
