"""A Simplified typo in a Traditional clause is converted with the word that holds it (review 10).

In a clause that is otherwise Traditional only the Simplified-only characters were converted, one by one, so the
one-to-many character beside them in the same word kept its Simplified reading: 后续將持續追蹤 became 后續將持續追蹤
(後續). Now the whole word of jieba's segmentation that holds
a Simplified-only character takes s2tw's phrase; characters outside that word, and Traditional-only ones, stay."""

from curate.zh import normalise


def test_word_holding_a_simplified_character_is_converted_whole():
    text = "金管會今日公布裁罰案件。後續處理如下：后续將持續追蹤改善情形。"
    out = normalise(text)
    assert out.text == "金管會今日公布裁罰案件。後續處理如下：後續將持續追蹤改善情形。"
    assert [(e.offset, e.before, e.after) for e in out.edits] == [
        (19, "后", "後"),
        (20, "续", "續"),
    ]  # both in the ledger


def test_characters_outside_that_word_stay():
    # 将 is Simplified-only, but 皇后 is another word: the queen stays
    assert (
        normalise("香港皇后大道中分行将於明年開業，並持續擴展業務。").text
        == "香港皇后大道中分行將於明年開業，並持續擴展業務。"
    )
    # the place name 后里 holds no Simplified character
    assert normalise("后里區農會将持續辦理小額放款。").text == "后里區農會將持續辦理小額放款。"


def test_traditional_text_is_untouched():
    text = "皇后鎮分行之後續事宜，由后里分行辦理。"
    assert normalise(text).text is text
