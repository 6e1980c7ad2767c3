"""FSC sanction cases through the real ingest, PII stage and export (review 9).

* Every label the FSC parser reads as the respondent (相對人, 被處分人 ...) is a name label of the detector: a
  foreign or five-character respondent after 相對人 was exported raw (``Nguyen Thi Lan``) or cut (``〔姓名〕月花``).
* A sanctioned institution after such a label (受處分人：玉山銀行, 花旗（台灣）商業銀行股份有限公司) is not a person:
  it was scrubbed, and as a labelled name in every record of the source.
* A document number's serial (字第0928011234號) is not a mobile number.
"""

import pytest

from curate.pii.engine import PiiDetector
from sources.fsc import LABELS

PERSON_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>裁罰案件</title></head><body><div class="content">
<p>發文日期：114年11月3日</p><p>{label}：{name}</p>
<p>主旨：核處相對人新臺幣30萬元罰鍰。</p>
<p>事實：相對人擔任保險業務員期間，未經授權代要保人簽名。</p>
<p>理由及法令依據：違反保險法第167條之2規定，並參照台財保字第0910712345號函。</p>
</div></body></html>"""

PEOPLE = {
    "相對人": "Nguyen Thi Lan",
    "被處分人": "阮氏明月花",
    "受處分對象": "Maria Santos",
    "受處分人名稱": "瓦歷斯·諾幹",
    "受裁罰及處分之對象": "Tran Van Minh",
}


@pytest.fixture
def detector():
    return PiiDetector()


@pytest.mark.parametrize("label", LABELS["respondent"] + LABELS["representative"])
def test_every_fsc_respondent_label_names_a_person(detector, label):
    text = f"{label}：Nguyen Thi Lan\n{label}：阮氏明月花"
    found = [text[s.start : s.end] for s in detector.analyze(text) if s.entity_type == "PERSON"]
    assert found == ["Nguyen Thi Lan", "阮氏明月花"], label


@pytest.mark.parametrize(
    "text",
    [
        "受處分人：玉山銀行",
        "相對人：富邦人壽",
        "受處分人：凱基證券",
        "被處分人：示範投信",
        "受處分人：花旗（台灣）商業銀行股份有限公司",
        "相對人：匯豐(台灣)商業銀行",
    ],
)
def test_an_institution_after_a_respondent_label_is_kept(detector, text):
    assert [s for s in detector.analyze(text) if s.entity_type == "PERSON"] == []


@pytest.mark.parametrize(
    ("text", "name"),
    [("受處分人：林示範即示範商行", "林示範"), ("受處分人：王小明（業務員）任職於示範銀行", "王小明")],
)
def test_a_person_after_a_respondent_label_is_still_found(detector, text, name):
    assert [text[s.start : s.end] for s in detector.analyze(text) if s.entity_type == "PERSON"] == [name]
