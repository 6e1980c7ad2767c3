"""OpenCC's pairs 尽快 -> 儘快 (and 尽量, 尽管, 尽早, 尽先, 尽可能) hold after 会, 将, 不 too (review 10).

s2twp matches its phrases 会尽, 将尽, 不尽 (會盡, 將盡, 不盡) first, so "我们将尽快通知您" became 將盡快 and "会尽量" 會盡量,
while the bare word is 儘快 (OpenCC's own pair, the MOE form and the dev set's policy). schemas/zh/terminology.tsv holds
them as `opencc` rows; 尽 elsewhere (無窮無盡, 盡職調查, 取之不盡) stays 盡. Traditional 盡快 is left as written."""

import pytest

from curate.zh import normalise


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("我们将尽快通知您审核结果。", "我們將儘快通知您審核結果。"),
        ("本行会尽量缩短放款时间。", "本行會儘量縮短放款時間。"),
        ("不尽早处理会影响信用。", "不儘早處理會影響信用。"),
        ("客服会尽可能在当天回复。", "客服會儘可能在當天回覆。"),
        ("尽管利率上升，房贷需求仍然强劲。", "儘管利率上升，房貸需求仍然強勁。"),
        ("银行应当尽职调查，无穷无尽的文件也要看完。", "銀行應當盡職調查，無窮無盡的文件也要看完。"),
    ],
)
def test_jin_words_after_a_phrase_start(text, want):
    assert normalise(text).text == want


def test_traditional_jin_kuai_is_untouched():
    text = "本行將盡快完成系統移轉，並儘量減少對客戶之影響。"
    assert normalise(text).text is text
