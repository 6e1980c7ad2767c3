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
