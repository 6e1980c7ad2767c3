"""Review 18: a name after an English phrase that says a person acted (``approved by``, ``authorised by``) was
found only when its first word was a romanised Chinese, Vietnamese or Hokkien surname or the name had a listed
surname last: ``Loan approved by JOHN SMITH``, ``Transfer authorised by MARY TAN`` went through in clear (English
surnames are on no list), and so did a sentence-initial ``Checked by`` (the phrase was matched in lower case only).
An English given name first and one or two more words now make the name; a unit's words still make none."""

import pytest


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Loan approved by JOHN SMITH on 2024-02-01.", "JOHN SMITH"),
        ("Transfer authorised by MARY TAN (Treasury).", "MARY TAN"),
        ("Loan approved by John Smith on 2024-02-01.", "John Smith"),
        ("Checked by Mary Tan.", "Mary Tan"),
        ("Reviewed by KEVIN LIN on 3/4, pending.", "KEVIN LIN"),
        ("APPROVED BY JOHN SMITH", "JOHN SMITH"),
        ("Limit increase verified by Peter Walker, Credit Dept.", "Peter Walker"),
    ],
)
def test_a_name_after_an_act_phrase_is_found(det, text, name):
    found = [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"]
    assert name in found, (text, found)


@pytest.mark.parametrize(
    "text",
    [
        "approved by Credit Committee",
        "Approved By Credit Committee",
        "approved by Board of Directors",
        "approved by Head Office",
        "signed by Bank Manager",
        "approved by RISK MANAGEMENT DEPT",
        "processed by System Batch",
        "verified by Customer Service",
        "handled by Call Center Team",
        "prepared by Finance Dept",
    ],
)
def test_a_unit_after_an_act_phrase_is_no_name(det, text):
    assert [s for s in det.analyze(text) if s.entity_type == "PERSON"] == [], text
