"""A value after a field label is a name whatever it looks like, and it is covered whole: names with an honorific
after them, Vietnamese-style five-character names, Indigenous names with a middle dot, Latin-script names and the
sole-proprietor form `X即Y商行` were cut short (`〔姓名〕同先生`, `〔姓名〕·諾幹`) or missed."""

import pytest

from curate.pii.engine import PiiDetector
from curate.pii.scrubber import scrub

CASES = [
    ("負責人：林大同先生", "負責人：〔姓名〕先生"),
    ("受處分人：阮氏明月花", "受處分人：〔姓名〕"),
    ("受處分人：瓦歷斯·諾幹", "受處分人：〔姓名〕"),
    ("受處分人：瓦歷斯・諾幹，罰鍰新臺幣10萬元", "受處分人：〔姓名〕，罰鍰新臺幣10萬元"),
    ("理財專員李大同挪用客戶款項", "理財專員〔姓名〕挪用客戶款項"),
    ("姓名：林大同 性別：男", "姓名：〔姓名〕 性別：男"),
    ("姓名：林大同性別：男", "姓名：〔姓名〕性別：男"),  # as hygiene joins it
    ("負責人\t林大同", "負責人\t〔姓名〕"),
    ("姓名：Mary Wang", "姓名：〔姓名〕"),
    ("英文姓名：Mary Wang，國籍：美國", "英文姓名：〔姓名〕，國籍：美國"),
    ("負責人：John Smith", "負責人：〔姓名〕"),
    ("負責人：Kolas Yotaka", "負責人：〔姓名〕"),
    ("姓名：Ｍａｒｙ　Ｗａｎｇ", "姓名：〔姓名〕"),
    ("受處分人：林示範即示範商行", "受處分人：〔姓名〕即示範商行"),
    ("申請人：歐陽娜娜女士於112年申請", "申請人：〔姓名〕女士於112年申請"),
    ("持卡人：侯怡君，卡片遺失", "持卡人：〔姓名〕，卡片遺失"),  # 君 ends the given name here, not an honorific
]


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


@pytest.mark.parametrize(("text", "want"), CASES, ids=[c[0] for c in CASES])
def test_labelled_value_is_covered_whole(det, text, want):
    assert scrub(text, det.analyze(text)).text == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("客戶：我叫石淑賢，卡號遺失", "客戶：我叫〔姓名〕，卡號遺失"),  # a speaker label: speech, the name inside it
        ("客戶：ATM提款失敗", "客戶：ATM提款失敗"),  # one Latin word run into Han text is not a name
        ("負責人：不詳", "負責人：不詳"),
    ],
)
def test_what_is_not_a_labelled_name(det, text, want):
    assert scrub(text, det.analyze(text)).text == want


def test_a_metadata_value_under_a_label_key_is_covered_whole(det):
    from curate.pii.fields import field_label, labelled_text, unlabelled

    for key, value in [("英文姓名", "Mary Wang"), ("負責人", "林大同先生"), ("name", "Kolas Yotaka")]:
        label = field_label(key)
        spans = unlabelled(label, det.analyze(labelled_text(label, value)))
        assert [value[s.start : s.end] for s in spans] == [value.removesuffix("先生")], key
