"""Review 13: a form's remark between a label and its colon (``英文姓名（同護照）：``, ``Full Name (as in
passport):``) and English labels naming a person's name in other words (``Name of beneficiary:``, ``Name in
English:``, ``Contact person:``) let the name after them through."""

import pytest

from curate.pii.engine import PiiDetector


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("英文姓名（同護照）：HUANG SHU-FEN", "HUANG SHU-FEN"),
        ("持卡人英文姓名（凸印於卡面）：TSENG YU-CHEN", "TSENG YU-CHEN"),
        ("Full Name (as in passport): KAO, HSIN-YI", "KAO, HSIN-YI"),
        ("戶名（英文）：HSIEH JIA-YING", "HSIEH JIA-YING"),
        ("Name of beneficiary: LIN YU-TING", "LIN YU-TING"),
        ("Name in English: Lu Chien-Hung", "Lu Chien-Hung"),
        ("Contact person: Yang Tsung-Han (Tel: 02-2511-7309)", "Yang Tsung-Han"),
        ("Name (as shown on ID card): Chang Ya-Ting", "Chang Ya-Ting"),  # English remarks run longer
        ("Name (as it appears in your passport): KAO HSIN-YI", "KAO HSIN-YI"),
    ],
)
def test_the_name_after_the_label_is_found(det, text, name):
    spans = [(text[s.start : s.end], s.entity_type) for s in det.analyze(text)]
    assert (name, "PERSON") in spans, spans


@pytest.mark.parametrize(
    "text",
    [
        "Name of bank: Taiwan Cooperative Bank",
        "Name of product: Platinum Card",
        "Name in use: Yes",
        "商品名稱（英文）：Visa Platinum",
    ],
)
def test_no_person_after_a_label_naming_a_thing(det, text):
    assert [s for s in det.analyze(text) if s.entity_type == "PERSON"] == []
