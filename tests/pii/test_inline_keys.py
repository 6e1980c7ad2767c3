"""Review 18: JSON and XML snippets pasted into a text (an API log, a core-banking message quoted in a ticket). A
record's metadata was read after its key, but the same key inside a text was no label: a migrant worker's or an
English name under ``custName``/``payeeName`` and a date under ``"birthday"``/``birthDate`` went through in clear.
Also an English form's next label was read into a Latin name (``Maria Santos Dela Cruz ARC No``), and
``Receiver:`` named no person where ``Sender:`` did."""

import pytest

from curate.pii.scrubber import scrub


def _found(det, text):
    return [(s.entity_type, text[s.start : s.end]) for s in det.analyze(text)]


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ('{"custName":"SITI AMINAH","amount":15000}', "SITI AMINAH", "PERSON"),
        ('{"payeeName": "Jose Dela Cruz", "country": "PH"}', "Jose Dela Cruz", "PERSON"),
        ("<Remittance><senderName>WAYAN SUDARTA</senderName></Remittance>", "WAYAN SUDARTA", "PERSON"),
        ('{"custName":"翁子軒","birthday":"1991-07-09"}', "1991-07-09", "DATE_OF_BIRTH"),
        ('"birthDate": "1991-07-09"', "1991-07-09", "DATE_OF_BIRTH"),
        ("<cust:birth_date>1988/03/15</cust:birth_date>", "1988/03/15", "DATE_OF_BIRTH"),
        ("{'receiverName': 'Nguyen Van Ba'}", "Nguyen Van Ba", "PERSON"),
        ("Receiver: Jose Dela Cruz (Philippines)", "Jose Dela Cruz", "PERSON"),
    ],
)
def test_a_keyed_value_in_a_snippet_is_found(det, text, value, entity_type):
    spans = det.analyze(text)
    assert (entity_type, value) in [(s.entity_type, text[s.start : s.end]) for s in spans], _found(det, text)
    assert value not in scrub(text, spans).text


@pytest.mark.parametrize(
    "text",
    [
        '{"productName": "金龍卡", "rate": "1.5%"}',
        "<branch><name>中山分行</name><code>0123</code></branch>",
        "<Bank><Name>BANK OF TAIWAN</Name></Bank>",
        '{"senderName": "BANK OF TAIWAN", "bic": "BKTWTWTP"}',
        '{"status": "ok", "code": 200, "message": "success"}',
        '{"payeeName": "ABC Trading Co., Ltd."}',
        '{"branchName": "信義分行", "openDate": "2024-01-05"}',
        "Receiver: Bank Central Asia",
    ],
)
def test_a_snippet_without_personal_data_stays(det, text):
    assert det.analyze(text) == [], _found(det, text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Sender: Maria Santos Dela Cruz ARC No.: A988878109", "Maria Santos Dela Cruz"),
        ("持卡人：Tseng Hsiao-Wen\u3000Card No.: 3560", "Tseng Hsiao-Wen"),
        ("Name: Mary Wang Phone: 0912345678", "Mary Wang"),
    ],
)
def test_the_next_label_is_not_read_into_a_latin_name(det, text, name):
    assert ("PERSON", name) in _found(det, text), _found(det, text)
