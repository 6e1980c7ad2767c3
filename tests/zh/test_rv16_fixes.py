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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a surname before a title with no given name: 总 and 董 alone (Mainland usage) or a title of surnames.toml
        ("于总已经签字了，明天放款。", "于總已經簽字了，明天放款。"),
        ("游总说这笔钱下个月才能到。", "游總說這筆錢下個月才能到。"),
        ("余总说的对。", "余總說的對。"),
        ("范总来了。", "范總來了。"),
        ("告诉于总一声。", "告訴于總一聲。"),
        ("游董说可以。", "游董說可以。"),
        # 于, 余 as words, and 总/董 starting a word: converted as before
        ("位于总部的大楼。", "位於總部的大樓。"),
        ("于总体而言，风险可控。", "於總體而言，風險可控。"),
        ("余总额为五万元。", "餘總額為五萬元。"),
        ("于董事会上通过。", "於董事會上通過。"),
        ("忙于总结经验。", "忙於總結經驗。"),
        ("属于总行管理。", "屬於總行管理。"),
    ],
)
def test_a_surname_before_a_one_character_title_is_kept(text, expected):
    """于总 / 游总 (the general manager 于, 游) came out 於總 / 遊總: 总 could follow no candidate surname (it is no given
    name's character) and a one-character title was in no list, so a client's or a manager's surname was rewritten."""
    from curate.zh import normalise, normalise_many

    assert normalise(text).text == expected
    assert normalise_many([text, "账户余额不足。"])[0].text == expected
    assert normalise_many([text] * 20)[5].text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("借款人须到支行面签。", "借款人須到分行面簽。"),
        ("面签时请携带身份证。", "面簽時請攜帶身分證。"),
        ("半导体板块午后拉升，龙头股涨停。", "半導體板塊午後拉升，龍頭股漲停。"),
        ("主力资金拉升股价。", "主力資金拉升股價。"),
        ("抽签结果已公布。", "抽籤結果已公布。"),  # a drawn lot keeps 籤
    ],
)
def test_opencc_phrases_against_the_moe_form_of_signing_and_rising(text, expected):
    """OpenCC's phrases turn 面签 (signing in person, a loan's step) into 面籤 (a drawn lot) and 拉升 into 拉昇; the
    Ministry of Education forms are 面簽 and 拉升 (two moe entries of schemas/zh/terminology.tsv)."""
    from curate.zh import normalise

    assert normalise(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "請穿着整齊出席簽約儀式，謝謝。",
        "本行已啓用新系統。",
        "我們爲閣下提供優惠。",
        "客戶可於網上銀行查閱綫上交易紀錄。",
    ],
)
def test_hong_kong_style_traditional_is_not_re_taiwanised(text):
    """README: Hong Kong-style Traditional (着, 啓, 爲, 綫, 網上銀行) is Traditional and comes back as it is."""
    from curate.zh import normalise, normalise_many

    assert normalise(text).text is text
    assert normalise_many([text, "账户余额不足。"])[0].text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("根据《反洗钱法", "根據《反洗錢法"),
        ("根据《反洗钱法，银行应当加强反洗钱管理。", "根據《反洗錢法，銀行應當加強防制洗錢管理。"),
        ("依《个人信息保护法\n处理个人信息", "依《個人信息保護法\n處理個人資料"),
    ],
)
def test_a_title_left_open_is_not_reworded(text, expected):
    """A 《 with no 》 (a truncated quotation) let the terminology layer reword the statute's name (《防制洗錢法, a law of
    no one); the title now runs to its clause's end, converted character by character."""
    from curate.zh import normalise, normalise_many

    assert normalise(text).text == expected
    assert normalise_many([text] * 20)[5].text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # review 16's own review: the bare-title rule read 总 / 董 as a title where it is a noun's prefix
        ("本办法于总分行同步实施。", "本辦法於總分行同步實施。"),  # 总 | 分行: the head and branch offices
        ("该制度已于总、分行层面落实。", "該制度已於總、分行層面落實。"),  # 总、分行 = 总行、分行
        ("股东于董、监事选举中投票。", "股東於董、監事選舉中投票。"),  # 董、监事 = 董事、监事
        ("资金应存放于总账户。", "資金應存放於總帳戶。"),  # 总 | 账户: a noun's prefix, the general account
        ("于总的意见是同意。", "于總的意見是同意。"),  # before a particle: the manager
        # a list of titled names keeps them
        ("于总、李总和范总都来了。", "于總、李總和范總都來了。"),
        ("请转告于总、游董。", "請轉告于總、游董。"),
    ],
)
def test_a_one_character_title_that_is_a_prefix_is_no_title(text, expected):
    from curate.zh import normalise, normalise_many

    assert normalise(text).text == expected
    assert normalise_many([text] * 20)[5].text == expected
