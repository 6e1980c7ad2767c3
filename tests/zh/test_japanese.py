"""Japanese sentences are left as written: their kanji (会, 国, 担当) are not Simplified characters to convert."""

from __future__ import annotations

import json

import pytest

from curate.zh import normalise, normalise_many

JA = "日本銀行の金融政策決定会合は、国債の買入れを継続した。"
JA_STAFF = "東京支店の担当者は、金融庁の検査に対応した。"

CASES = [
    pytest.param(JA, JA, id="japanese-alone"),
    pytest.param(JA_STAFF, JA_STAFF, id="japanese-staff"),
    pytest.param(
        "東京分行報告如下。" + JA + "請各單位注意。", "東京分行報告如下。" + JA + "請各單位注意。", id="in-traditional"
    ),
    pytest.param(
        "东京分行报告如下。" + JA + "请各单位注意。", "東京分行報告如下。" + JA + "請各單位注意。", id="in-simplified"
    ),
    # one の (a shop name) does not make a Chinese sentence Japanese; ・ in a name is no kana
    pytest.param("我们与小熊の店签约。", "我們與小熊の店簽約。", id="one-kana-is-chinese"),
    pytest.param("唐纳・川普的政策。", "唐納・川普的政策。", id="middle-dot"),
    # Japanese names in a Chinese sentence (katakana, a hiragana bank name, a quoted word, two shop names with の)
    # are no Japanese grammar: the sentence converts (it was left Simplified: two kana made it "Japanese")
    pytest.param(
        "我们购买了ソニー的股票和トヨタ的债券。", "我們購買了ソニー的股票和トヨタ的債券。", id="katakana-names"
    ),
    pytest.param(
        "本行与日商みずほ银行签约，合作开发软件。", "本行與日商みずほ銀行簽約，合作開發軟體。", id="hiragana-name"
    ),
    pytest.param(
        "ポケモン卡牌热销，投资者关注其财报信息。", "ポケモン卡牌熱銷，投資者關注其財報資訊。", id="katakana-product"
    ),
    pytest.param(
        "客户说：「ありがとう」，然后离开了银行。", "客戶說：「ありがとう」，然後離開了銀行。", id="quoted-word"
    ),
    pytest.param("小熊の店和阿婆の店都在台湾开业。", "小熊の店和阿婆の店都在臺灣開業。", id="two-shop-names"),
    # a short Japanese clause with particles in two places is still Japanese
    pytest.param("本件の担当は東京支店", "本件の担当は東京支店", id="japanese-two-particles"),
]


@pytest.mark.parametrize(("text", "want"), CASES)
def test_japanese_sentences_are_kept_and_chinese_ones_converted(text, want):
    assert normalise(text).text == want
    # the batch path gives the same result, also among other records
    many = normalise_many(["账户余额不足。", text, "帳戶餘額"])
    assert many[1] == normalise(text)
    assert [r.text for r in many] == ["帳戶餘額不足。", want, "帳戶餘額"]


def test_zh_convert_keeps_a_japanese_quote(cli, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "ja", "text": JA_STAFF}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, stdout, _ = cli("--quiet", "zh", "convert", "--input", str(src), "--output", str(out))
    assert code == 0, stdout
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["text"] == JA_STAFF and row["edits"] == []
