"""Fixes of the sixteenth hostile review of the zh normaliser (curate/zh/)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an app's error code (Traditional) then its Simplified message of two clauses
        ("錯誤代碼E2001：网络异常，请稍后重试。", "錯誤代碼E2001：網路異常，請稍後重試。"),
        ("交易失敗。錯誤代碼：网络异常，请稍后再试。", "交易失敗。錯誤代碼：網路異常，請稍後再試。"),
        ("客服回覆：网络繁忙，请稍后重试，谢谢。", "客服回覆：網路繁忙，請稍後重試，謝謝。"),
    ],
)
def test_a_short_simplified_clause_after_a_simplified_clause_is_read_with_it(text, expected):
    """A Simplified clause with fewer than min_signal_chars Simplified-only characters (请稍后重试: 请, 试) in a
    sentence that also holds Traditional was read as a typo, character by character, and 稍后 kept its 后 (請稍后重試),
    though the same message alone is 請稍後重試: the run of clauses with nothing Traditional-only is one message."""
    from curate.zh import normalise, normalise_many

    assert normalise(text).text == expected
    assert normalise_many([text, "账户余额不足。"])[0].text == expected
    assert normalise_many([text] * 20)[5].text == expected  # the vectorised path's batch size


@pytest.mark.parametrize(
    "text",
    [
        "皇后區分行，后里據點，于右任書法展。",  # no Simplified-only character: untouched
        "本行於后里設有分行，皇后区另设据点。",  # the Simplified clause after a Traditional one: 后 of 皇后 stays
        "干擾交易者，依法處分。",
    ],
)
def test_traditional_clauses_beside_a_simplified_run_keep_their_characters(text):
    from curate.zh import normalise

    out = normalise(text).text
    assert all(o == t for o, t in zip(out, text) if t in "后于干里皇擾據點處")
