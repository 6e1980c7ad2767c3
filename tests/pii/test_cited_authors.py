"""Authors in a citation keep their names (review 14): a name with a year of publication after it in a citation's
form is public authorship, not a customer's data; a customer's name before a year stays scrubbed."""

import pytest

from curate.pii.engine import PiiDetector


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


def _names(det, text):
    return [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"]


@pytest.mark.parametrize(
    "text",
    [
        "（參見張志銘，2018，頁112）",
        "陳聰明（2020）指出，數位存款帳戶之KYC程序應依風險分級。",
        "參考文獻：李文德、王曉君（2017）。金融消費者保護法釋義。台北：元照。",
        "林大同與陳美玲（2015a）的研究發現",
        "黃志強等（2016，頁45）認為",
        "（林聰明，2021）為一般性參考文獻。",
        "陳聰明（2020）、李大同（2019）指出",
        "據林美玲（2021）研究，利率風險上升。",
    ],
)
def test_a_cited_author_stays(det, text):
    assert _names(det, text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("客戶王小明（1962）申請房貸", "王小明"),
        ("申請人：陳美玲（2018年開戶）", "陳美玲"),
        ("經查黃大年（身分證號碼A123456789）", "黃大年"),
        # review 14 of the fixes: a year in brackets is no citation when no citation's words follow it
        ("陳聰明（2020）於本行申請房貸，手機0912345678。", "陳聰明"),
        ("陳聰明（2020）、李大同（2019）、王小明（1962）三人共同借款。", "王小明"),
        ("陳聰明（2020）、李大同（2019）、王小明（1962）三人共同借款。", "陳聰明"),
    ],
)
def test_a_person_before_a_year_is_found(det, text, name):
    assert name in _names(det, text)
