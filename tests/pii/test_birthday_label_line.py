"""A date of birth on the line after a form's ``生日`` label (review 16): ``出生日期⏎…`` and ``Date of birth⏎…`` were
read, ``生日⏎民國80年1月5日`` went through in clear; a celebration's day (``員工慶生日⏎2023/05/01``) and a 生日禮金 stay
no birth date."""

import pytest


@pytest.mark.parametrize("text", ["生日\n民國80年1月5日", "生日\n1991/01/05", "客戶資料\n生日：\n80年1月5日"])
def test_found(det, text):
    value = text.rsplit("\n", 1)[1]
    assert [(text[s.start : s.end], s.entity_type) for s in det.analyze(text)] == [(value, "DATE_OF_BIRTH")]


@pytest.mark.parametrize("text", ["員工慶生日\n2023/05/01", "生日禮金發放日\n2023/05/01", "事故發生日\n112年3月1日"])
def test_not_a_birth_date(det, text):
    assert [s for s in det.analyze(text) if s.entity_type == "DATE_OF_BIRTH"] == []


@pytest.mark.parametrize(
    "text", ["被繼承人往生日：\n民國110年3月2日", "被繼承人往生日：民國110年3月2日", "往生日\n110年3月2日"]
)
def test_a_day_of_death_is_no_birth_date(det, text):
    # review 16r: 往生日 (the day a decedent died, in every estate's papers) was read as 生日 on the line after and on
    # the same line: no rule knew 往 before 生日 as it knows 發/產/衍/慶
    assert [s for s in det.analyze(text) if s.entity_type == "DATE_OF_BIRTH"] == []
