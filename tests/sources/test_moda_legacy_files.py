"""A MODA CSV saved wholly in a legacy encoding is refused in one line, with the command that converts it (review 13).

Excel on Traditional Chinese Windows saves "CSV" as Big5/CP950: every row with Chinese was quarantined on its own
(200 rows, 200 quarantine rows of mojibake) and the ASCII rows were ingested as if the file were fine. A UTF-8 file
with one Big5 cell keeps its row-by-row quarantine (tests/sources/test_moda_encodings.py).
"""

from __future__ import annotations

import subprocess

import duckdb
import pytest

ROWS = ["id,text", *(f"{i},金融監督管理委員會第{i}號函釋：銀行辦理授信業務應遵守之規範" for i in range(200)), "999,ok"]


def _rows(db_path):
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        recs = con.execute("SELECT count(*) FROM records").fetchone()[0]
        q = con.execute("SELECT locator, reason, excerpt FROM quarantine").fetchall()
    finally:
        con.close()
    return recs, q


@pytest.mark.parametrize(
    ("codec", "named", "iconv"),
    [("cp950", "Big5/CP950", "CP950"), ("gb18030", "GB18030/GBK", "GB18030")],
    ids=["big5 from Excel", "gbk"],
)
def test_a_csv_wholly_in_a_legacy_encoding_is_one_quarantine_row(tmp_path, cli, db_path, codec, named, iconv):
    d = tmp_path / "匯出 資料"
    d.mkdir()
    text = "\r\n".join(ROWS) + "\r\n"
    if codec == "gb18030":
        text = text.replace("金融監督管理委員會", "银行授信实务讲义风险管理").replace("號函釋", "号")
    (d / "授信 規範.csv").write_bytes(text.encode(codec))
    code, out, err = cli("ingest", "moda", str(d), "--licence", "OGDL-Taiwan-1.0")
    assert code == 3, out + err
    recs, q = _rows(db_path)
    assert recs == 0  # not the ASCII row alone, as if the file were fine
    assert len(q) == 1 and q[0][1] == "file that is not UTF-8 text (nothing of it was read)"
    assert named in q[0][2] and f"iconv -f {iconv} -t UTF-8 授信\\ 規範.csv > 授信\\ 規範.utf8.csv" in q[0][2]
    assert f"iconv -f {iconv}" in out + err
    # the command it gives makes a file that ingests whole
    command = q[0][2].split("`")[1]
    subprocess.run(command, shell=True, cwd=d, check=True)
    (d / "授信 規範.csv").unlink()
    code, out, err = cli("ingest", "moda", str(d), "--licence", "OGDL-Taiwan-1.0")
    assert code == 0, out + err
    assert _rows(db_path)[0] == len(ROWS) - 1


def test_a_big5_jsonl_is_one_quarantine_row(tmp_path, cli, db_path):
    f = tmp_path / "rows.jsonl"
    f.write_bytes(
        "".join(f'{{"id": "{i}", "text": "臺灣銀行授信業務規範第{i}條"}}\n' for i in range(50)).encode("cp950")
    )
    code, out, err = cli("ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0")
    assert code == 3, out + err
    recs, q = _rows(db_path)
    assert recs == 0 and [r[1] for r in q] == ["file that is not UTF-8 text (nothing of it was read)"]


def test_a_utf8_csv_with_a_big5_row_far_down_is_read_row_by_row(tmp_path, cli, db_path):
    """A UTF-8 line anywhere (here past the first MiB sampled) makes the file UTF-8: its bad rows are its rows'."""
    f = tmp_path / "rows.csv"
    body = "id,text\n" + "".join(f"{i},bank {i} {'ascii only ' * 60}\n" for i in range(1800))
    f.write_bytes(body.encode() + "1800,臺灣銀行\n".encode("cp950") + "1801,臺灣銀行\n".encode())
    assert f.stat().st_size > 1 << 20
    code, out, err = cli("ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0")
    assert code == 3, out + err
    recs, q = _rows(db_path)
    assert recs == 1801 and [(r[0], r[1]) for r in q] == [
        ("rows.csv#row=1800", "CSV row that is not UTF-8 text (the file's other rows are read)")
    ]


@pytest.mark.parametrize(
    "row",
    ["1,the bank\u2019s rules apply", "1,na\u00efve rules apply"],
    ids=["cp1252 quote reads as Big5-HKSCS", "cp1252 accent reads as CP950"],
)
def test_a_western_code_page_file_is_given_no_chinese_iconv_command(tmp_path, cli, db_path, row):
    """One accent or quote in an ASCII file is no Big5 text: `iconv -f CP950` would turn it into a Chinese character
    without an error, so no encoding is named for sure and no command that names one is given."""
    f = tmp_path / "rates.csv"
    f.write_bytes(
        ("id,text\r\n" + "".join(f"{i},plain rate {i}\r\n" for i in range(2, 50)) + row + "\r\n").encode("cp1252")
    )
    code, out, err = cli("ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0")
    assert code == 3, out + err
    recs, q = _rows(db_path)
    assert recs == 0 and len(q) == 1 and q[0][1] == "file that is not UTF-8 text (nothing of it was read)"
    assert "Chinese Windows" not in q[0][2] and "iconv -f CP950" not in q[0][2] and "iconv -f BIG5" not in q[0][2]
    assert "CSV UTF-8" in q[0][2] and "iconv -f ENCODING" in q[0][2]


def test_a_big5_csv_with_an_ascii_head_past_the_sample_is_named_big5(tmp_path, cli, db_path):
    """The encoding is told by the lines that are not UTF-8, not by the first MiB (ASCII alone: `reads as utf-8`)."""
    f = tmp_path / "big.csv"
    head = "id,text\n" + "".join(f"{i},{'ascii only ' * 30}\n" for i in range(5000))
    f.write_bytes(head.encode() + "".join(f"{i},臺灣銀行授信業務規範\n" for i in range(5000, 5010)).encode("cp950"))
    assert f.stat().st_size > 1 << 20
    code, out, err = cli("ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0")
    assert code == 3, out + err
    q = _rows(db_path)[1]
    assert len(q) == 1 and "Big5/CP950" in q[0][2] and "iconv -f CP950 -t UTF-8 big.csv > big.utf8.csv" in q[0][2]


def test_a_customer_s_name_in_the_file_name_stays_out_of_the_excerpt(tmp_path, cli, db_path):
    """The ingest pseudonymises a customer's name that is a file name's segment (`王小明.csv`) in the locator; the
    iconv command in the excerpt quoted the name (`'王小明.csv'`), the quote glued to it, so the identifier guard did
    not see it and the quarantine table and the run's counts kept it raw (readable by `curate sql`)."""
    d = tmp_path / "in"
    d.mkdir()
    (d / "王小明.csv").write_bytes(("\r\n".join(ROWS) + "\r\n").encode("cp950"))
    code, out, err = cli("ingest", "moda", str(d), "--licence", "OGDL-Taiwan-1.0")
    assert code == 3, out + err
    ((locator, _, excerpt),) = _rows(db_path)[1]
    assert "王小明" not in locator and "〔姓名#" in locator
    pseudonym = locator.split("/")[-1].removesuffix(".csv")
    assert "王小明" not in excerpt and f"iconv -f CP950 -t UTF-8 {pseudonym}.csv > {pseudonym}.utf8.csv" in excerpt
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        runs = con.execute("SELECT count(*) FROM runs WHERE CAST(runs AS VARCHAR) LIKE '%王小明%'").fetchone()[0]
    finally:
        con.close()
    assert runs == 0 and "王小明" not in out + err
