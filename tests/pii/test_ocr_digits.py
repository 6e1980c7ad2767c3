"""A scan's OCR reads 0 as O and 1 as l or I (review 13): such a value went through unscrubbed. The detection view
reads those letters as digits inside a run of digits (curate/pii/ocr_digits.py); words stay as written."""

import pytest

from curate.pii.engine import PiiDetector


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


@pytest.mark.parametrize(
    ("text", "value", "etype"),
    [
        ("身分證字號：N2O2593253（掃描件）", "N2O2593253", "TW_NATIONAL_ID"),
        ("手機：O912-4l7-630", "O912-4l7-630", "TW_PHONE"),
        ("統一證號 A82O377847", "A82O377847", "TW_RESIDENT_ID"),
        ("卡號：4563 5732 3355 29O7", "4563 5732 3355 29O7", "CREDIT_CARD"),
        ("帳號：0O41-2288-3017", "0O41-2288-3017", "TW_BANK_ACCOUNT"),
        ("電話 (O2)2345-6781", "(O2)2345-6781", "TW_PHONE"),
        ("出生日期：1981/O4/l6", "1981/O4/l6", "DATE_OF_BIRTH"),
        ("手機：O9l2345678", "O9l2345678", "TW_PHONE"),  # a mobile's O before 9 is no area letter
        ("統一證號 O9OOO12340", "O9OOO12340", "TW_RESIDENT_ID"),  # unless a checksum reads it as one
    ],
)
def test_an_ocr_value_is_found_whole(det, text, value, etype):
    spans = [(text[s.start : s.end], s.entity_type) for s in det.analyze(text)]
    assert (value, etype) in spans, spans


@pytest.mark.parametrize(
    "text",
    ["Oil price rose 2% in Q1.", "CO2 emissions fell; see v1.2 of the report.", "Phase II of project I 2024"],
)
def test_words_with_those_letters_stay(det, text):
    assert det.analyze(text) == []
