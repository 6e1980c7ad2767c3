"""Review of the fourteenth zh fixes (rv14-zh): the surname keeper (curate/zh/surnames.py) and book titles
(curate/zh/titles.py).

* 于 is a preposition before a time or a place: 于国庆假期, 于凌晨, 于宁波 read as a surname and a given name by the
  PII rule (国庆, 凌晨 and 宁波 score as given names) kept 于 (main: 於).
* 〈 and 〉 also stand for < and >: the clauses between 收益率〈5%时， and ，收益率〉10% were read as one title and
  converted character by character (網絡信息, 打印, 收益率 instead of 網路資訊, 列印, 報酬率).
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "当收益率〈5%时，网络信息系统自动打印报告，当收益率〉10%时停止。",
            "當報酬率〈5%時，網路資訊系統自動列印報告，當報酬率〉10%時停止。",
        ),
        ("若 a〈b，则软件的信息质量指标 c〉d。", "若 a〈b，則軟體的資訊品質指標 c〉d。"),
        # titles are still converted character by character, nested ones too
        ("请参阅〈数据安全管理办法〉第三条。", "請參閱〈數據安全管理辦法〉第三條。"),
        ("《反洗钱法〈修订草案〉》公开征求意见。", "《反洗錢法〈修訂草案〉》公開徵求意見。"),
        ("《投资学：原理与实践》一书。", "《投資學：原理與實踐》一書。"),
    ],
)
def test_angle_brackets_around_clauses_are_no_title(text, expected):
    assert normalise(text).text == expected
    assert normalise_many([text, "账户余额不足。"])[0].text == expected
    assert normalise_many([text] * 20)[5].text == expected
