"""Review 13: a number written with its country code in brackets, ``(+886)955-630-218`` (a customer abroad), went
through; an institution's line introduced in English (``our service line +886 2 2191 0000``) was scrubbed."""

import pytest

from curate.pii.engine import PiiDetector


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("客戶人在海外，請撥(+886)955-630-218與其聯繫。", "(+886)955-630-218"),
        ("Overseas contact: (+886) 2-2701-5538 (home)", "(+886) 2-2701-5538"),
        ("My office line is +886 2 2701 5538, after the service ends.", "+886 2 2701 5538"),
    ],
)
def test_a_personal_number_is_found(det, text, phone):
    assert (phone, "TW_PHONE") in [(text[s.start : s.end], s.entity_type) for s in det.analyze(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Overseas customers may call our service line +886 2 2191 0000.",
        "Customer service: +886-2-2191-0000 (24 hours)",
        "Call centre (toll-free in Taiwan) 02-2191-0000",
    ],
)
def test_an_institutions_line_in_english_stays(det, text):
    assert [s for s in det.analyze(text) if s.entity_type == "TW_PHONE"] == []
