"""Labelled values as the PII stage reads them after hygiene (the recommended order, demo/pipeline.toml), and the
round-12 mixed-name rule beside a label (integration review 12)."""

import pytest

from curate.pii.engine import PiiDetector
from curate.stages.hygiene import clean


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


def _found(det, text):
    return [(text[s.start : s.end], s.entity_type) for s in det.analyze(text)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a Latin value's cell end: hygiene makes the tab before the next cell's Han label a space
        ("員工姓名|TRAN MINH DUC\t到職日\t2020/01/01", "TRAN MINH DUC"),
        ("英文姓名\nLin Chia-Hui\t備註\t無", "Lin Chia-Hui"),
        # a label's cell start: hygiene makes the tab after a cell of digits or Latin letters a space
        ("出生年月日\t0720819\t員工姓名 | TRAN MINH DUC\t生日|1988/04/12", "TRAN MINH DUC"),
        ("卡號 | 4111 1111 1111 1111\t英文姓名 | Lin Chia-Hui", "Lin Chia-Hui"),
    ],
)
def test_a_form_cell_hygiene_made_a_space_still_holds_its_labelled_name(det, text, name):
    assert (name, "PERSON") in _found(det, text)
    joined = clean(text)[0]
    assert (name, "PERSON") in _found(det, joined), joined


@pytest.mark.parametrize("text", ["聯絡人：Kevin 黃，電話", "聯絡人\tKevin 黃\t備註"])
def test_a_label_before_an_english_given_name_and_a_surname_masks_both(det, text):
    """The label read `Kevin` alone and, scored higher than the mixed-name rule's `Kevin 黃`, hid it: 黃 stayed."""
    assert _found(det, text) == [("Kevin 黃", "PERSON")]


@pytest.mark.parametrize("text", ["聯絡人：Kevin 黃金存摺", "第3條 姓名\nABC Co"])
def test_no_wider_value_where_no_name_is(det, text):
    assert ("Kevin 黃", "PERSON") not in _found(det, text) and ("ABC Co", "PERSON") not in _found(det, text)


@pytest.mark.parametrize(
    "text",
    [
        "第5條 申請書應載明姓名 Personal Data Protection Act 之規定。",
        "教科書第三章 記載姓名 Personal Information Protection 原則",
        "金融機構應核對其姓名 Anti Money Laundering 之規定辦理",
        "其英文姓名 Romanization System 依外交部規定",
    ],
)
def test_english_prose_after_a_name_head_in_running_text_is_no_name(det, text):
    """Integration review 12-r: the Latin-name rule read any capitalised words after 姓名/戶名 and one space as a
    name (b4707a1, for a form's cell that hygiene joined), so a bilingual statute's English title was scrubbed."""
    for t in (text, clean(text)[0]):
        assert [f for f in _found(det, t) if f[1] == "PERSON"] == [], t


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("員工姓名 TRAN MINH DUC 到職日 2020/01/01", "TRAN MINH DUC"),
        ("編號 A12 英文姓名 Lin Chia-Hui\n", "Lin Chia-Hui"),
        ("帳戶戶名 Lee Mei Hua|備註", "Lee Mei Hua"),
        ("申請人英文姓名 Nguyen Thi Lan\n", "Nguyen Thi Lan"),
    ],
)
def test_a_form_cell_after_a_name_head_and_one_space_is_still_a_name(det, text, name):
    assert (name, "PERSON") in _found(det, text)
