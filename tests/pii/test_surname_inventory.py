"""Review 7 (F1): the surname inventory is the household register's, and word-like surnames need more evidence.

Ordinary Taiwanese surnames outside the old hand-picked list (岳 盛 龐 車 佘 計) are found in name slots; characters
that are rare surnames but very common words (和 時 東 國 解 ...: ``names.toml word_surnames``) are names only with a
name-like given name, so the words they start stay text.
"""

import pytest


@pytest.fixture(scope="module")
def persons():
    from curate.pii.engine import PiiDetector

    det = PiiDetector()
    return lambda text: [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"]


@pytest.mark.parametrize(
    "text,value",
    [
        ("投資人岳思穎的帳戶。", "岳思穎"),
        ("客戶盛宥辰報案。", "盛宥辰"),
        ("客戶龐信宏來電。", "龐信宏"),
        ("客戶車家睿來電。", "車家睿"),
        ("佘宗霖先生轉入帳號之款項退回。", "佘宗霖"),
        ("行員計依婷受理客戶開戶。", "計依婷"),
        ("客户庞信宏来电。", "庞信宏"),
        ("債務人辜振宇，地址不詳。", "辜振宇"),
    ],
)
def test_surnames_of_the_register_are_found(persons, text, value):
    assert persons(text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "委託人國民身分證統一編號另附。",
        "開戶時留存手機號碼。",
        "並命該行解除經理人職務。",
        "保證人通訊處另附。",
        "借戶盛豐水產有限公司申請貸款。",
        "放款及投資有價證券時，應建立資產負債之管理制度。",
        "十五、公積金及公益金之使用。",
        "和平解決爭議。",
        "時間到了。",
        "東部地區的客戶。",
    ],
)
def test_word_like_surnames_need_a_name_like_given_name(persons, text):
    assert persons(text) == []


def test_a_word_before_a_name_is_not_its_surname(persons):
    assert persons("客戶和王小明約定。") == ["王小明"]


def test_inventory_has_no_duplicates_and_word_surnames_apart():
    from curate.pii.names import SINGLE_SURNAMES, WORD_SURNAMES

    assert len(set(SINGLE_SURNAMES)) == len(SINGLE_SURNAMES)
    assert len(set(WORD_SURNAMES)) == len(WORD_SURNAMES)
    assert set(SINGLE_SURNAMES) & set(WORD_SURNAMES) == set()
    assert set("岳盛龐車佘計") <= set(SINGLE_SURNAMES + WORD_SURNAMES)
