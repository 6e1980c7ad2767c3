"""One table of Han numerals (sources/numerals.py), read by the FSC fine parser and the dedup survivor rule."""

import pytest

import curate.dedup.survivor as survivor
import sources.fsc_parse as fsc_parse
from sources import numerals


def test_one_table_for_fines_and_editions():
    # two copies (fsc_parse._CN_DIGITS, survivor._HAN_DIGITS) could drift apart: both read the shared one
    assert survivor.HAN_DIGITS is numerals.HAN_DIGITS is fsc_parse.HAN_DIGITS
    assert survivor.HAN_UNITS is numerals.HAN_UNITS is fsc_parse.HAN_UNITS


@pytest.mark.parametrize(
    "han, fine, edition",
    [("一千二百", 12_000_000, "第一千二百版"), ("兩千", 20_000_000, "兩千版"), ("十五", 150_000, "十五版")],
    ids=["thousands", "liang", "teens"],
)
def test_fines_and_editions_read_alike(han, fine, edition):
    assert fsc_parse.parse_amount(han + "萬") == fine
    assert survivor.version_order(edition) == survivor.version_order(edition.replace(han, str(fine // 10_000)))
