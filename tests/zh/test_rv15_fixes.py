"""Fixes of the fifteenth hostile review of the zh normaliser (curate/zh/)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("根据《个人信息保护法》，处理个人信息应当取得同意。", "根據《個人信息保護法》，處理個人資訊應當取得同意。"),
        ("请参阅〈数据安全管理办法〉第三条。", "請參閱〈數據安全管理辦法〉第三條。"),
        ("《软件产品管理办法》第三条", "《軟件產品管理辦法》第三條"),
    ],
)
def test_a_book_title_is_never_reworded_without_the_terminology_layer(text, expected):
    """README: a title is converted character by character, never reworded; NormaliseConfig(terminology=False) sent
    it through s2twp's vocabulary (《個人資訊保護法》, a law of no one)."""
    from curate.zh import NormaliseConfig, normalise, normalise_many

    cfg = NormaliseConfig(terminology=False)
    assert normalise(text, cfg).text == expected
    assert normalise_many([text, "账户余额不足。"], cfg)[0].text == expected
    assert normalise_many([text] * 20, cfg)[5].text == expected  # the vectorised path's batch size


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a surname opening a clause before a reporting verb or a day's word: the clause's speaker
        ("余建国说。", "余建國說。"),
        ("范文涛说。", "范文濤說。"),
        ("于长春表示同意。", "于長春表示同意。"),
        ("范志强表示同意。", "范志強表示同意。"),
        ("余建国昨天提交了辞职信。", "余建國昨天提交了辭職信。"),
        ("余伟今天来行。", "余偉今天來行。"),
        ("会后，余丽华指出风险可控。", "會後，余麗華指出風險可控。"),
        # words, prepositions and a place's name before the same verbs: converted as before
        ("余额表示账户剩余的钱。", "餘額表示帳戶剩餘的錢。"),
        ("范例说明如下。", "範例說明如下。"),
        ("于是昨天说好了。", "於是昨天說好了。"),
        ("于北京表示欢迎。", "於北京表示歡迎。"),
        ("他于长春表示欢迎。", "他於長春表示歡迎。"),
        ("范围今天扩大。", "範圍今天擴大。"),
        ("于此称为甲方。", "於此稱為甲方。"),
    ],
)
def test_a_surname_opening_a_clause_before_a_reporting_verb_is_a_name(text, expected):
    from curate.zh import normalise, normalise_many

    assert normalise(text).text == expected
    assert normalise_many([text, "账户余额不足。"])[0].text == expected
    assert normalise_many([text] * 20)[5].text == expected  # the vectorised path's batch size
