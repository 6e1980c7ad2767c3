"""A second name after a labelled one and a slash (review 14: ``聯絡人：王小明 / 李大同``, a bilingual cell): the
detector, the stage's scrub and the CLI see it; a cell's attribute after the slash (高風險, 金卡, 男) stays."""

import json

import pytest

from curate.pii.engine import PiiDetector


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


def _names(det, text):
    return [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("聯絡人：王小明 / 李大同", ["王小明", "李大同"]),
        ("保證人：張淑芬／許建國（配偶）", ["張淑芬", "許建國"]),
        ("受款人 Beneficiary：吳家豪 / WU CHIA-HAO", ["吳家豪", "WU CHIA-HAO"]),
        ("緊急聯絡人：羅美惠 / 羅志偉，電話0939-668-011", ["羅美惠", "羅志偉"]),
        ("聯絡人：林明 / 王芳 / 歐陽娜娜", ["林明", "王芳", "歐陽娜娜"]),
    ],
)
def test_both_names_are_found(det, text, names):
    assert _names(det, text) == names


@pytest.mark.parametrize(
    "text", ["客戶：林志明 / 高風險", "持卡人：林志明 / 金卡", "申請人：林志明 / 男 / 45歲", "戶名：林志明 / 黃金存摺"]
)
def test_an_attribute_after_the_slash_stays(det, text):
    assert _names(det, text) == ["林志明"]


@pytest.mark.parametrize(
    "text",
    [
        "姓名：王小明 / Gold",
        "姓名：王小明 / Premier Banking",
        "持卡人：王小明 / World Elite",
        "聯絡人：王小明 / Taipei City",
    ],
)
def test_a_latin_attribute_after_the_slash_stays(det, text):
    """Review 14 of the fixes: any capitalised words after the slash were a second name."""
    assert _names(det, text) == ["王小明"]


def test_the_scrub_leaves_neither_name(cli, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "a", "text": "聯絡人：王小明 / 李大同"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    code, _, err = cli("-q", "pii", "scrub", "--input", str(src), "--output", str(out))
    assert code == 0, err
    text = json.loads(out.read_text(encoding="utf-8"))["text"]
    assert "王小明" not in text and "李大同" not in text, text
