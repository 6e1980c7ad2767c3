"""Review 12's name rules, each found missing by the held-out-like set ``heldout_like_names2.txt``: a name after a
time and a space (chat and call logs), a name before a dictionary verb at a sentence's start, an English given
name beside the Han surname, a labelled name that a line break splits after its surname."""

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
        ("09:41 吳家豪：我剛剛轉了五萬過去", "吳家豪"),  # a chat log's time, a space, the speaker
        ("2024-05-02 16:47 李明哲 要求調高額度", "李明哲"),
        ("Case 12 吳家豪來電詢問", "吳家豪"),
    ],
)
def test_a_name_after_a_time_or_number_and_a_space(det, text, name):
    assert name in _names(det, text)


@pytest.mark.parametrize(
    ("text", "name"),
    [("方建國回覆將於月底前補件。", "方建國"), ("藍正雄否認曾經提領該筆款項。", "藍正雄")],
)
def test_a_name_ends_before_a_dictionary_verb(det, text, name):
    assert name in _names(det, text)


@pytest.mark.parametrize(
    "text",
    [
        "萬泰商業銀行已與台新銀行合併。",  # a one-character given name has no such end (萬泰|商業)
        "本行於金門、馬祖設有服務據點。",
        "高鐵左營站旁設有自動櫃員機。",  # the surname and the next character are a word (高鐵, 簡訊)
        "客戶已收到簡訊驗證碼。",
    ],
)
def test_a_word_before_a_verb_is_no_name(det, text):
    assert _names(det, text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("理專 Kevin 黃 已聯繫客戶。", "Kevin 黃"),
        ("黃 Kevin 下午會到分行", "黃 Kevin"),
        ("From: Amy 黃\nSent: Monday", "Amy 黃"),
        ("Thanks,\nJason 林\n數位金融處", "Jason 林"),
        ("張 Tony 表示已完成匯款。", "張 Tony"),
        ("Amy 張雅婷負責本次專案。", "Amy 張雅婷"),  # the English name goes with the Han one
        ("--\n葉家銘 Kevin Yeh\n法人金融部 副理", "Kevin Yeh"),  # a signature's romanisation after the Han name
    ],
)
def test_an_english_given_name_beside_the_surname(det, text, name):
    assert name in _names(det, text)


@pytest.mark.parametrize(
    "text",
    ["Dior 包款分期零利率", "支援 Apple Pay 及 Google Pay", "Visa 金卡年費減免", "May 金價走勢", "高雄 Kaohsiung 分行"],
)
def test_a_brand_or_word_beside_a_surname_character_is_no_name(det, text):
    assert _names(det, text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [("申請人：林\n佳慧", "林\n佳慧"), ("姓名：王\n小明\n電話：0912345678", "王\n小明")],
)
def test_a_labelled_name_split_by_a_line_break_is_covered_whole(det, text, name):
    assert name in _names(det, text)


def test_a_label_before_a_wrapped_line_of_text_is_no_name(det):
    assert _names(det, "申請人：林\n業務部門負責審核") == []


@pytest.mark.parametrize("text", ["林佳蓉授信講義", "Kevin 黃", "2023 王小明"])
def test_file_names_are_read_without_these_rules(text):
    """A file name's doc key must stay the one a catalogue made before holds (tests/pii/test_file_names_round10_rules.py):
    the detector of file names (segmented_names off) reads none of review 12's slots."""
    from curate.pii.engine import DetectorConfig

    assert _names(PiiDetector(DetectorConfig(segmented_names=False)), text) == []
