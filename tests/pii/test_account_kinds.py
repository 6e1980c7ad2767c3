"""An account's kind after 戶名 (薪轉戶, 備償專戶, 公司戶) is no account holder's name (review 15): read as a labelled
name, it was scrubbed, and the stage scrubbed the word in every record of the source. A name there still is one."""

import pytest

KINDS = ["戶名：薪轉戶\u3000帳號：00610087123456", "戶名：備償專戶", "戶名：公司戶", "户名：信托专户"]


@pytest.mark.parametrize("text", KINDS, ids=range(len(KINDS)))
def test_an_account_kind_names_nobody(det, text):
    assert [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"] == []


def test_a_holder_is_still_found(det):
    text = "戶名：羅文傑\u3000帳號：1210-0876-5432"
    assert "羅文傑" in [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"]
