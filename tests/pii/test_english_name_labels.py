"""A person's English name after its label and a space, no colon (review 14): ``英文名 Chen Chih-Ming``, ``English
name Huang Wei-Lun``, and a holder's name after ``帳戶名稱：``; a fund's, a bank's or a card's English name stays."""

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
        ("客戶中文名：陳志明，英文名 Chen Chih-Ming，護照號碼312845067。", "Chen Chih-Ming"),
        ("英文名 Lin Ya-Ting，與護照所載相同。", "Lin Ya-Ting"),
        ("英文名：KAO HSIN-YI", "KAO HSIN-YI"),
        ("English name Huang Wei-Lun，身分證 E180200778", "Huang Wei-Lun"),
        ("Name in English CHEN YI-TING", "CHEN YI-TING"),
        ("帳戶名稱：Sayun Yuraw，帳號00812256339012", "Sayun Yuraw"),
        ("帳戶名稱：王美惠，帳號00812256339012", "王美惠"),
    ],
)
def test_the_english_name_is_found(det, text, name):
    assert name in _names(det, text)


@pytest.mark.parametrize(
    "text",
    [
        "基金英文名 Allianz Global Income Fund",
        "本行英文名 Bank SinoPac，SWIFT：SINOTWTP",
        "English name Visa Infinite Card，中文名無限卡",
        "帳戶名稱：示範科技股份有限公司",
        "English name of the fund: Asia Pacific Equity",
        # review 14 of the fixes: 帳戶名稱 names an account's kind as often as its holder
        "帳戶名稱：活期儲蓄",
        "帳戶名稱：備償專戶",
        "帳戶名稱：外幣綜存，帳號00812256339012",
    ],
)
def test_a_thing_s_english_name_stays(det, text):
    assert _names(det, text) == []
