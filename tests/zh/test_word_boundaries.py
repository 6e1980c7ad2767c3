"""Terminology entries do not fire inside longer words (review 4, F2): jieba's dictionary as word boundaries."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import curate.zh.batch as batch
from curate.zh import normalise, normalise_many
from curate.zh.config import NormaliseConfig
from curate.zh.normalise import _engine
from curate.zh.words import dictionary_words, splits_word
from tests.zh.test_normalise import apply_edits

#: a short entry inside other words: (input, expected); the old output put the entry's Taiwan form in
SPLIT = [
    ("确保理财资金的安全。", "確保理財資金的安全。"),  # 保理 -> 應收帳款承購 in 确保 | 理财
    ("长期权益投资的报酬较高。", "長期權益投資的報酬較高。"),  # 期权 -> 選擇權 in 长期 | 权益
    ("本月的电话费已自动扣缴。", "本月的電話費已自動扣繳。"),  # 话费 -> 電話費 after 电
    ("请在官网点击下载申请表。", "請在官網點擊下載申請表。"),  # 网点 -> 據點 in 官网 | 点击
    ("物联网上市公司的股价上涨。", "物聯網上市公司的股價上漲。"),  # 网上 -> 網路上 in 物联网 | 上市
    ("节日元素贯穿整个广告。", "節日元素貫穿整個廣告。"),  # 日元 -> 日圓 in 节日 | 元素
    ("办公交通补贴每月发放。", "辦公交通補貼每月發放。"),  # 公交 -> 公車 in 办公 | 交通
    ("担保函已寄出。", "擔保函已寄出。"),  # 保函 -> 保證函 in 担保 | 函
    ("联网上线后即可使用。", "聯網上線後即可使用。"),  # 网上 in 联网 | 上线
    ("电网上周停电。", "電網上週停電。"),  # 网上 in 电网 | 上周
    ("这张网上面有很多洞。", "這張網上面有很多洞。"),  # 网上 in 网 | 上面
    ("他每天坐公交车上班。", "他每天坐公車上班。"),  # 车上 is a word, but not here (公交车 | 上班)
    ("他骑摩托车上班，从不坐出租车。", "他騎機車上班，從不坐計程車。"),  # 摩托车 | 上班
    # an entry that only says what s2tw says of it as a word (后台 -> 後臺) but holds a one-to-many character: it
    # fired across 以后 | 台风 and pinned 台 to 臺 (以後臺風, round 11)
    ("会议结束以后台风就来了。", "會議結束以後颱風就來了。"),
    ("三天以后台风登陆。", "三天以後颱風登陸。"),
]

#: the same entries where they are the word: they still fire
WHOLE = [
    ("本行提供保理服务。", "本行提供應收帳款承購服務。"),
    ("该期权的行权价为十元。", "該選擇權的行權價為十元。"),
    ("话费：五十元。", "電話費：五十元。"),
    ("我们网上见。", "我們網路上見。"),
    ("他在网上办理了业务。", "他在網路上辦理了業務。"),
    ("手机网上银行更方便。", "手機網路銀行更方便。"),
    ("保函、保理与期权。", "保證函、應收帳款承購與選擇權。"),
    ("（日元）汇率", "（日圓）匯率"),
    ("老人乘公交免费。", "老人乘公車免費。"),
    ("本公司推出了新的医疗险产品。", "本公司推出了新的醫療險商品。"),  # 险产品 is written across 医疗险 | 产品
    ("他坐地铁去银行办理业务。", "他坐捷運去銀行辦理業務。"),  # 坐地铁 is a word, but it holds 地铁 whole
    ("请到后台查看交易日志。", "請到後臺查看交易日誌。"),
    ("该应用会在后台运行。", "該應用會在背景執行。"),  # the context term's other form, by its cue word
]


@pytest.mark.parametrize(("text", "want"), SPLIT + WHOLE)
def test_terms_fire_only_on_word_boundaries(text: str, want: str) -> None:
    r = normalise(text)
    assert r.text == want
    assert apply_edits(text, r.edits) == want


def test_the_batch_path_keeps_the_same_boundaries(monkeypatch) -> None:
    monkeypatch.setattr(batch, "SMALL_RECORDS", 0)  # the vectorised path
    texts = [t for t, _ in SPLIT + WHOLE]
    for text, got in zip(texts, normalise_many(texts), strict=True):
        one = normalise(text)
        assert (got.text, got.edits, got.flags) == (one.text, one.edits, one.flags)


def test_without_word_boundaries_the_entries_split_words() -> None:
    """The comparison setting: the layer as it was (what the review found)."""
    old = NormaliseConfig(word_boundaries=False)
    assert normalise("确保理财资金的安全。", old).text == "確應收帳款承購財資金的安全。"
    assert normalise("本月的电话费已自动扣缴。", old).text == "本月的電電話費已自動扣繳。"


def test_protected_words_match_everywhere() -> None:
    """A protected word (here inside 确保理财) keeps its handling: it is kept as written wherever it occurs."""
    r = normalise("确保理财资金的安全。", protected=["保理"])
    assert r.text == "確保理財資金的安全。"
    assert [e.before for e in r.edits if e.by == "term"] == []
    assert normalise("确保理财。", protected=["保理財"]).text.startswith("確保理財")


def test_spelling_only_entries_still_pin_their_characters() -> None:
    """Entries whose Taiwan form reads back as their key (金发 -> 金發) are applied as before: they keep s2twp's
    phrases (金髮) out of words such as 现金 | 发行."""
    assert normalise("于现金发行新股时。").text == "於現金發行新股時。"
    assert normalise("得依职权限期召开。").text == "得依職權限期召開。"
    assert normalise("黄金发行量增加。").text == "黃金發行量增加。"  # 金发 overrides s2tw's 金髮: not guarded


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("他们反对象牙贸易。", "他們反對象牙貿易。"),  # 对象 (not s2twp's 物件) in 反对 | 象牙
        ("邮局部分窗口暂停服务。", "郵局部分窗口暫停服務。"),  # 局部 (not 區域性) in 邮局 | 部分
        ("工商局部门负责人表示。", "工商局部門負責人表示。"),  # 局部 in 工商局 | 部门
    ],
)
def test_entries_that_override_the_profiles_phrase_still_fire_everywhere(text: str, want: str) -> None:
    """A spelling-only entry with a one-to-many character that overrides s2twp's phrase (对象 -> 對象, s2twp 物件)
    is not guarded like 后台: where it did not fire, s2twp's phrase went into the words beside it (review of round 11:
    反对象牙 -> 反物件牙, 邮局部分 -> 郵區域性分)."""
    assert normalise(text).text == want
    assert normalise_many([text, "后台"])[0].text == want


def test_splits_word_on_plain_cases() -> None:
    words = dictionary_words()
    text = "确保理财"
    assert splits_word(text, 1, 3, 0, len(text), words)  # 保理 across 确保 | 理财
    text = "保理"
    assert not splits_word(text, 0, 2, 0, len(text), words)
    text = "，保理。"
    assert not splits_word(text, 1, 3, 0, len(text), words)


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(st.sampled_from([*"确保理财长期权益电话费网点上市公交的士", "。", "我们"]), max_size=20).map("".join)
)
def test_find_is_leftmost_longest_over_the_matches_that_split_no_word(text: str) -> None:
    m = _engine(NormaliseConfig()).matcher
    plain = dataclasses.replace(m, words=None)
    hits = sorted(
        (a, -(a + len(k))) for k in m.table for a in range(len(text)) if text.startswith(k, a)
    )  # brute force: every occurrence of every key, by start then longest
    allowed = [(a, -e) for a, e in hits if not m.splits(text, a, -e, 0, len(text))]
    want, pos = [], 0
    for a, b in allowed:
        if a >= pos:
            want.append((a, b))
            pos = b
    assert m.find(text) == want
    assert plain.find(text) == [x.span() for x in m.pattern.finditer(text)]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # the text beside a rewording already says its replacement's start: 保理 -> 應收帳款承購 (review of r4 zh
        # fixes #5: 應收帳款應收帳款承購); the variant 账/帳 between them is folded to the MOE form first
        ("本行办理应收账款保理业务。", "本行辦理應收帳款保理業務。"),
        ("本行办理保理业务。", "本行辦理應收帳款承購業務。"),
        ("保理业务与应收账款管理。", "應收帳款承購業務與應收帳款管理。"),
    ],
)
def test_a_rewording_does_not_repeat_what_the_text_beside_it_says(text, want):
    assert normalise(text).text == want
    assert normalise_many([text, "网上银行"])[0].text == want
