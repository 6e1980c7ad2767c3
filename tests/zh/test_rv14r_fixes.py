"""Review of the fourteenth zh fixes (rv14-zh): the surname keeper (curate/zh/surnames.py) and book titles
(curate/zh/titles.py).

* 于 is a preposition before a time or a place: 于国庆假期, 于凌晨, 于宁波 read as a surname and a given name by the
  PII rule (国庆, 凌晨 and 宁波 score as given names) kept 于 (main: 於).
"""

from __future__ import annotations

import pytest

from curate.zh import normalise, normalise_many


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("银行于国庆假期暂停营业。", "銀行於國慶假期暫停營業。"),
        ("系统于凌晨维护。", "系統於凌晨維護。"),
        ("公司于宁波设立分公司。", "公司於寧波設立分公司。"),
        # names still keep their surname
        ("余秀英来电询问。", "余秀英來電詢問。"),
        ("于丽华表示反对。", "于麗華表示反對。"),
        ("于海涛经理说。", "于海濤經理說。"),
    ],
)
def test_a_preposition_before_a_time_or_a_place_is_no_surname(text, expected):
    assert normalise(text).text == expected
    assert normalise_many([text, "账户余额不足。"])[0].text == expected
    assert normalise_many([text] * 20)[5].text == expected
