"""Floors on a fifth hand-written held-out-like set (``tests/zh/heldout_like_h13.jsonl``, review 13), and OpenCC's
别着 / 别气 phrases.

Written blind (without reading the dev set's or the other held-out-like sets' items, before running the code) by the
reviewer of round 13: 124 records. 50 Taiwan-Traditional bank texts that must come back byte-identical, dense in
characters that are also valid Simplified forms (后里, 皇后, 天后, 干擾素, 若干, 里長, 公里, 太麻里, 台中, 這台, 系爭, 只要, 准予,
生肖, 肖像權, 不肖, the surnames 余/范/于/肖/葉/鍾, 范姜; three made only of characters both scripts share: 于先生在台中上班);
52 Simplified financial, IT and daily sentences to Taiwan usage (软件→軟體, 信息→資訊, 网络→網路, 打印→列印, 打印机→印表機,
默认→預設, 短信→簡訊, 数据库→資料庫, 芯片→晶片, 美联储 加息, 国债收益率, 身份证复印件; 余额/余下 against 余先生/余伟, 范围/模范
against 范先生, 于是/于下月 against 于女士/于晓明, 叶子 and 叶先生, 肖先生, 肖像权, 头发, 台风, 面包店, 三只猫, 系好, 制造, 准时,
冲进, 征收, 十点钟, 干了/干什么, 以后台风, 别着); 22 mixed records (a Traditional sentence, then a Simplified one; ``\\n``
and ``\\r\\n`` between them).

Measured (exact; main at 2711605 -> after review 13): Traditional 50/50 -> 50/50 (0 characters changed), Simplified
43/52 -> 44/52, mixed 15/22 -> 16/22 (别着: OpenCC's phrase 别着 -> 彆著, fixed by a terminology entry). The misses are
kept as written blind. Arguable golds where the project writes ordinary Taiwan usage: 手机银行 -> 行動銀行 (twice),
连接 -> 連線, 小额贷款 -> 小額信貸, 营业厅 -> 門市, 客户信息 -> 客戶資料, 消息 -> 訊息 (the dev policy keeps 消息). Wrong: 余伟 /
于晓明 as names without a title (餘偉, 於曉明; three records), 衣服干了 (幹, twice), and 面包店的老板 next to a Traditional
sentence (made only of characters both scripts share: left as it is).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from shared_scorer import assert_traditional_records_unchanged, zh_set_score

SET = Path(__file__).with_name("heldout_like_h13.jsonl")


@pytest.mark.parametrize("batch", [False, True], ids=["normalise", "normalise_many"])
def test_fifth_heldout_like_set_meets_floors(eval_dev, tmp_path, batch):
    score, last = zh_set_score(
        eval_dev, SET, tmp_path, batch=batch, kinds={"traditional_unchanged": 50, "simplified_to_tw": 52, "mixed": 22}
    )
    assert score["exact_traditional_unchanged"] == 1.0, last
    assert score["exact_simplified_to_tw"] >= 0.84, last  # 44/52
    assert score["exact_mixed"] >= 0.72, last  # 16/22


def test_traditional_records_come_back_as_the_same_object():
    assert_traditional_records_unchanged(SET)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("您别着急，我们马上处理。", "您別著急，我們馬上處理。"),  # s2twp: 彆著急
        ("他胸前别着一枚徽章。", "他胸前別著一枚徽章。"),
        ("天冷了，别着凉。", "天冷了，別著涼。"),
        ("别气了，明天再说。", "別氣了，明天再說。"),  # s2twp: 彆氣了
        ("你别气馁。", "你別氣餒。"),
        ("他俩闹别扭了。", "他倆鬧彆扭了。"),  # 彆 where the MOE writes it
        ("分别着手调查。", "分別著手調查。"),
    ],
)
def test_the_imperative_bie_is_not_written_with_the_bie_of_awkward(text, expected):
    from curate.zh import normalise, normalise_many

    assert normalise(text).text == expected
    assert normalise_many([text, "账户余额不足。"])[0].text == expected
