"""The PII review task's masked values of review 13's new rules (OCR-folded digits, spreadsheet cells, Latin names
and addresses), from the real PII stage: what a reviewer is shown hides what the masking promises, and each masked
span stands where its placeholder stood."""

from __future__ import annotations

import pytest
from ls_records import add_record, add_source

from annotation.review import placeholders, show, show_back
from curate.pii.keys import load_key
from curate.pii.masking import mask
from curate.pii.review import VaultReview
from provenance import db

TEXTS = {
    "ocr": "申請人王小明，手機：O912-4l7-630，生日1981/O4/l6，統一證號 A82O377847。",
    "table": "姓名\t身分證字號\t手機\n劉冠宇\tU117412465\t0930112874",
    "latin": "申請人Nguyen Thi Lan於本行開戶，客戶住址 7F., No. 221, Sec. 2, Wenxin Rd., Xitun Dist., Taichung City 407。",
}


@pytest.fixture
def shown(db_path, cli, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "7a" * 32)
    con = db.connect(db_path)
    add_source(con, "s")
    for name, text in TEXTS.items():
        add_record(con, text, source_id="s", locator=name, pii_state=None)
    con.close()
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    con = db.connect(db_path)
    rows = con.execute(
        "SELECT locator, record_id, text FROM records WHERE stage = 'pii' AND status = 'active'"
    ).fetchall()
    vault = VaultReview(load_key())
    masks = vault.masked(con, [(rid, text) for _, rid, text in rows])
    out = {}
    for loc, rid, text in rows:
        assert rid in masks, loc  # every placeholder paired with its span
        out[loc] = (text, show(text, masks[rid]), vault.originals(con, rid, text))
    con.close()
    return out


def test_an_ocr_read_date_of_birth_shows_its_year_only(shown):
    _, s, originals = shown["ocr"]
    assert ("DATE_OF_BIRTH", "1981/O4/l6") in originals
    assert "生日1981/**/**，" in s.text, s.text  # not 1981/O*/l*: the month's and the day's first digit


def test_masked_spans_stand_where_their_placeholders_stood(shown):
    for loc, (text, s, originals) in shown.items():
        assert show_back(s.text, s.spans, text, placeholders(text)) == text, loc
        for (a, b), (_, value) in zip(s.spans, originals, strict=True):
            assert len(s.text[a:b]) == len(value) and s.text[a:b] != value, (loc, value)
            assert value not in s.text, (loc, value)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("１９８１/04/16", "１９８１/**/**"),  # the month was shown: the year's full-width digits were no date's
        ("１９８１年０４月１６日", "１９８１年**月**日"),  # the year was hidden
        ("１９８１/Ｏ４/ｌ６", "１９８１/**/**"),  # full-width OCR letters
        ("1981/O4/l6", "1981/**/**"),
    ],
)
def test_a_full_width_date_of_birth_shows_its_year_only(value, shown):
    assert mask("DATE_OF_BIRTH", value) == shown
