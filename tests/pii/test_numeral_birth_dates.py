"""Review 13: a date of birth in Chinese numerals (出生日期：民國七十三年八月二十日, a typed or handwritten form)
went through; the date rule read digits only. An event date in numerals stays (no birth word near)."""

import pytest

from curate.pii.engine import PiiDetector


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("出生日期：民國七十三年八月二十日", "民國七十三年八月二十日"),
        ("出生日期（民國）：七十三年八月二十日　性別：女", "七十三年八月二十日"),
        ("生日：民國一百零二年三月五日（未成年）", "民國一百零二年三月五日"),
    ],
)
def test_a_birth_date_in_numerals_is_found(det, text, date):
    assert (date, "DATE_OF_BIRTH") in [(text[s.start : s.end], s.entity_type) for s in det.analyze(text)]


@pytest.mark.parametrize("text", ["於民國一百十二年五月三日簽約", "中華民國一百一十三年十二月三十一日公布施行"])
def test_an_event_date_in_numerals_stays(det, text):
    assert det.analyze(text) == []
