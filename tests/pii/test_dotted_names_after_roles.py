"""A transliterated (aboriginal) name with middle dots right after a role label without a colon is a name whole
(review 11 r): ``相對人哈勇·諾幹未經核准`` was missed, and ``客戶瓦旦·巴萬`` was cut to 巴萬, leaving 瓦旦 in the
clear. Words joined by dots after a label (``客戶權益‧服務品質``) stay text."""

import pytest

from curate.pii.engine import PiiDetector


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


def _names(det, text):
    return [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("相對人哈勇·諾幹未經核准經營收受存款業務。", "哈勇·諾幹"),
        ("原住民客戶瓦旦·巴萬申請青年創業貸款。", "瓦旦·巴萬"),
        ("客戶瓦歷斯‧諾幹來電。", "瓦歷斯‧諾幹"),  # Big5's dot
        ("借款人巴奈・庫穗積欠本金。", "巴奈・庫穗"),  # katakana dot
        ("申請人伊凡·尤幹於本行開戶。", "伊凡·尤幹"),  # 伊凡: a dictionary word that is a name
        ("客戶瓦旦·巴萬今天到行辦理開戶。", "瓦旦·巴萬"),  # cut before a word
    ],
)
def test_a_dotted_name_after_a_role_label_is_whole(det, text, name):
    assert _names(det, text) == [name]


@pytest.mark.parametrize(
    "text",
    [
        "保障客戶權益‧提升服務品質。",
        "客戶服務·理財諮詢專區。",
        "申請人資格·應備文件·申請流程。",
        "受益人權利‧義務說明。",
        "負責人及董事·監察人名單。",
        "借款人須知・還款方式。",
        "客戶至上·誠信經營。",
    ],
)
def test_words_joined_by_dots_after_a_label_are_no_name(det, text):
    assert _names(det, text) == []
