"""A law's 前言 (`LawForeword`, `<前言>`) is a record of its own, on both paths and in both formats (review 14).

It was read and dropped: 中華民國憲法's preamble, or any law's, was stored nowhere, with no skip counted and no
row saying so, while the README promises every law's text. Now `law_moj:PCODE:LANG:preamble`, before the articles.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from curate.ingest import ingest
from sources.law_moj import LawMojSource

FIX = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "law_moj"
if not FIX.exists():  # worktrees sit next to the main checkout
    FIX = Path("/work/shared/fixtures/law_moj")
PREAMBLE = "中華民國國民大會受全體國民之付託，依據孫中山先生創立中華民國之遺教，\r\n制定本憲法。"


def _rows(db: Path, where: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT doc_key, title, text, licence_id, json_extract_string(metadata, '$.article_no') FROM records"
            f" WHERE status = 'active' AND {where}"
        ).fetchall()


@pytest.mark.parametrize("fast", ["1", "0"], ids=["set-based path", "python path"])
def test_a_json_foreword_is_a_record(tmp_path, monkeypatch, fast):
    monkeypatch.setenv("CURATE_INGEST_FAST", fast)
    monkeypatch.setenv("CURATE_INGEST_BULK_MIN_BYTES", "0")
    law = json.loads((FIX / "chlaw_json" / "ch" / "G0380001.json").read_text(encoding="utf-8-sig"))
    law["LawForeword"] = PREAMBLE
    other = json.loads((FIX / "chlaw_json" / "ch" / "G0380233.json").read_text(encoding="utf-8-sig"))
    f = tmp_path / "ChLaw.json"
    f.write_text("\ufeff" + json.dumps({"UpdateDate": "2024/1/1", "Laws": [law, other]}, ensure_ascii=False), "utf-8")
    rep = ingest(tmp_path / "c.duckdb", LawMojSource([f], scope="all")).as_dict()
    assert rep["quarantined"] == 0, rep
    assert _rows(tmp_path / "c.duckdb", "doc_key LIKE '%preamble'") == [
        ("law_moj:G0380001:zh:preamble", "銀行法 前言", PREAMBLE.replace("\r\n", "\n"), "OGDL-Taiwan-1.0", "前言")
    ]
    assert len(_rows(tmp_path / "c.duckdb", "doc_key LIKE 'law_moj:G0380001:%'")) == 205  # 204 articles too


def test_an_xml_foreword_is_a_record(tmp_path):
    xml = (FIX / "falvmingling_xml" / "ch" / "G0380001.xml").read_text(encoding="utf-8")
    f = tmp_path / "G0380001.xml"
    f.write_text(xml.replace("<前言><![CDATA[]]></前言>", f"<前言><![CDATA[{PREAMBLE}]]></前言>", 1), "utf-8")
    ingest(tmp_path / "c.duckdb", LawMojSource([f], scope="all"))
    assert [r[2] for r in _rows(tmp_path / "c.duckdb", "doc_key LIKE '%preamble'")] == [PREAMBLE.replace("\r\n", "\n")]


def test_a_foreword_that_is_not_text_is_quarantined_and_the_articles_kept(tmp_path):
    law = json.loads((FIX / "chlaw_json" / "ch" / "G0380001.json").read_text(encoding="utf-8-sig"))
    law["LawForeword"] = {"text": PREAMBLE}
    f = tmp_path / "G0380001.json"
    f.write_text(json.dumps(law, ensure_ascii=False), "utf-8")
    rep = ingest(tmp_path / "c.duckdb", LawMojSource([f], scope="all")).as_dict()
    assert rep["quarantine_reasons"] == {"LawForeword is not text": 1}, rep
    assert len(_rows(tmp_path / "c.duckdb", "true")) == 204
