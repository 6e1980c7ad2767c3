"""normalise(): Traditional text untouched, Simplified converted with edits and flags."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.zh import NormaliseConfig, normalise
from curate.zh.charsets import script_sets
from provenance.errors import ConfigError


def apply_edits(text: str, edits) -> str:
    out, pos = [], 0
    for e in sorted(edits, key=lambda e: e.offset):
        assert e.offset >= pos, "edits overlap"
        assert text[e.offset : e.offset + len(e.before)] == e.before
        out.append(text[pos : e.offset])
        out.append(e.after)
        pos = e.offset + len(e.before)
    out.append(text[pos:])
    return "".join(out)


@pytest.mark.parametrize(
    "text",
    [
        "姓范的余先生在里長辦公室。",
        "干擾、干涉、若干；准許與核准。",
        "臺北與台北都對。\r\n后里區、埔里、萬里。",
        "于先生的頭髮",
        "",
        "hello world\r\n",
        "１２３ ABC",
        "中文",
    ],
    ids=["surnames", "gan-zhun", "crlf", "yu", "empty", "ascii", "fullwidth", "neutral"],
)
def test_traditional_and_neutral_text_is_returned_byte_identical(text):
    r = normalise(text)
    assert r.text is text
    assert r.edits == ()
    assert r.script in {"traditional", "neutral"}


def test_all_law_fixture_articles_are_untouched(law_fixtures):
    n = 0
    for path in sorted((law_fixtures / "chlaw_json" / "ch").glob("*.json")):
        law = json.loads(path.read_text(encoding="utf-8-sig"))
        for art in law["LawArticles"]:
            text = art["ArticleContent"]
            assert normalise(text).text == text, (path.name, art["ArticleNo"])
            n += 1
    assert n > 100


def test_simplified_sentence_gets_taiwan_vocabulary_and_edits():
    src = "网络银行的转账限额为每日二百万元。"
    r = normalise(src)
    assert r.text == "網路銀行的轉帳限額為每日二百萬元。"
    assert r.script == "simplified"
    assert r.shares["simplified"] == 1.0
    assert apply_edits(src, r.edits) == r.text
    assert {e.by for e in r.edits} == {"term", "opencc"}


def test_domain_overrides_keep_meaning():
    assert normalise("他准时到达银行，但窗口已经关闭。").text == "他準時到達銀行，但窗口已經關閉。"
    assert normalise("请按照审核程序提交文件。").text == "請按照審核程序提交文件。"


def test_mixed_record_converts_only_the_simplified_sentence():
    src = "本行依銀行法辦理。\r\n详细信息请登录官方网站查询。\r\n違反者處罰鍰。"
    r = normalise(src)
    assert r.script == "mixed"
    assert r.text == "本行依銀行法辦理。\r\n詳細資訊請登入官方網站查詢。\r\n違反者處罰鍰。"
    assert all(10 <= e.offset < 26 for e in r.edits)
    assert 0 < r.shares["simplified"] < 1


def test_protected_names_per_call_are_not_converted():
    src = "客户范志明的账户已冻结。"
    assert "範志明" in normalise(src).text
    r = normalise(src, protected=["范志明"])
    assert r.text == "客戶范志明的帳戶已凍結。"


def test_surname_before_title_is_kept():
    assert normalise("于先生和范女士是多年的邻居。").text == "于先生和范女士是多年的鄰居。"
    assert normalise("对于老师的建议，我们会认真考虑。").text.startswith("對於老師")


def test_flags_short_ambiguous_and_mixed_sentences():
    r = normalise("发了。")
    assert {f.reason for f in r.flags} >= {"short", "ambiguous_chars"}
    r = normalise("這份報告说明了风险與報酬。")
    assert "mixed_signals" in {f.reason for f in r.flags}


def test_s2tw_is_selectable_and_unknown_config_lists_valid_ones():
    assert normalise("软件", NormaliseConfig(opencc_config="s2tw")).text == "軟體"  # terminology still applies
    assert normalise("鼠标垫", NormaliseConfig(opencc_config="s2tw", terminology=False)).text == "鼠標墊"
    with pytest.raises(ConfigError, match="valid: s2twp, s2tw"):
        NormaliseConfig(opencc_config="s2hk")


def test_one_megabyte_record():
    unit = "账户余额不足，自动扣款失败。臺灣銀行營業部。\r\n"
    text = unit * (1_000_000 // len(unit.encode()) + 1)
    r = normalise(text)
    assert len(text.encode()) >= 1_000_000
    assert r.script == "mixed"
    assert apply_edits(text, r.edits) == r.text
    assert r.text.count("帳戶餘額不足") == text.count("账户余额不足")


def test_long_sentence_without_punctuation():
    text = "账户余额" * 20000
    r = normalise(text)
    assert r.text == "帳戶餘額" * 20000


TRAD = sorted(script_sets().traditional_only)[:800] + list("干后台里范余准面只于，。、\r\n 1a")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(TRAD), max_size=80))
def test_text_without_simplified_chars_is_never_changed(text):
    assert normalise(text).text is text


SIMP = sorted(script_sets().simplified_only)[:800] + list("干后台里范余准面只于，。、\r\n 1a")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(SIMP + TRAD[:200]), max_size=80))
def test_edits_reproduce_output(text):
    r = normalise(text)
    assert apply_edits(text, r.edits) == r.text


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(SIMP), max_size=80))
def test_conversion_of_simplified_text_is_complete_and_idempotent(text):
    r = normalise(text)
    assert not set(r.text) & script_sets().simplified_only
    assert normalise(r.text).text == r.text


def test_long_stretch_with_length_changes_gets_fine_grained_edits():
    text = "部分用户反映。" * 3000  # 用户 -> 使用者 comes from OpenCC, not from a term
    r = normalise(text)
    assert apply_edits(text, r.edits) == r.text
    assert max(len(e.before) for e in r.edits) < 20


@pytest.mark.parametrize(
    "src,expected",
    [
        ("他在出租车上睡着了。", "他在計程車上睡著了。"),
        ("这只股票的市盈率偏高。", "這檔股票的本益比偏高。"),
        ("请将文件发送至客服邮箱。", "請將文件發送至客服信箱。"),
        ("央行宣布下调存款准备金率。", "央行宣布下調存款準備率。"),
    ],
    ids=["term-after-other-phrase", "measure-word", "keep-send", "moe-bu"],
)
def test_terms_apply_wherever_they_start(src, expected):
    assert normalise(src).text == expected


def test_neutral_text_with_a_mainland_only_word_is_converted():
    """面包和方便面都放在柜台后面 has no Simplified-only character (柜, 后, 面 are Big5 too); 方便面 and 柜台 say it is
    Simplified (curate/zh/evidence.py). The batch path agrees."""
    from curate.zh import normalise_many

    text = "面包和方便面都放在柜台后面。"
    assert normalise(text).text == "麵包和泡麵都放在櫃檯後面。"
    assert normalise(text).script == "simplified"
    assert normalise_many([text, "皇后面前。"])[0].text == "麵包和泡麵都放在櫃檯後面。"


def test_lexical_evidence_never_touches_text_with_a_traditional_character():
    for text in ("皇后面前。", "台北", "   第 六 章 仲裁", "櫃台的方便面", "了解"):
        assert normalise(text).text is text
