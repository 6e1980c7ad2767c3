"""Fixes of the second review of rv17-zh (the clause tier of curate/zh/clause_forms.py)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a surname before a bank's or a bureau's title: the clause tier converts every character s2tw changes that
        # no surname rule keeps, and main's word-by-word reading had kept these (余行長); all-Simplified text too
        ("臺灣銀行公告：余行长说明。", "臺灣銀行公告：余行長說明。"),
        ("臺灣銀行公告：范行长说明。", "臺灣銀行公告：范行長說明。"),
        ("臺灣銀行公告：于总监说明。", "臺灣銀行公告：于總監說明。"),
        ("臺灣銀行公告：于局长说明。", "臺灣銀行公告：于局長說明。"),
        ("余所长表示这个问题没问题。", "余所長表示這個問題沒問題。"),
        ("于襄理说明这个问题了。", "于襄理說明這個問題了。"),
        # the preposition and 余 as a word before the same titles: converted as before
        ("其余行长都同意这个问题了。", "其餘行長都同意這個問題了。"),
        ("关于行长的讲话精神，我们要学习。", "關於行長的講話精神，我們要學習。"),
        ("对于总监督管理，我们认为。", "對於總監督管理，我們認為。"),
        ("用于所长期项目的资金。", "用於所長期項目的資金。"),
        ("等于局长的意思。", "等於局長的意思。"),
    ],
)
def test_a_surname_before_a_bank_title_is_kept(text, expected):
    from curate.zh import normalise, normalise_many

    assert normalise(text).text == expected
    assert normalise_many([text] * 20)[5].text == expected
