"""Where a name in running text ends (review 9, generalisation): a verb after a one-character given name is the
verb's (借款人江蕙積欠: 江蕙, not 江蕙積), and a 君 after one given character ends the given name (客戶張雅君於: 張雅君, not
張雅 with 君 left visible after the scrub)."""

import pytest

from curate.pii.scrubber import scrub
from tests.helpers.pii_spans import names as _names


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("借款人江蕙積欠本金新臺幣12萬元。", "江蕙"),
        ("債務人柯萍欠繳利息三期。", "柯萍"),
        ("申請人蘇芸辦理展延。", "蘇芸"),
        ("客戶葉蓁表示不再續約。", "葉蓁"),
        ("借款人江蕙雯積欠本金。", "江蕙雯"),  # a two-character given name stays whole
        ("客戶李大同挪用。", "李大同"),  # no verb there: the cut would leave 同 visible
    ],
)
def test_a_verb_after_a_one_character_given_name_is_not_the_names(det, text, name):
    assert _names(det, text) == [name]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("客戶張雅君於櫃檯辦理。", "張雅君"),
        ("客戶林怡君申辦信用卡。", "林怡君"),
        ("理專王淑君挪用客戶款項。", "王淑君"),
        ("被告王小明君", "王小明"),  # after a two-character given name 君 is still a title
    ],
)
def test_jun_after_one_given_character_ends_the_name(det, text, name):
    assert _names(det, text) == [name]
    assert name[1:] not in scrub(text, det.analyze(text)).text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("經查黃大年（身分證號碼M128804070）利用職務之便盜領存款。", "黃大年"),
        ("經查高大年(ID A170561484)未依規定辦理。", "高大年"),
        ("被告許長年（男，民國70年生）涉犯銀行法。", "許長年"),
        ("經查阮氏秋（居留證號H991796480）為實際使用人。", "阮氏秋"),
    ],
)
def test_a_name_before_the_persons_particulars_in_brackets_is_found(det, text, name):
    """The particulars in a bracket right after a name (身分證號碼, 居留證, 男/女, 民國…年生) are evidence as an honorific
    is: the name is found whatever its given name reads like (大年, 長年)."""
    assert name in _names(det, text)


@pytest.mark.parametrize("text", ["查核報告（身分證影本）已補正。", "本行黃金存摺（男女皆可申辦）。", "高雄（男）"])
def test_a_word_before_such_a_bracket_stays(det, text):
    assert _names(det, text) == []
