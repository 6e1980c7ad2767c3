"""MODA JSONL and CSV files in other encodings than plain UTF-8 (review 12): a Big5 cell in a UTF-8 CSV costs its
row only, a UTF-16 file (BOM) is read as UTF-16, a UTF-32 one is refused whole; the counts the CLI prints are the
catalogue's."""

from __future__ import annotations

import json

import duckdb

from sources import capped
from sources.moda import ModaReason, ModaSource

ROWS = [{"id": f"r{i}", "text": f"第{i}筆 存款利率調整公告"} for i in range(3000)]


def _csv(rows) -> str:
    return "id,text\n" + "".join(f"{r['id']},{r['text']}\n" for r in rows)


def test_a_big5_cell_in_a_utf8_csv_costs_its_row_not_the_rest_of_the_file(tmp_path, collect):
    f = tmp_path / "ds" / "rows.csv"
    f.parent.mkdir()
    head, tail = _csv(ROWS[:1500]), "".join(f"{r['id']},{r['text']}\n" for r in ROWS[1500:])
    f.write_bytes(head.encode("utf-8") + "x1,王小明 存款".encode("cp950") + b"\n" + tail.encode("utf-8"))
    records, rejections, skips = collect(ModaSource([f], licence="OGDL-Taiwan-1.0"))
    assert [(r.locator, r.reason) for r in rejections] == [("rows.csv#row=1500", ModaReason.NOT_UTF8_ROW)]
    assert rejections[0].excerpt.startswith("line 1502: x1,\ufffd")
    assert len(records) == 3000 and skips == []
    assert [r.text for r in records] == [r["text"] for r in ROWS]


def test_utf16_jsonl_and_csv_are_read_and_utf32_refused(tmp_path, collect):
    d = tmp_path / "ds"
    d.mkdir()
    rows, others = ROWS[:3], ROWS[3:6]
    (d / "a.jsonl").write_bytes("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-16"))
    (d / "b.csv").write_bytes(_csv(others).encode("utf-16-be").join([b"\xfe\xff", b""]))
    (d / "c.jsonl").write_bytes(json.dumps(rows[0], ensure_ascii=False).encode("utf-32"))
    (d / "d.csv").write_bytes(_csv(rows).encode("utf-32"))
    records, rejections, skips = collect(ModaSource([d], licence="OGDL-Taiwan-1.0", dataset="ds"))
    assert sorted((r.locator, r.text) for r in records) == sorted(
        [(f"ds/a.jsonl#line={i + 1}", r["text"]) for i, r in enumerate(rows)]
        + [(f"ds/b.csv#row={i}", r["text"]) for i, r in enumerate(others)]
    )
    assert sorted((r.locator, r.reason) for r in rejections) == [
        ("ds/c.jsonl", capped.REASON_UTF32),
        ("ds/d.csv", capped.REASON_UTF32),
    ]
    assert skips == []


def test_cli_counts_match_the_catalogue_for_a_mixed_encoding_csv(cli, db_path, tmp_path):
    f = tmp_path / "ds" / "rows.csv"
    f.parent.mkdir()
    f.write_bytes(_csv(ROWS[:2000]).encode("utf-8") + "x1,信用卡".encode("cp950") + b"\n")
    code, out, err = cli("--quiet", "ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0")
    assert code == 3, out + err
    assert "2000 records (2000 new" in out and "1 quarantined" in out
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM records WHERE status = 'active'").fetchone() == (2000,)
        assert con.execute("SELECT reason, locator FROM quarantine").fetchall() == [
            (ModaReason.NOT_UTF8_ROW, "rows.csv#row=2000")
        ]
    finally:
        con.close()


def test_fsc_csv_with_a_big5_cell_keeps_its_other_cases(tmp_path, collect):
    from sources.fsc import FscReason, FscSource

    header = "發文日期,受處分人,主旨,違反事實理由,法令依據,裁罰及處分結果\n"
    row = "114/06/{:02d},戊{}人壽保險股份有限公司,核處罰鍰,未依規定辦理情節重大,保險法第171條之1第4項,新臺幣600萬元\n"
    f = tmp_path / "cases.csv"
    body = "".join(row.format(i + 1, i) for i in range(20)).encode("utf-8")
    f.write_bytes(header.encode("utf-8") + body + row.format(28, "甲").encode("cp950"))
    records, rejections, skips = collect(FscSource([f]))
    assert [(r.locator, r.reason) for r in rejections] == [("cases.csv#line=22", FscReason.UNDECODABLE_ROW)]
    assert len(records) == 20 and skips == []


def test_a_truncated_utf16_jsonl_keeps_its_lines_and_quarantines_the_cut_one(tmp_path, collect):
    """Cut inside its last character, a UTF-16 file raised UnicodeDecodeError out of the source (review 12, second
    look): the ingest ended with an internal error; a lone CR between JSON tokens split a line in two."""
    from sources.moda_text import TRUNCATED

    d = tmp_path / "ds"
    d.mkdir()
    lines = [json.dumps(r, ensure_ascii=False) for r in ROWS[:3]]
    (d / "cut.jsonl").write_bytes("\n".join(lines).encode("utf-16")[:-1])
    (d / "cr.jsonl").write_bytes(('{"id": "cr",\r"text": "跨行匯款手續費"}\r\n').encode("utf-16"))
    records, rejections, skips = collect(ModaSource([d], licence="OGDL-Taiwan-1.0", dataset="ds"))
    assert [(r.locator, r.reason) for r in rejections] == [("ds/cut.jsonl#line=3", TRUNCATED)]
    assert "truncated" in rejections[0].excerpt
    assert sorted(r.text for r in records) == sorted([ROWS[0]["text"], ROWS[1]["text"], "跨行匯款手續費"])
    assert skips == []
