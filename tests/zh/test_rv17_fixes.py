"""Fixes of the seventeenth hostile review of the zh normaliser (curate/zh/)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a Traditional notice, then a Simplified message of one clause with two Simplified-only characters
        ("臺灣銀行公告：请稍后再试。", "臺灣銀行公告：請稍後再試。"),
        ("臺北分行通知：系统维护，请稍后", "臺北分行通知：系統維護，請稍後"),
        ("交易失敗。請注意：之后请联系客服。", "交易失敗。請注意：之後請聯繫客服。"),
        ("本行說明：余额不足了。", "本行說明：餘額不足了。"),
    ],
)
def test_a_two_character_simplified_clause_in_a_traditional_sentence_is_simplified(text, expected):
    """A clause with two Simplified-only characters (请, 试) and nothing Traditional-only after a Traditional one was
    read as a typo, word by word: 稍后 holds no Simplified-only character and kept its 后 (請稍后再試)."""
    from curate.zh import normalise, normalise_many

    assert normalise(text).text == expected
    assert normalise_many([text, "账户余额不足。"])[0].text == expected
    assert normalise_many([text] * 20)[5].text == expected  # the vectorised path's batch size


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("鍾先生說：于先生来了。", "鍾先生說：于先生來了。"),  # a surname before a title: the terminology's spelling
        ("鍾先生說：范女士来了。", "鍾先生說：范女士來了。"),
        ("鍾先生說：于海涛经理来了。", "鍾先生說：于海濤經理來了。"),  # a surname before a given name
        (
            "金管會說：得设置基金会。",
            "金管會說：得設置基金會。",
        ),  # no rewording (設定) in a Traditional sentence
        ("主管機關審查後，得准移充清算费用。", "主管機關審查後，得准移充清算費用。"),  # one: a typo, 准 stays
        ("本行於后里設有分行，皇后区另设据点。", "本行於后里設有分行，皇后區另設據點。"),
    ],
)
def test_the_character_level_clause_keeps_names_words_and_typos(text, expected):
    from curate.zh import normalise, normalise_many

    assert normalise(text).text == expected
    assert normalise_many([text] * 20)[5].text == expected


def test_the_character_level_clause_keeps_the_calls_protected_words():
    """The PII stage's person names (``protected``) are the call's words: the character-level clause read only the
    shipped terminology and gave 於凡 for the protected name 于凡."""
    from curate.zh import normalise

    assert normalise("鍾先生說：于凡来了吗", protected=("于凡",)).text == "鍾先生說：于凡來了嗎"
    assert normalise("鍾先生說：范冰来了吗", protected=("范冰",)).text == "鍾先生說：范冰來了嗎"
