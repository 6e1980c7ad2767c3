"""What `curate pii scan` reads after the PII stage is what the stage left: the stage reads its own output again
until its detector finds nothing (review 5, F3), and a correctly scrubbed value read after its key's label is not
taken for a name (F4), while a real name beside a placeholder still is."""

import json

import pytest
from catalogue_builder import add_records, add_source

from curate.pii.engine import PiiDetector
from curate.pii.fields import labelled_text
from provenance import db, runs

#: the second card number is > 20 characters after 卡號 in the raw text, within 20 once the first is scrubbed
CARDS = "持卡人蔡宗翰來電掛失，卡號：5409 9894 3513 5330，副卡4147274739399506同時停用。"
CONTACT = "聯絡人黃俊傑 (02)2758-3316"


@pytest.fixture
def scrubbed(db_path, cli, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "4d" * 32)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "bank", pii_expected=True)
    add_records(
        con,
        [{"source_id": "bank", "locator": "k1", "text": CARDS, "metadata": {"contact": CONTACT}}],
        run_id=run_id,
    )
    runs.finish_run(con, run_id)
    con.close()
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    return db_path


def test_a_value_whose_context_the_scrub_brought_near_is_scrubbed(scrubbed, cli):
    con = db.connect_readonly(scrubbed)
    try:
        text, meta = con.execute("SELECT text, metadata FROM records WHERE status = 'active'").fetchone()
    finally:
        con.close()
    assert "4147274739399506" not in text and text.count("〔信用卡號〕") == 2, text
    assert json.loads(meta)["contact"] == "聯絡人〔姓名〕 〔電話〕", meta
    code, out, _ = cli("pii", "scan", "--json", "--no-label-studio")
    report = json.loads(out)
    assert code == 0 and report["findings"] == [], report["findings"]


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("聯絡人〔姓名〕 〔電話〕", []),  # the key's label repeated before a placeholder names nobody
        ("客戶〔姓名〕", []),
        ("聯絡人王小明 〔電話〕", ["王小明"]),  # a real name beside a placeholder is still found
        ("王小明〔電話〕", ["王小明"]),
    ],
)
def test_a_label_before_a_placeholder_is_no_name(value, names):
    text = labelled_text("聯絡人", value)
    spans = PiiDetector().analyze(text)
    assert [text[s.start : s.end] for s in spans if s.entity_type == "PERSON"] == names
