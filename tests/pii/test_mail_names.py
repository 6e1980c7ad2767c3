"""Names in an e-mail's header and signature (review 14): ``From: Lisa Hsu <…>``, a closing's next line, ``黃柏翰
敬上``; an institution's display name keeps its mailbox (``寄件者：○○銀行數位金融部 <ebank-notice@…>``)."""

import pytest

from curate.pii.engine import PiiDetector


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


def _found(det, text):
    return [(s.entity_type, text[s.start : s.end]) for s in det.analyze(text)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("From: Lisa Hsu <lisa.hsu1987@gmail.com>\nSubject: 房貸提前清償", "Lisa Hsu"),
        ('To: "Chen Yi-Ting" <yiting@gmail.com>, Kevin Tsai <kt@yahoo.com.tw>', "Kevin Tsai"),
        ("Best regards,\nKevin Tsai\nRelationship Manager", "Kevin Tsai"),
        ("敬祝 商祺\n王美華\n112年5月3日", "王美華"),
        ("--\n黃柏翰 敬上\n手機：0910-552-637", "黃柏翰"),
    ],
)
def test_the_name_is_found(det, text, name):
    assert ("PERSON", name) in _found(det, text)


def test_both_names_of_a_header_line(det):
    text = 'To: "Chen Yi-Ting" <yiting@gmail.com>, Kevin Tsai <kt@yahoo.com.tw>'
    assert [v for k, v in _found(det, text) if k == "PERSON"] == ["Chen Yi-Ting", "Kevin Tsai"]


@pytest.mark.parametrize(
    "text",
    [
        "寄件者：○○銀行數位金融部 <ebank-notice@examplebank.com.tw>",
        "From: Customer Service Team <service@examplebank.com.tw>",
        "Best regards,\nVisa Platinum Card Team",
        "敬祝 商祺\n業務推廣部",
        "Thanks\nOK",
        # review 14 of the fixes: a unit's name in capitalised words is no person's
        "Best regards,\nInvestor Relations",
        "Thanks,\nAccounts Payable",
        "Best regards,\nTreasury Sales",
        "--\nImportant Notice",
    ],
)
def test_an_institution_s_header_or_signature_stays(det, text):
    assert _found(det, text) == []


def test_a_person_s_mailbox_stays_scrubbed(det):
    text = "寄件者：許文馨 <wenhsin.hsu@hotmail.com>"
    assert _found(det, text) == [("PERSON", "許文馨"), ("EMAIL_ADDRESS", "wenhsin.hsu@hotmail.com")]
