"""Review 13: the cell after a name label in a table's header row, or a chat turn after a role label, was read as a
person's name and scrubbed (``戶名\\t存款帳號``, ``姓名\\tFull Name``, ``客戶：身分證是…``, ``客戶：民國68年…``);
a value that opens or ends with a field's word names a field (curate/pii/field_words.py)."""

import pytest

from curate.pii.engine import PiiDetector


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("戶名\t存款帳號\t開戶分行", "存款帳號"),
        ("員工編號\t姓名\t分機", "分機"),
        ("姓名\tFull Name", "Full Name"),
        ("14:05 客戶：身分證是V123370291喔", "身分證是"),
        ("[10:34] 客戶：民國68年11月2日", "民國"),
    ],
)
def test_a_field_name_is_no_person(det, text, word):
    assert word not in [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"]


@pytest.mark.parametrize(("text", "name"), [("戶名\t廖振宏\t開戶分行", "廖振宏"), ("姓名：林大同 性別：男", "林大同")])
def test_a_name_there_is_still_one(det, text, name):
    assert name in [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"]


@pytest.mark.parametrize("text", ["姓名：王民國", "借款人：李民國"])
def test_a_given_name_ending_in_minguo_is_still_a_labelled_name(text):
    """民國 opens a field's value (民國68年), and ends given names (王民國): the label rule reads it, so the stage
    carries the name across the source."""
    from curate.pii.labels import labelled_spans

    assert [sp[2] for sp in labelled_spans(text)] == ["PERSON"]


@pytest.mark.parametrize(
    "text",
    [
        "客服：還有其他問題嗎？\n客戶：沒有",
        "客服：還有其他問題嗎？\n客戶：沒有問題，謝謝",
        "[10:05] 客戶：好的，謝謝",
        "客戶：不用了",
        "申請人：沒有",
    ],
)
def test_a_reply_after_a_role_s_tag_is_no_person(det, text):
    """Review 14: a turn's reply after a speaker's tag (客戶：沒有) was read as the customer's name and propagated
    across the source (every 沒有 of it scrubbed)."""
    assert not [s for s in det.analyze(text) if s.entity_type == "PERSON"], det.analyze(text)


@pytest.mark.parametrize(
    ("text", "name"), [("客服：請問大名？\n客戶：謝明輝", "謝明輝"), ("客戶：沒有，我叫王小明", "王小明")]
)
def test_a_name_in_a_turn_is_still_one(det, text, name):
    assert name in [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"]


@pytest.mark.parametrize(
    "reply",
    ["沒錯", "不知道", "不清楚", "好吧", "對呀", "是啊", "有的", "再見", "拜拜", "還有一個問題", "謝謝", "感謝"],
)
def test_a_common_reply_after_a_customer_s_tag_is_no_person(det, reply):
    """Review of the fixes 14: REPLY_OPENERS listed 沒有 and a few more, and a reply as common (客戶：沒錯, 客戶：不知道)
    was still the customer's name, propagated across the source; 客戶：謝謝 lost its labelled span but the name
    recognizer still read 謝謝 (謝 a surname) after the role word."""
    text = f"客服：還有其他問題嗎？\n客戶：{reply}"
    assert not [s for s in det.analyze(text) if s.entity_type == "PERSON"], det.analyze(text)
