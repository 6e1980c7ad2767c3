"""A spreadsheet's table in the catalogue pipeline: ingest, `run hygiene`, then `run pii` (review 13, integration).

Review 13 taught the PII rules to read a table's values under their column's header (curate/pii/columns.py), tab-
or comma-separated, and tested it on the text as ingested. The PII stage runs after hygiene, which made a tab between
Latin letters or digits one space: the rows of a tab-separated table (names in Latin letters, passport and account
numbers) reached the PII stage as prose and went through unscrubbed, into every export."""

from __future__ import annotations

import json

import duckdb

HEX = "7a" * 32
TABLES = [
    "Name\tPassport No\tNationality\nNGUYEN VAN HUNG\tC4529381\tVietnam\nTRAN THI MAI\tB1234567\tVietnam",
    "客戶姓名\t帳號\t備註\n陳怡君\t0123456789012\t已結清\n林志豪\t9876543210123\t逾期",
]
VALUES = ["NGUYEN VAN HUNG", "C4529381", "TRAN THI MAI", "B1234567", "0123456789012", "9876543210123"]


def test_a_tab_separated_table_is_scrubbed_after_hygiene(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    monkeypatch.setenv("CURATE_PII_KEY", HEX)
    d = tmp_path / "corpus"
    d.mkdir()
    rows = [{"id": str(i), "text": t} for i, t in enumerate(TABLES)]
    (d / "tables.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    db = tmp_path / "c.duckdb"
    args = ("ingest", "moda", str(d), "--licence", "OGDL-Taiwan-1.0", "--pii-expected")
    assert cli("-q", *args, db=db)[0] == 0
    for stage in ("hygiene", "pii"):
        code, out, err = cli("-q", "run", stage, "--workers", "1", db=db)
        assert code == 0, out + err
    con = duckdb.connect(str(db), read_only=True)
    texts = [r[0] for r in con.execute("SELECT text FROM records WHERE status = 'active'").fetchall()]
    con.close()
    assert [v for v in VALUES if any(v in t for t in texts)] == [], texts
    assert len(texts) == 2 and all("\t" in t for t in texts), texts  # the table is still one


def test_a_form_of_label_and_value_cells_keeps_its_labels(det):
    """A form laid out in tab-separated cells (label, value, label, value) reads as a table whose first row is the
    header once hygiene keeps its tabs (c32b6b7): the second row's label `員工姓名`, under the header `英文姓名`, was
    scrubbed as a person's name; a label that ends with a name head names a field (integration review 13-r)."""
    from curate.stages.hygiene import clean

    text = clean("英文姓名\tLin Chia-Hui\t備註\t無\n員工姓名\tTRAN MINH DUC\t到職日\t2020/01/01")[0]
    found = sorted(text[s.start : s.end] for s in det.analyze(text))
    assert found == ["Lin Chia-Hui", "TRAN MINH DUC"], found
