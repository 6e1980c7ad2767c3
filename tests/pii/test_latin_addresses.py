"""Review 13: a Taiwan address written in English (Chunghwa Post's romanisation) went through; the Han address rule
reads Han only (curate/pii/latin_addresses.py)."""

import pytest

from curate.pii.engine import PiiDetector


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "Mailing address: No. 5, Ln. 12, Sec. 3, Zhongshan Rd., Zhongshan Dist., Taipei City 104",
            "No. 5, Ln. 12, Sec. 3, Zhongshan Rd., Zhongshan Dist., Taipei City 104",
        ),
        (
            "Residential Address: 7F., No. 221, Sec. 2, Wenxin Rd., Xitun Dist., Taichung City 407",
            "7F., No. 221, Sec. 2, Wenxin Rd., Xitun Dist., Taichung City 407",
        ),
        (
            "寄送地址 3F-2, No. 15, Aly. 4, Ln. 78, Xinyi Rd., Banqiao Dist., New Taipei City 220，請查收",
            "3F-2, No. 15, Aly. 4, Ln. 78, Xinyi Rd., Banqiao Dist., New Taipei City 220",
        ),
    ],
)
def test_an_english_address_is_found_whole(det, text, address):
    assert (address, "TW_ADDRESS") in [(text[s.start : s.end], s.entity_type) for s in det.analyze(text)]


@pytest.mark.parametrize(
    "text",
    [
        "總行地址：No. 100, Sec. 1, Chongqing S. Rd., Zhongzheng Dist., Taipei City（本行）",
        "Head Office: No. 100, Sec. 1, Chongqing S. Rd., Zhongzheng Dist., Taipei City 100",
        "Ln. 12 and Sec. 3 are the abbreviations used by Chunghwa Post.",
        "See No. 5, Article 12 of the Banking Act.",
        "Cathay United Bank, No. 7, Songren Rd., Xinyi Dist., Taipei City",
        "Company address: 15F, No. 1, Songzhi Rd., Xinyi Dist., Taipei City (Taiwan Life Insurance Co., Ltd.)",
        "Goods are shipped to our warehouse at No. 3, Gongye 1st Rd., Guanyin Dist., Taoyuan City.",
    ],
)
def test_an_institution_or_no_address_stays(det, text):
    assert [s for s in det.analyze(text) if s.entity_type == "TW_ADDRESS"] == []
