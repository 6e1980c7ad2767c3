"""A licence's credit keeps its author's name through the PII stage (review 9 of the fixes): a manifest's
`licensor` (the creator CC BY requires in front of its statement) and an agreement's `attribution` passed through
the stage like any metadata, so NOTICE.md printed `「信用風險管理」，〔姓名〕` and `© 〔姓名〕 2024 著` and the
licence's attribution silently did not take effect. A name there is a public licence fact; identifiers in it (a
phone) are still scrubbed, and a customer's name in the text still is."""

from __future__ import annotations

import csv
import json
import re

import pyarrow.parquet as pq

HEADER = ["path", "title", "licensor", "licence_id", "agreement_id", "audience", "purposes", "attribution"]
ROWS = [
    ["a.txt", "信用風險管理", "林美華", "CC-BY-4.0", "", "", "", ""],
    [
        "b.txt",
        "授信實務",
        "陳志豪",
        "LicenseRef-Written-Agreement",
        "A-1",
        "consortium",
        "training",
        "© 陳志豪 2024 著",
    ],
    ["c.txt", "外匯", "張雅婷 0933-185-246", "CC-BY-4.0", "", "", "", ""],
]
TEXTS = {
    "a.txt": "第一章\n\n本書說明銀行信用風險管理。\n",
    "b.txt": "第一章\n\n案例：客戶王小明手機0912345678，來電詢問授信。\n",
    "c.txt": "第一章\n\n本講義說明外匯。\n",
}


def _run(tmp_path, cli, monkeypatch, texts: dict[str, str], rows: list[list[str]]):
    """Ingest the textbooks, run the PII stage, export: (NOTICE.md, the data rows)."""
    monkeypatch.setenv("CURATE_PII_KEY", "6d" * 32)
    books = tmp_path / "books"
    books.mkdir()
    for name, text in texts.items():
        (books / name).write_text(text, encoding="utf-8")
    with (books / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    code, out, err = cli("-q", "ingest", "textbooks", str(books / "manifest.csv"))
    assert code == 0, out + err
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    out_dir = tmp_path / "e"
    code, stdout, err = cli(
        "-q", "export", "dataset", "--non-commercial", "--purpose", "training", "--audience", "consortium",
        "--out", str(out_dir), "--as-of", "2026-06-01", "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(stdout)["blocked"] == 0, stdout + err
    return (out_dir / "NOTICE.md").read_text("utf-8"), pq.read_table(out_dir / "data").to_pylist()


def test_the_authors_named_by_a_manifest_are_credited_after_the_pii_stage(tmp_path, cli, monkeypatch):
    notice, rows = _run(tmp_path, cli, monkeypatch, TEXTS, ROWS)
    assert "「信用風險管理」，林美華：" in notice and "> © 陳志豪 2024 著\n" in notice, notice
    # the phone is still scrubbed: its digits in any layout, not "0933" alone, which the export's id (a hash of the
    # ingest's times) or a hash in the notice could hold by chance, failing one run in a few hundred
    assert "「外匯」，張雅婷 〔電話〕：" in notice and not re.search(r"0933\D{0,3}185\D{0,3}246", notice), notice
    credit = next(line for line in notice.splitlines() if "「外匯」" in line)
    assert not re.search(r"\d{3}", credit), credit
    text = "".join(r["text"] for r in rows)
    assert "王小明" not in text and "0912345678" not in text  # a customer in the text still is
    credits = {r["attribution"].split("：")[0] for r in rows}
    assert credits == {"「信用風險管理」，林美華", "© 陳志豪 2024 著", "「外匯」，張雅婷 〔電話〕"}, credits
    code, out, err = cli("pii", "scan")  # the credit is no leak
    assert code == 0 and "no personal value found" in out, out + err


def test_an_authors_name_that_is_a_customers_elsewhere_stays_in_the_credit_only(tmp_path, cli, monkeypatch):
    """The source-wide scrub of a labelled name reaches the texts, never a credit; `pii scan`, which cannot tell the
    author from the customer by the string, lists the credit (README: the PII stage)."""
    texts = {**TEXTS, "d.txt": "第一章\n\n客戶姓名：林美華\n\n第二章\n\n林美華申請房貸。\n"}
    rows = [*ROWS, ["d.txt", "房貸案例", "", "CC-BY-4.0", "", "", "", ""]]
    notice, data = _run(tmp_path, cli, monkeypatch, texts, rows)
    assert "「信用風險管理」，林美華：" in notice, notice
    assert "林美華" not in "".join(r["text"] for r in data)
    code, out, _ = cli("pii", "scan")
    assert code == 1 and "NOTICE.md" in out, out
