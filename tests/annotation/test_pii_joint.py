"""Several annotators of one PII review task are judged together (review 5, annotation #1): one annotator's 非個資
never unmasks what another read as personal data, and every annotator's 漏標 is masked."""

from __future__ import annotations

import pytest
from test_review_hostile import _region, _task

from annotation.decide import decide_pii, joint_member, task_reviews
from annotation.review import Review, combine_reviews
from provenance.errors import ConfigError

TEXT = "客戶〔姓名〕來電，卡號〔卡號〕，客訴紀錄如下。"
VALUES = [("PERSON", "歐陽志明"), ("CARD", "4111111111111111")]


def _data():
    return _task(TEXT, ["歐○○明", "4111****1111"])


def _task_of(*results):
    data = _data()
    return {"data": data, "annotations": [{"id": i + 1, "result": r} for i, r in enumerate(results)]}


def _one(verdict_name, verdict_card="正確", missed=False):
    shown = _data()["text"]
    out = _region(shown, 2, 6, "姓名", verdict_name, "n") + _region(shown, 11, 23, "卡號", verdict_card, "c")
    if missed:
        a = shown.index("客訴紀錄")
        out += _region(shown, a, a + 4, "其他", "漏標", "m")
    return out


def _decide(own, *peers_results):
    task = _task_of(own, *peers_results)
    reviews = task_reviews(task, TEXT)
    peers = [r for aid, r in reviews.items() if aid != 1]
    return decide_pii(TEXT, own, True, data=task["data"], originals=lambda: VALUES, peers=peers)


def test_not_pii_against_a_confirmation_keeps_the_name_masked_and_applies_the_others_missed_region():
    d = _decide(_one("非個資"), _one("正確", missed=True))
    assert not d.restored and "歐陽志明" not in d.new_text
    assert d.new_text == "客戶〔姓名〕來電，卡號〔卡號〕，〔其他〕如下。"
    assert [s["index"] for s in d.result["disagreed"]] == [0] and not d.result["not_pii"]
    # the same with the order reversed
    d = _decide(_one("正確", missed=True), _one("非個資"))
    assert not d.restored and d.new_text == "客戶〔姓名〕來電，卡號〔卡號〕，〔其他〕如下。"


def test_not_pii_against_no_verdict_or_a_retype_is_a_disagreement_and_agreement_restores():
    for other in (None, "類型錯誤"):
        d = _decide(_one("非個資"), _one(other))
        assert not d.restored and d.new_text is None, other  # nothing else changed: no new version
        assert [s["index"] for s in d.result["disagreed"]] == [0], other
    d = _decide(_one("非個資"), _one("非個資"))
    assert [r[1] for r in d.restored] == ["歐陽志明"] and "disagreed" not in d.result


def test_a_lone_reviewer_is_decided_as_before_and_a_joint_member_applies_nothing():
    alone = _decide(_one("非個資"))
    assert [r[1] for r in alone.restored] == ["歐陽志明"]
    member = joint_member(alone, 7)
    assert member.new_text is None and not member.restored and member.detail["applied_with"] == 7


@pytest.mark.parametrize(
    ("a", "b", "kind"), [("confirmed", "confirmed", "confirmed"), ("rejected", "confirmed", "confirmed")]
)
def test_silence_takes_the_other_reading(a, b, kind):
    item = {"index": 0, "start": 2, "end": 6, "type": "姓名"}
    got = combine_reviews([Review(**{a: [dict(item)]}), Review(**{b: [dict(item)]})])
    assert [s["index"] for s in getattr(got, kind)] == [0] and not got.disagreed


def _alone(**kw):
    text = "客戶〔姓名〕來電"
    region = {"id": "n", "from_name": "pii", "to_name": "text", "type": "labels"}
    region["value"] = {"start": 2, "end": 6, "labels": ["姓名"]}
    verdict = {
        "id": "n",
        "from_name": "verdict",
        "to_name": "text",
        "type": "choices",
        "value": {"choices": ["非個資"]},
    }
    return decide_pii(text, [region, verdict], True, **kw)


def test_fewer_readings_than_wanted_restore_nothing():
    """Review 5 second pass, annotation #1: a 非個資 with fewer readings than the project wants stays masked."""
    assert _alone(originals=lambda: [("PERSON", "王小明")]).restored
    d = _alone(originals=lambda: [("PERSON", "王小明")], need=2)
    assert d.new_text is None and not d.restored and [s["index"] for s in d.result["conflicts"]] == [0]


def test_not_pii_on_placeholders_the_vault_knows_no_values_of_stays_masked():
    """Annotation #4: on a version made by an earlier PII review the vault knows no values (``originals`` gives
    None); that stopped the whole project's pull as if the key were missing. Now the span stays masked."""
    d = _alone(originals=lambda: None)
    assert d.outcome == "reviewed" and d.new_text is None and not d.restored
    assert [s["index"] for s in d.result["conflicts"]] == [0] and d.detail["originals_unknown"] is True
    with pytest.raises(ConfigError, match="CURATE_PII_KEY"):  # without the key (no vault) it still stops
        _alone()
