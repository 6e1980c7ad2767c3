"""Review 7 (F2): a verb of contact (致電, 來電, 電訪, 拜會 ...) before a name is a name slot (call-centre notes)."""

import pytest


@pytest.mark.parametrize(
    "text,value",
    [
        ("催收紀錄：致電蕭子翔於(049)232-1875未接。", "蕭子翔"),
        ("致電蕭子翔於今日未接。", "蕭子翔"),
        ("專員去電林雅婷，告以繳款期限。", "林雅婷"),
        ("滿意度調查由專員電訪李珮瑜，對服務表示滿意。", "李珮瑜"),
        ("今日拜會魏宗翰，其公司位於工業區內。", "魏宗翰"),
        ("催收人员致电萧子翔于今日未接。", "萧子翔"),
    ],
)
def test_name_after_a_verb_of_contact(text, value):
    from curate.pii.engine import PiiDetector

    spans = PiiDetector().analyze(text)
    assert [text[s.start : s.end] for s in spans if s.entity_type == "PERSON"] == [value]


def test_verb_of_contact_before_ordinary_words_names_nobody():
    from curate.pii.engine import PiiDetector

    text = "請致電客服專線，或於來電時說明帳戶問題。"
    assert [s for s in PiiDetector().analyze(text) if s.entity_type == "PERSON"] == []
