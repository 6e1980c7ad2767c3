"""Dates of birth in the forms English and bilingual text writes them, and the seven digits of an ROC date a
customer answers with (review 15): each went through in clear after ``DOB:`` or ``What is your date of birth?``.
The same forms without a birth word or question are dates, left alone."""

import pytest

BIRTH = [
    ("DOB: 07/11/1968", "07/11/1968"),
    ("Date of birth: 14-03-1982", "14-03-1982"),
    ("Date of birth: 3rd Aug. 1975", "3rd Aug. 1975"),
    ("Agent: What is your date of birth?\nCustomer: March 14, 1982", "March 14, 1982"),
    ("Agent: What is your date of birth?\nCustomer: It's 12 June 1990.", "12 June 1990"),
    ("[09:41] 客服: 請問您的出生年月日？\n[09:42] 客戶: 0720315", "0720315"),
    ("專員：請問您的出生日期？\n客戶：0781104，謝謝", "0781104"),
    ("出生日期 0650228", "0650228"),
    # an English label longer than the 10 characters the recognizer reads before a date (last review of review 15)
    ("Birth date: 14-03-1982", "14-03-1982"),
    ("Birthdate 12 June 1990", "12 June 1990"),
    ("Name: Chen Yu-Ting\nBirth Date: 1982-03-14", "1982-03-14"),
    ("Date of Birth (dd/mm/yyyy): 14/03/1982", "14/03/1982"),
    ("D.O.B.: 14/03/1982", "14/03/1982"),
    ("出生日期（YYYMMDD）：0720315", "0720315"),
    # a required field's `*` after the hint, square brackets, a note for a hint (post-review of review 15)
    ("Date of Birth (DD/MM/YYYY)*: 14/03/1982", "14/03/1982"),
    ("Date of birth [dd/mm/yyyy]: 14/03/1982", "14/03/1982"),
    ("Date of birth (as shown on ID card): 14/03/1982", "14/03/1982"),
]
NOT_BIRTH = [
    "客服：請問交易日期？\n客戶：1130305",
    "合約日期 07/11/2023，到期 06/11/2026。",
    "Value date: March 14, 2024",
    "交易序號 0720315，金額 NT$1,000。",
    "Reference 12 June 2024, invoice 0720315.",
    "出生日期：1130231",  # no such day
    "DOB: 31/31/1980",
    "Birth date of the fund: 2020-01-01",
    "事故發生日：2024/01/05",
    "Report date (dd/mm/yyyy): 14/03/2024",
    "Issue date [dd/mm/yyyy]*: 14/03/2024",
    "Date of birth of the policy (issue): 14/03/2020",
]


@pytest.mark.parametrize(("text", "value"), BIRTH, ids=[v for _, v in BIRTH])
def test_a_birth_date_is_found(det, text, value):
    assert value in [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "DATE_OF_BIRTH"]


@pytest.mark.parametrize("text", NOT_BIRTH, ids=range(len(NOT_BIRTH)))
def test_another_date_is_left(det, text):
    assert [s for s in det.analyze(text) if s.entity_type == "DATE_OF_BIRTH"] == []
