"""Review 18: a card's or a product's name that opens a line or a field (``金龍卡持卡人享…``, ``高金利定存專案``,
a JSON value ``"金龍卡"``) was scrubbed as a two-character name (surname 金/高 and one given character), because
卡 and 利 end a name (王明卡號, 李強利用). A one-given-character name with only a separator on its left now needs
what follows to open a word: a verb, a particle, a word said after a name or a dictionary word."""

import pytest


@pytest.mark.parametrize(
    "text",
    [
        "金龍卡持卡人享機場接送。",
        "高金利定存專案即日起開辦。",
        '{"productName": "金龍卡", "rate": "1.5%"}',
        "本行金龍卡享有高金額回饋。",
    ],
)
def test_a_product_name_is_no_person(det, text):
    assert [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"] == [], text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("王明卡號遭盜刷", "王明"),
        ("李強利用人頭帳戶", "李強"),
        ("，王強匯款", "王強"),
        ("。林芳存入現金", "林芳"),
        ("、張偉、", "張偉"),
        ("李敏、王偉及張傑三人為連帶保證人", "王偉"),
        ("1 20:06：潘婉詢問房貸利率調整", "潘婉"),
        # a list's or a table's row goes on with an adverb or a function word, no dictionary word (review 18's
        # review: the rule above dropped them)
        ("- 李娜 已結清", "李娜"),
        ("李娜\t已結清", "李娜"),
        ("林強未繳三期。", "林強"),
        ("周杰 曾借款", "周杰"),
        ("李娜 將於下月還款", "李娜"),
        ("黃蓉 為連帶保證人", "黃蓉"),
        ("郭靖 等三人", "郭靖"),
        ("王芳 亦為保證人", "王芳"),
    ],
)
def test_a_two_character_name_stays_found(det, text, name):
    assert name in [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"], text
