"""Review 12, second pass (rv12-zh-r): the generated crossing list (curate/zh/crossings.py) against real text."""

from __future__ import annotations

import pytest

from curate.zh import normalise, normalise_many


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Taiwan law titles: jieba's 防|制法 (防制 is rare in its mainland corpus) made the crossing entry 制法 -> 製法
        # fire against OpenCC's 防制; a character the route leaves alone, or a word in jieba's rarest class
        # (恐防 of 资|恐防|制法), is no evidence against the phrase
        ("十二、资恐防制法第八条之罪。", "十二、資恐防制法第八條之罪。"),
        ("违反人口贩运防制法第三十条。", "違反人口販運防制法第三十條。"),
        ("依空气污染防制法规定办理。", "依空氣汙染防制法規定辦理。"),
        # the crossing entries that are right still fire (their phrase's other part lies in a common word)
        ("其他科技方法制作关于他人不实之数据。", "其他科技方法製作關於他人不實之資料。"),
        ("目前台风已经远离台湾。", "目前颱風已經遠離臺灣。"),
        ("楼下面包店的老板娘很热情。", "樓下麵包店的老闆娘很熱情。"),
        ("结束发放贷款的程序后，我们再谈。", "結束發放貸款的程序後，我們再談。"),
        ("她看起来很干练。", "她看起來很幹練。"),  # 很干 is no jieba word
    ],
)
def test_a_crossing_entry_needs_jieba_to_read_the_phrase_otherwise(text, expected):
    assert normalise(text).text == expected
    assert normalise_many([text])[0].text == expected


def test_the_shipped_crossing_list_is_what_the_generator_gives_today(monkeypatch):
    """A slice of ``python -m curate.zh.crossings`` run afresh (the words starting with a few one-to-many characters)
    matches the shipped file: a new OpenCC or jieba release that changes the list fails here, not silently."""
    import curate.zh.crossings as crossings
    from curate.zh.opencc_io import Converter
    from curate.zh.terms import charmap
    from curate.zh.words import dictionary_words

    first = set("台面发干后只")
    lex = {w: p for w, p in dictionary_words().items() if w[0] in first}
    monkeypatch.setattr(crossings, "dictionary_words", lambda: lex)
    s2twp, moe = Converter("s2twp").convert, charmap()
    fresh = crossings.generate(lambda s: s2twp(s).translate(moe))
    shipped = [w for w in crossings.crossing_words() if w[0] in first]
    assert len(shipped) > 100
    assert fresh == shipped


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "執行 `python convert.py --mode 简体` 後，檢查輸出檔案。",
            "執行 `python convert.py --mode 简体` 後，檢查輸出檔案。",
        ),
        ("执行 `convert --mode 简体` 后，检查输出结果。", "執行 `convert --mode 简体` 後，檢查輸出結果。"),
        (
            '代码如下：\n```\nprint("账户余额")\n```\n请检查结果。',
            '代碼如下：\n```\nprint("账户余额")\n```\n請檢查結果。',
        ),
        ("价格是`100`元，后台显示正常。", "價格是`100`元，後臺顯示正常。"),  # ASCII code: nothing to keep
    ],
)
def test_code_in_backticks_is_kept_as_written(text, expected):
    """Inline code and fenced blocks are kept like web addresses (curate/zh/links.py), on both paths."""
    assert normalise(text).text == expected
    assert normalise_many([text, "账户余额不足。"])[0].text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("客戶回覆：「我们下周再谈」，請業務同仁追蹤。", "客戶回覆：「我們下週再談」，請業務同仁追蹤。"),
        ("經理說「这个方案下周上线」，請準備。", "經理說「這個方案下週上線」，請準備。"),
        # one Simplified character in a quoted term is a typo: only it is converted (not s2twp's 設定)
        ("本條所稱「设置」，係指依法設立。", "本條所稱「設置」，係指依法設立。"),
        # a quote holding a Traditional-only character is read clause by clause as before
        ("他說「這个软件」很好用。", "他說「這個軟件」很好用。"),
    ],
)
def test_a_simplified_quote_in_a_traditional_sentence_is_converted_whole(text, expected):
    """A quoted span with no Traditional-only character and two or more Simplified-only ones (curate/zh/quotes.py)."""
    assert normalise(text).text == expected
    assert normalise_many([text, "账户余额不足。"])[0].text == expected
