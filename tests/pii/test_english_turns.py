"""An English transcript's turn after a speaker's tag is what the person says, not their name (review 15):
``Customer: Sure, thanks.`` read a customer named Sure, scrubbed it and, as a labelled name, propagated it to every
record of the source. A name after the same tag is still one."""

import pytest

TURNS = [
    "Agent: Is there anything else I can help with?\nCustomer: Sure, thanks. That's all.",
    "Agent: Thank you for calling.\nCustomer: Thanks, bye.",
    "Customer: Hi, I lost my card yesterday.\nAgent: Sorry to hear that.",
    "Agent: What is your date of birth?\nCustomer: It's 12 June 1990.",
    "Agent: Your date of birth?\nCustomer: March 14, 1982",
    "Agent: Your date of birth?\nCustomer: May 3, 1985",
    "Agent: Can I have your mobile number?\nCustomer: Yes, 0928-416-730.",
    "Customer: Okay, noted.",
    "Agent: Good morning, this is the card centre.\nCustomer: Morning. I want to dispute a charge.",
]
NAMES = [
    ("Customer: Lin Chia-Hui", "Lin Chia-Hui"),
    ("Customer: Mary", "Mary"),
    ("Customer: May Lin", "May Lin"),
    ("Beneficiary: June Chen", "June Chen"),
    ("Beneficiary: Jun Chen", "Jun Chen"),  # Jun is a given name (俊), as Jan is (review of 45a28d98)
    ("持卡人：Tseng Hsiao-Wen\u3000Card No.: 3560168089599493", "Tseng Hsiao-Wen"),
]


@pytest.mark.parametrize("text", TURNS, ids=range(len(TURNS)))
def test_a_turn_names_nobody(det, text):
    assert [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"] == []


@pytest.mark.parametrize(("text", "name"), NAMES, ids=[n for _, n in NAMES])
def test_a_name_after_the_tag_is_one(det, text, name):
    assert any(text[s.start : s.end].startswith(name) for s in det.analyze(text) if s.entity_type == "PERSON")
