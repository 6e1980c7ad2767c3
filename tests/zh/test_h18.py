"""Floors on a tenth hand-written held-out-like set (``tests/zh/heldout_like_h18.jsonl``, review 18).

Written blind (before reading the dev set, the other held-out-like sets or the zh tests) by the reviewer of round 18:
166 records. 107 texts that must come back byte-identical: Taiwan court judgments, FSC press releases, insurance
clauses, bank app strings, 台/臺, 裡/裏, 著/着, 於/于 names (于右任, 于謙), 乾/幹/干, 後/后, 隻/只, 髮/發, 麵/面,
鍾/鐘, 餘/余 and 範/范 names, 復/複/覆, 曆/歷, 準/准, 係/系/繫, 製/制, 瞭/了, Japanese (株式会社三菱UFJ銀行の決算発表),
Cantonese (唔該晒, 走晒, 做乜嘢吓), classical quotes. 49 Simplified texts: PBoC/SAFE notices, A-share announcements,
bond prospectuses, e-CNY terms, Alipay/WeChat Pay UI, Weibo posts, numbers and percentages, English-mixed, Simplified
Cantonese (啲钱都冇晒). 10 mixed lines (a Traditional report quoting a Simplified sentence and the reverse). Two golds
were corrected after the first run where the blind gold was not Taiwan usage (賬 -> 帳, 發佈會 -> 發布會).

Measured (exact; main at c21c7b42 -> after review 18): Traditional 100/107 -> 107/107 (晒 and 吓 are Cantonese words
in a Cantonese sentence, curate/zh/cantonese.py; hiragana with a kanji only Japanese writes is Japanese,
curate/zh/japanese.py), Simplified 27/49 -> 29/49, mixed 7/10 -> 7/10; character error rate 0.0148 -> 0.0106. Left
as written blind: golds the project's Taiwan usage answers otherwise (存款準備率, 數位人民幣, 入帳, 理財商品, 報酬率,
身分驗證, 聯絡, 這檔股票, 防制洗錢, 經理人, 清償能力, 契約, 股東會, 買回, 支援, 繳款), 點贊 (Taiwan: 點讚), 台 -> 臺 in
Simplified input (台湾, 后台积电), 衣服干了 / 干活 and 千里之行始于足下 (no Simplified-only character: neutral, kept),
于总和 (于 a surname or a preposition).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from shared_scorer import assert_traditional_records_unchanged, zh_set_score

SET = Path(__file__).with_name("heldout_like_h18.jsonl")


@pytest.mark.parametrize("batch", [False, True], ids=["normalise", "normalise_many"])
def test_tenth_heldout_like_set_meets_floors(eval_dev, tmp_path, batch):
    score, last = zh_set_score(
        eval_dev, SET, tmp_path, batch=batch, kinds={"traditional_unchanged": 107, "simplified_to_tw": 49, "mixed": 10}
    )
    assert score["exact_traditional_unchanged"] == 1.0, last  # main: 100/107
    assert score["cer_traditional_unchanged"] == 0.0, last
    assert score["exact_simplified_to_tw"] >= 0.59, last  # 29/49 (main: 27/49)
    assert score["exact_mixed"] >= 0.7, last  # 7/10
    assert score["cer_all"] <= 0.011, last  # main: 0.0148


def test_traditional_records_come_back_as_the_same_object():
    assert_traditional_records_unchanged(SET)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("唔該晒，多謝晒你哋。", "唔該晒，多謝晒你哋。"),  # Cantonese 晒 ("all"): kept
        ("你做乜嘢吓？我唔明白。", "你做乜嘢吓？我唔明白。"),  # Cantonese 吓 ("huh?"): kept
        ("佢哋全部走晒，啲钱都冇晒。", "佢哋全部走晒，啲錢都冇晒。"),  # Simplified Cantonese: 晒 kept, 钱 converted
        ("等吓先，我揾咗份工。", "等吓先，我搵咗份工。"),  # 揾 is a Simplified form in Cantonese too
        ("晒太陽對身體好。", "曬太陽對身體好。"),  # a Mandarin sentence: 晒 is 曬's Simplified form
        ("吓死我了，这个银行真是的。", "嚇死我了，這個銀行真是的。"),  # Mandarin 吓: 嚇
        ("株式会社三菱UFJ銀行の決算発表。", "株式会社三菱UFJ銀行の決算発表。"),  # 発: Japanese
        ("本行与株式会社三菱UFJ银行签约。", "本行與株式會社三菱UFJ銀行簽約。"),  # no hiragana: Chinese
        ("小熊の店开业，欢迎光临。", "小熊の店開業，歡迎光臨。"),  # の without a Japanese kanji: Chinese
        ("我在東京駅の便利店买了东西。", "我在東京駅の便利店買了東西。"),  # 买, 东: only Chinese writes them
    ],
)
def test_cantonese_words_and_japanese_forms(text, expected):
    from curate.zh import normalise, normalise_many

    assert normalise(text).text == expected
    assert normalise_many([text, "账户余额不足。"])[0].text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("佢喺天台晒衫。", "佢喺天台曬衫。"),  # Cantonese writes 曬衫 too: 晒 before what is put in the sun
        ("佢哋去沙滩晒太阳。", "佢哋去沙灘曬太陽。"),
        ("佢吓到我喊。", "佢嚇到我喊。"),  # 吓 before what a fright does: 嚇
        ("广东人把没有说成冇，我们周末去晒太阳吧。", "廣東人把沒有說成冇，我們週末去曬太陽吧。"),  # 冇 quoted
        ("他在微博上说有啲累，然后去晒被子了。", "他在微博上說有啲累，然後去曬被子了。"),  # Weibo 啲
        ("冇问题，晒单返现活动已开始。", "冇問題，曬單返現活動已開始。"),
        ("唔好意思，这件事吓坏了大家。", "唔好意思，這件事嚇壞了大家。"),
        ("佢食晒啲嘢，试吓先啦。", "佢食晒啲嘢，試吓先啦。"),  # 晒 "all", 吓 "a bit": kept
    ],
)
def test_sun_and_fright_senses_are_converted_in_any_sentence(text, expected):
    from curate.zh import normalise, normalise_many

    assert normalise(text).text == expected
    assert normalise_many([text, "账户余额不足。"])[0].text == expected
