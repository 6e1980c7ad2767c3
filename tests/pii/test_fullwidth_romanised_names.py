"""A romanised name typed in full-width letters (`Ｃｈｅｎ Ｙｕ－Ｔｉｎｇ`: Big5-era forms, IME full-width mode), through
hygiene and the PII stage in the pipeline's order (integration review 15).

Hygiene dropped a space between two "CJK" characters, full-width Latin letters among them, so the name reached the PII
stage as one word (`ＣｈｅｎＹｕ－Ｔｉｎｇ`), and the PII stage, reading text as hygiene joins it, did the same even
without hygiene: review 15's romanised-name rule (`curate/pii/romanised_names.py`) read no name and it went through in
clear. A space between two full-width Latin letters parts words, as in ASCII; a split ID (`Ａ１２３ ４５６７８９`) is
still read whole.
"""

from __future__ import annotations

import pytest
from catalogue_builder import add_source, ingest_run

from curate.pii.engine import PiiDetector
from curate.runner import run_stage
from curate.stages.hygiene import HygieneStage, clean
from curate.stages.pii import PiiStage
from provenance import db

TEXTS = {
    "The tuition for Ｃｈｅｎ Ｙｕ－Ｔｉｎｇ was paid by wire.": "Ｃｈｅｎ Ｙｕ－Ｔｉｎｇ",
    "Attendees: Ｄａｖｉｄ Ｌｉｎ and others.": "Ｄａｖｉｄ Ｌｉｎ",
    "匯款予受益人ＨＳＵ ＭＩＮＧ－ＣＨＥ，請查收。": "ＨＳＵ ＭＩＮＧ－ＣＨＥ",
}


@pytest.mark.parametrize("text", sorted(TEXTS))
def test_a_fullwidth_romanised_name_is_found_before_and_after_hygiene(text):
    det = PiiDetector()
    joined = clean(text)[0]
    assert TEXTS[text] in joined  # its words stay apart
    for t in (text, joined):
        assert (TEXTS[text], "PERSON") in [(t[s.start : s.end], s.entity_type) for s in det.analyze(t)], t


def test_a_split_fullwidth_id_is_still_joined_and_found():
    text = "身分證字號Ａ１２３ ４５６７８９"
    assert clean(text)[0] == "身分證字號Ａ１２３４５６７８９"
    assert [s.entity_type for s in PiiDetector().analyze(text)] == ["TW_NATIONAL_ID"]


def test_hygiene_then_pii_leaves_no_fullwidth_name_in_clear(db_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "7c" * 32)
    con = db.connect(db_path)
    add_source(con, "letters")
    rows = [{"source_id": "letters", "locator": f"l/{i}", "text": t} for i, t in enumerate(sorted(TEXTS))]
    ingest_run(con, rows)
    con.close()
    assert run_stage(db_path, HygieneStage(), workers=1).status == "finished"
    assert run_stage(db_path, PiiStage(), workers=1).status == "finished"
    con = db.connect_readonly(db_path)
    try:
        active = [t for (t,) in con.execute("SELECT text FROM records WHERE status = 'active'").fetchall()]
    finally:
        con.close()
    assert len(active) == len(TEXTS)
    for t in active:
        assert not any(name in t or name.replace(" ", "") in t for name in TEXTS.values()), t
        assert "〔姓名〕" in t, t


@pytest.mark.parametrize(
    ("text", "joined", "kind"),
    [
        ("居留證 Ａ Ｂ１２３４５６７８", "居留證ＡＢ１２３４５６７８", "TW_RESIDENT_ID"),
        (
            "居留證號碼：Ａ Ｂ １ ２ ３ ４ ５ ６ ７ ８",
            "居留證號碼：ＡＢ１２３４５６７８",
            "TW_RESIDENT_ID",
        ),  # letter-spaced PDF
        ("護照 Ｐ Ｃ１２３４５６７", "護照ＰＣ１２３４５６７", "TW_PASSPORT"),
    ],
)
def test_an_id_split_between_its_two_fullwidth_letters_is_still_joined_and_found(text, joined, kind):
    """Post-review of review 15: the gap between an ID's two letters (a resident certificate's old form, a passport's)
    is no word gap; read apart, the number went through in clear, before and after hygiene."""
    assert clean(text)[0] == joined
    for t in (text, joined):
        assert kind in [s.entity_type for s in PiiDetector().analyze(t)], t
