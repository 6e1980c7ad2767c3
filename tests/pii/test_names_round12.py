"""Review 12's name rules, each found missing by the held-out-like set ``heldout_like_names2.txt``: a name after a
time and a space (chat and call logs), a name before a dictionary verb at a sentence's start."""

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


@pytest.mark.parametrize(
    ("text", "name"),
    [("方建國回覆將於月底前補件。", "方建國"), ("藍正雄否認曾經提領該筆款項。", "藍正雄")],
)
def test_a_name_ends_before_a_dictionary_verb(det, text, name):
    assert name in _names(det, text)


@pytest.mark.parametrize(
    "text",
    [
        "萬泰商業銀行已與台新銀行合併。",  # a one-character given name has no such end (萬泰|商業)
        "本行於金門、馬祖設有服務據點。",
        "高鐵左營站旁設有自動櫃員機。",  # the surname and the next character are a word (高鐵, 簡訊)
        "客戶已收到簡訊驗證碼。",
    ],
)
def test_a_word_before_a_verb_is_no_name(det, text):
    assert _names(det, text) == []
