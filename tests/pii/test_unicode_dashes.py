"""Phone numbers and IDs written with the other dashes (review 9): U+2011 (web pages), U+2010 (PDF text), en and
em dashes and the minus sign were not read as `-`, so ``0912‑345‑678`` went through the PII stage unscrubbed in
text, title and metadata alike."""

import json

import pytest

from curate.pii.engine import PiiDetector
from curate.pii.text import DASHES
from provenance import db

DASHED = {
    "\u2011": "手機0912\u2011345\u2011678",
    "\u2010": "電話(02)2771\u20108888",
    "\u2013": "電話02\u20132771\u20138888",
    "\u2014": "行動電話0933\u2014222\u2014111",
    "\u2212": "身分證字號A\u2212123\u2212456\u2212789",
}


@pytest.mark.parametrize("dash", DASHES)
def test_every_dash_is_read_as_a_hyphen(dash):
    text = f"手機0912{dash}345{dash}678"
    assert [(s.entity_type, text[s.start : s.end]) for s in PiiDetector().analyze(text)] == [
        ("TW_PHONE", f"0912{dash}345{dash}678")
    ]


@pytest.mark.parametrize("text", ["2010\u20132020年", "第3\u20135條", "金額1,000\u20132,000元", "民國113年1\u20133月"])
def test_ranges_with_dashes_stay(text):
    assert PiiDetector().analyze(text) == []


def test_stage_scrubs_dashed_values_in_text_title_and_metadata(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "3d" * 32)
    rows = [
        {"id": f"r{i}", "title": f"來電紀錄 {value}", "text": f"客戶來電，{value}。", "聯絡方式": value}
        for i, value in enumerate(DASHED.values())
    ]
    src = tmp_path / "calls.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    code, _, err = cli("-q", "ingest", "moda", str(src), "--licence", "OGDL-Taiwan-1.0")
    assert code == 0, err
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    con = db.connect(tmp_path / "cat.duckdb")
    stored = con.execute(
        "SELECT string_agg(coalesce(text, '') || coalesce(title, '') || CAST(metadata AS VARCHAR), '|') FROM records"
    ).fetchone()[0]
    con.close()
    for secret in ("345\u2011678", "2771\u20108888", "2771\u20138888", "222\u2014111", "456\u2212789"):
        assert secret not in stored
    assert stored.count("〔電話〕") >= 4 and "〔身分證字號〕" in stored
