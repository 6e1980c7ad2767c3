"""Detection reads text as hygiene would join it: a value split by invisible characters, or by a space between
full-width characters, is found, and hygiene run after the PII stage cannot join a value it let through."""

import pytest
from catalogue_builder import add_records, add_source

from curate.pii.text import compact_view
from curate.stages.hygiene import clean
from provenance import db, runs

# code points hygiene could delete between two characters: the BMP and the astral ignorable blocks
_CODE_POINTS = [*range(0x10000), *range(0x1BCA0, 0x1BCA4), *range(0x1D173, 0x1D17B), *range(0xE0000, 0xE1000)]


@pytest.mark.parametrize(("left", "right"), [("1", "2"), ("A", "1"), ("１", "２"), ("Ａ", "１"), ("王", "明")])
def test_what_hygiene_joins_the_view_joins(left, right):
    """For every code point: if hygiene deletes it and joins its neighbours, the detection view joins them too."""
    joined = left + right
    missed = []
    for cp in _CODE_POINTS:
        if 0xD800 <= cp <= 0xDFFF:
            continue
        text = left + chr(cp) + right
        if clean(text)[0] == joined and compact_view(text)[0] != joined:
            missed.append(hex(cp))
    assert not missed, f"hygiene joins across {missed[:20]} but detection does not"


@pytest.mark.parametrize(
    ("gap", "kept"),
    [(" \t ", "\t"), ("\u3000 ", "\u3000"), ("\u200b \u200b", ""), ("\u00a0\u00a0", ""), ("\x01 \u200b", "")],
)
def test_runs_of_gap_characters(gap, kept):
    """Hygiene keeps a gap made on purpose between full-width characters (a tab, a full-width space:
    table cells) and drops other spaces; detection reads past either, so a later hygiene run joins nothing it missed."""
    text = "０９１２" + gap + "３４５６７８"
    assert clean(text)[0] == "０９１２" + kept + "３４５６７８"
    view, positions = compact_view(text)
    assert view == "０９１２３４５６７８"
    assert [text[p] for p in positions] == list(view)


def test_plain_text_has_no_positions():
    for text in ("", "abc def", "第 1 條", "A123456789", "銀行法\n第一條", "Bank Act 銀行法"):
        view, positions = compact_view(text)
        assert positions is None and view == text


SPLIT = [
    ("身分證字號A1\u200b23456789。", "A1\u200b23456789", "TW_NATIONAL_ID"),
    ("A1\u206323456789", "A1\u206323456789", "TW_NATIONAL_ID"),  # INVISIBLE SEPARATOR, not deleted by hygiene
    ("手機09\u200b12\u200b345678", "09\u200b12\u200b345678", "TW_PHONE"),
    ("電話0912\ufe0f345678", "0912\ufe0f345678", "TW_PHONE"),  # a variation selector
    ("電話0912\u034f345\u00ad678", "0912\u034f345\u00ad678", "TW_PHONE"),  # grapheme joiner, soft hyphen
    ("電郵 z\u200bw@example.com。", "z\u200bw@example.com", "EMAIL_ADDRESS"),
    ("Ａ１２３ ４５６７８９", "Ａ１２３ ４５６７８９", "TW_NATIONAL_ID"),  # hygiene drops the space between full-width
    ("證號A12\x0134567\x1f89", "A12\x0134567\x1f89", "TW_NATIONAL_ID"),  # control characters
]


@pytest.mark.parametrize(("text", "value", "entity"), SPLIT)
def test_split_values_are_found_whole(detector, text, value, entity):
    spans = detector.analyze(text)
    assert [(text[s.start : s.end], s.entity_type) for s in spans] == [(value, entity)]
    # the batched path gives the same spans, alone and among other texts
    assert detector.analyze_many(["無個資。", text, text + "\n"])[1] == spans


def test_split_values_without_the_view_are_missed(detector):
    """The view is what finds them: the detector's own pass over the raw characters does not."""
    missed = [text for text, _, _ in SPLIT if not detector._analyze(text)]
    assert len(missed) >= len(SPLIT) - 1


RECORDS = {
    "z/1": "申請人資料：身分證字號W1\u200b00000001，手機09\u200b12\u200b888999，電郵 z\u200bw@example.com。",
    "z/2": "客戶證號Ａ１２３ ４５６７８９，帳戶\u2063資料另附。",
}


def test_hygiene_after_pii_joins_nothing(db_path, monkeypatch, cli):
    """The stage order the README recommends is hygiene first; run the other way round, hygiene's new versions
    (which keep the passed PII state) must not hold a value the PII stage let through."""
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "z")
    add_records(
        con, [{"source_id": "z", "locator": k, "text": t, "doc_key": k} for k, t in RECORDS.items()], run_id=run_id
    )
    runs.finish_run(con, run_id)
    con.close()
    for stage in ("pii", "hygiene"):
        code, _, err = cli("-q", "run", stage, "--workers", "1", db=db_path)
        assert code == 0, err
    con = db.connect(db_path)
    rows = con.execute("SELECT stage, pii_state, text FROM records WHERE status = 'active' ORDER BY locator").fetchall()
    con.close()
    assert [state for _, state, _ in rows] == ["scrubbed"] * 2 and rows[0][0] == "hygiene"
    texts = "".join(t for _, _, t in rows)
    for value in ("W100000001", "0912888999", "zw@example.com", "Ａ１２３４５６７８９", "A123456789", "123456789"):
        assert value not in texts
    assert "〔身分證字號〕" in texts and "〔電話〕" in texts and "〔電子郵件〕" in texts
