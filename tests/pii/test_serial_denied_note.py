"""Review 13: a serial after its label stays (README), unless a bracket after it names it a person's; a bracket
denying that (``（系統編號，非身分證）``) made it one and it was scrubbed."""

from curate.pii.engine import PiiDetector


def test_a_note_denying_an_id_leaves_the_serial():
    text = "交易序號：A123456789（系統編號，非身分證）"
    assert [s for s in PiiDetector().analyze(text) if s.entity_type == "TW_NATIONAL_ID"] == []


def test_a_note_naming_the_persons_id_still_scrubs():
    text = "保單號碼：A123456789（要保人身分證）"
    assert [text[s.start : s.end] for s in PiiDetector().analyze(text)] == ["A123456789"]
