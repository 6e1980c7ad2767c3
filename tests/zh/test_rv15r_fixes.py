"""Fixes of the hostile review of the fifteenth review's zh fixes (curate/zh/speakers.py).

The clause-opening speaker rule read any surname character before a reporting verb or a day's word as a person when
the surname stood alone in jieba's route, whatever followed it, and took jieba's person's-name tag at its word for a
two-character word: 于信中坦言 -> 于, 余震今天 -> 余, 范畴指出 -> 范. Counter-cases written blind: a surname character
opening a clause that is no surname, before the same verbs and day words.
"""

from __future__ import annotations

import pytest

NOT_NAMES = [
    # the preposition 于 before a noun and a locative, a time or a channel
    ("于信中坦言困难。", "於信中坦言困難。"),
    ("于文中指出风险。", "於文中指出風險。"),
    ("于信中称已还款。", "於信中稱已還款。"),
    ("于文中称已还款。", "於文中稱已還款。"),
    ("于稍早表示将调整。", "於稍早表示將調整。"),
    ("于官网回应质疑。", "於官網回應質疑。"),
    ("于会后表示满意。", "於會後表示滿意。"),
    ("于席间表示认同。", "於席間表示認同。"),
    ("于日前表示将调整。", "於日前表示將調整。"),
    ("于年初表示将调整。", "於年初表示將調整。"),
    ("于当天表示将调整。", "於當天表示將調整。"),
    ("于庭上承认错误。", "於庭上承認錯誤。"),
    ("于会上说明情况。", "於會上說明情況。"),
    ("于采访中坦言困难。", "於採訪中坦言困難。"),
    ("于今表示遗憾。", "於今表示遺憾。"),
    ("于此表示感谢。", "於此表示感謝。"),
    # 余 (the rest, residual) and 范 (a pattern, a range) opening a word or a clause
    ("余皆表示反对。", "餘皆表示反對。"),
    ("余者表示反对。", "餘者表示反對。"),
    ("余众表示反对。", "餘眾表示反對。"),
    ("余缺今天补齐。", "餘缺今天補齊。"),
    ("余兴今天未尽。", "餘興今天未盡。"),
    ("余震今天再次发生。", "餘震今天再次發生。"),
    ("余震昨天发生。", "餘震昨天發生。"),
    ("余利今天入账。", "餘利今天入帳。"),
    ("余存昨天减少。", "餘存昨天減少。"),
    ("余款表示已结清。", "餘款表示已結清。"),
    ("余量称为冗余。", "餘量稱為冗餘。"),
    ("余下表示还需讨论。", "餘下表示還需討論。"),
    ("余额昨天被冻结。", "餘額昨天被凍結。"),
    ("余数称为模。", "餘數稱為模。"),
    ("范畴指出了问题。", "範疇指出了問題。"),
    ("范围表示不变。", "範圍表示不變。"),
    ("范本说明见附件。", "範本說明見附件。"),
    # other surname characters opening a word
    ("万一说错了怎么办？", "萬一說錯了怎麼辦？"),
    ("沈阳今天下雪。", "瀋陽今天下雪。"),
    ("郁闷说不出口。", "鬱悶說不出口。"),
    ("谷物昨天涨价。", "穀物昨天漲價。"),
    ("姜汤今天煮好。", "薑湯今天煮好。"),
    ("钟表今天送修。", "鐘錶今天送修。"),
    ("叶片昨天损坏。", "葉片昨天損壞。"),
    ("庄家表示不卖。", "莊家表示不賣。"),
    ("朴素说明了一切。", "樸素說明了一切。"),
]

NAMES = [
    # the speakers the rule is for still keep their surnames
    ("余建国说。", "余建國說。"),
    ("范文涛说。", "范文濤說。"),
    ("于长春表示同意。", "于長春表示同意。"),
    ("范志强表示同意。", "范志強表示同意。"),
    ("余承东表示华为将发布新机。", "余承東表示華為將發布新機。"),
    ("余华说活着很难。", "余華說活著很難。"),
    ("于正回应抄袭质疑。", "于正回應抄襲質疑。"),
    ("郁亮表示万科将转型。", "郁亮表示萬科將轉型。"),
]


@pytest.mark.parametrize(("text", "expected"), NOT_NAMES + NAMES)
def test_a_clause_opening_surname_character_that_is_no_surname_is_converted(text, expected):
    from curate.zh import normalise, normalise_many

    assert normalise(text).text == expected
    assert normalise_many([text, "账户余额不足。"])[0].text == expected
    assert normalise_many([text] * 20)[5].text == expected  # the vectorised path's batch size


@pytest.mark.parametrize(
    "text",
    ["余建國說。", "范志強表示同意。", "于長春表示同意。", "余震昨天發生。", "于信中坦言困難。", "余皆表示反對。"],
)
def test_traditional_speakers_are_never_touched(text):
    from curate.zh import normalise, normalise_many

    assert normalise(text).text is text
    assert normalise_many([text] * 20)[3].text == text
