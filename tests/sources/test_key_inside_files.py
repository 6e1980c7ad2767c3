"""A copy of the PII key inside a file never becomes a record's text nor a quarantine excerpt (review 13).

Review 12 refused an input that *is* the key file (or a copy of it); a key pasted into a document (a DOCX paragraph,
a JSONL line, a law dump inside a ZIP) was still ingested as text, in the clear in the catalogue and so in exports.
The record is quarantined (`holds the PII key`, nothing of its text kept), the other records are ingested.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import duckdb
import pytest

KEY = "5eed" * 16
FIX = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "law_moj"
if not FIX.exists():  # worktrees sit next to the main checkout
    FIX = Path("/work/shared/fixtures/law_moj")


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    key = tmp_path / "secrets" / "pii.key"
    key.parent.mkdir()
    key.write_text(KEY + "\n", encoding="utf-8")
    key.chmod(0o600)
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.setenv("CURATE_PII_KEY_FILE", str(key))
    return key


def _everywhere(db_path: Path) -> tuple[int, int, list[str]]:
    """(records holding the key, quarantine rows holding it, quarantine reasons)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        held = con.execute(
            "SELECT count(*) FROM records WHERE contains(concat_ws(' ', text, title, CAST(metadata AS VARCHAR)), $k)",
            {"k": KEY},
        ).fetchone()[0]
        rows = con.execute("SELECT locator, reason, excerpt FROM quarantine").fetchall()
    finally:
        con.close()
    return held, sum(KEY in " ".join(map(str, r)) for r in rows), [r[1] for r in rows]


def test_a_jsonl_line_holding_the_key(tmp_path, key_file, cli, db_path):
    d = tmp_path / "corpus"
    d.mkdir()
    lines = [{"id": "1", "text": f"備份金鑰 {KEY} 請妥善保存"}, {"id": "2", "text": "金融監督管理委員會發布路徑圖。"}]
    (d / "notes.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    code, out, err = cli("ingest", "moda", str(d), "--licence", "OGDL-Taiwan-1.0")
    assert code == 3, out + err
    assert "holds the PII key" in out + err and KEY not in out + err
    held, shown, reasons = _everywhere(db_path)
    assert (held, shown) == (0, 0) and any("holds the PII key" in r for r in reasons)
    con = duckdb.connect(str(db_path), read_only=True)
    assert con.execute("SELECT count(*) FROM records").fetchone() == (1,)  # the other line is kept
    con.close()


def test_a_bad_line_holding_the_key_shows_no_key_in_quarantine(tmp_path, key_file, cli, db_path):
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "notes.jsonl").write_text('{"id": "1", "text": "key ' + KEY + '"\n', encoding="utf-8")  # unclosed
    code, out, err = cli("ingest", "moda", str(d), "--licence", "OGDL-Taiwan-1.0")
    assert code == 3, out + err
    assert KEY not in out + err
    assert _everywhere(db_path)[:2] == (0, 0)


def test_a_docx_paragraph_holding_the_key(tmp_path, key_file, cli, db_path, build):
    d = tmp_path / "tabf"
    d.mkdir()
    build.make_docx(d / "handout.docx", [("Heading1", "第一章 存款"), ("Normal", f"系統金鑰：{KEY}")])
    build.make_docx(d / "other.docx", [("Heading1", "第二章 放款"), ("Normal", "放款應審慎評估借款人之信用狀況。")])
    (d / "manifest.csv").write_text(
        "path,title,licence_id\nhandout.docx,講義,CC-BY-4.0\nother.docx,講義二,CC-BY-4.0\n", encoding="utf-8"
    )
    code, out, err = cli("ingest", "tabf", str(d / "manifest.csv"))
    assert code == 3, out + err
    assert "holds the PII key" in out + err and KEY not in out + err
    held, shown, _ = _everywhere(db_path)
    assert (held, shown) == (0, 0)
    con = duckdb.connect(str(db_path), read_only=True)
    assert con.execute("SELECT count(*) FROM records WHERE text LIKE '%放款%'").fetchone()[0] >= 1
    con.close()


@pytest.mark.parametrize(
    ("fast", "name"),
    [("1", "ChLaw.json"), ("0", "ChLaw.json"), ("1", "ChLaw.json.zip")],
    ids=["json, set-based path", "json, python path", "zip"],
)
def test_a_law_dump_holding_the_key(tmp_path, key_file, cli, db_path, monkeypatch, fast, name):
    monkeypatch.setenv("CURATE_INGEST_FAST", fast)
    monkeypatch.setenv("CURATE_INGEST_BULK_MIN_BYTES", "0")  # the set-based path takes even a small dump
    law = json.loads((FIX / "chlaw_json" / "ch" / "G0380177.json").read_text(encoding="utf-8-sig"))
    law["LawArticles"][-1]["ArticleContent"] += KEY
    dump = "\ufeff" + json.dumps({"UpdateDate": "2024/1/1", "Laws": [law]}, ensure_ascii=False)
    z = tmp_path / name
    if name.endswith(".zip"):
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr("ChLaw.json", dump)
    else:
        z.write_text(dump, encoding="utf-8")
    code, out, err = cli("ingest", "law-moj", str(z))
    assert code == 3, out + err
    assert "holds the PII key" in out + err and KEY not in out + err
    held, shown, _ = _everywhere(db_path)
    assert (held, shown) == (0, 0)
    con = duckdb.connect(str(db_path), read_only=True)
    assert con.execute("SELECT count(*) FROM records").fetchone()[0] >= 1  # the law's other articles are kept
    con.close()


#: the same hex key as a copy in a document may hold it: load_key reads either case as the same bytes, a PDF or DOCX
#: wraps a long string across lines, a printed key is grouped, an IME types full-width digits
FORMS = {
    "upper case": KEY.upper(),
    "wrapped": KEY[:40] + "\n" + KEY[40:],
    "grouped": " ".join(KEY[i : i + 8] for i in range(0, len(KEY), 8)),
    "full width": KEY.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789abcdef"}),
    "half of it": KEY[: len(KEY) // 2],
}


@pytest.mark.parametrize("form", list(FORMS), ids=list(FORMS))
def test_the_key_in_another_form_is_found_too(tmp_path, key_file, cli, db_path, form):
    d = tmp_path / "corpus"
    d.mkdir()
    lines = [
        {"id": "1", "text": f"備份金鑰 {FORMS[form]} 請妥善保存"},
        {"id": "2", "text": "金融監督管理委員會發布路徑圖。"},
    ]
    bad = '{"id": "3", "text": "key ' + FORMS[form].replace("\n", " ") + '"\n'  # not JSON: quarantined with an excerpt
    (d / "notes.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines) + bad, "utf-8")
    code, out, err = cli("ingest", "moda", str(d), "--licence", "OGDL-Taiwan-1.0")
    assert code == 3, out + err
    con = duckdb.connect(str(db_path), read_only=True)
    texts = [r[0] for r in con.execute("SELECT text FROM records").fetchall()]
    shown = " ".join(map(str, con.execute("SELECT locator, excerpt FROM quarantine").fetchall()))
    con.close()
    assert texts == ["金融監督管理委員會發布路徑圖。"]
    assert "〔PII key〕" in shown and KEY[:16].upper() not in shown.upper().replace(" ", "")


@pytest.mark.parametrize("form", ["upper case", "wrapped"])
def test_the_set_based_path_finds_the_key_in_upper_case_or_wrapped(tmp_path, key_file, cli, db_path, monkeypatch, form):
    monkeypatch.setenv("CURATE_INGEST_FAST", "1")
    monkeypatch.setenv("CURATE_INGEST_BULK_MIN_BYTES", "0")
    law = json.loads((FIX / "chlaw_json" / "ch" / "G0380177.json").read_text(encoding="utf-8-sig"))
    law["LawArticles"][-1]["ArticleContent"] += FORMS[form]
    dump = tmp_path / "ChLaw.json"
    dump.write_text("\ufeff" + json.dumps({"UpdateDate": "2024/1/1", "Laws": [law]}, ensure_ascii=False), "utf-8")
    code, out, err = cli("ingest", "law-moj", str(dump))
    assert code == 3 and "holds the PII key" in out + err, out + err
    con = duckdb.connect(str(db_path), read_only=True)
    held = con.execute("SELECT count(*) FROM records WHERE upper(text) LIKE '%' || $k || '%'", {"k": KEY[:32].upper()})
    assert held.fetchone()[0] == 0
    con.close()


@pytest.mark.parametrize("copy", ["a JSONL line", "the old key file"])
def test_the_key_under_the_old_utf16_way_on_is_found_too(tmp_path, cli, db_path, monkeypatch, copy):
    """The way on for a catalogue keyed under an old UTF-16 key file's bytes (review 13, secrets) gives the key as
    the hex of those bytes, through a real pipe (`<(od -An -tx1 -v FILE | tr -d ' \\n')`): the ingest's checks
    looked for that hex only, so the key as the file holds it (its text, a copy of the file) was ingested in the
    clear (review 13, integration)."""
    import os

    old = tmp_path / "secrets" / "pii.key"
    old.parent.mkdir()
    old.write_bytes(("\ufeff" + KEY + "\r\n").encode("utf-16-le"))
    d = tmp_path / "corpus"
    d.mkdir()
    lines = [{"id": "1", "text": f"備份金鑰 {KEY} 請妥善保存"}, {"id": "2", "text": "金融監督管理委員會發布路徑圖。"}]
    (d / "notes.jsonl").write_text(
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines[copy == "the old key file" :]), "utf-8"
    )
    if copy == "the old key file":
        (d / "pii.key.txt").write_bytes(old.read_bytes())
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    r, w = os.pipe()
    try:
        os.write(w, old.read_bytes().hex().encode())
        os.close(w)
        monkeypatch.setenv("CURATE_PII_KEY_FILE", f"/dev/fd/{r}")
        code, out, err = cli("ingest", "moda", str(d), "--licence", "OGDL-Taiwan-1.0")
    finally:
        os.close(r)
    if copy == "the old key file":
        assert code == 2 and "a copy of the PII key" in err and KEY not in out + err, out + err
        assert not db_path.exists() or _everywhere(db_path)[0] == 0
        return
    assert code == 3 and "holds the PII key" in out + err, out + err
    assert _everywhere(db_path)[:2] == (0, 0)


@pytest.mark.parametrize("copy", ["a JSONL line", "the old key file"])
def test_the_key_under_the_utf16_without_mark_way_on_is_found_too(tmp_path, cli, db_path, monkeypatch, copy):
    """A key file in UTF-16 without its mark is refused with a way on that gives its bytes as hex in `CURATE_PII_KEY`
    (review 14): the ingest's checks looked for that hex only (a mark was needed to read it as a UTF-16 file's text),
    so the hex key the file holds, in a document or in a copy of the file, was ingested in the clear."""
    import subprocess

    from curate.pii.keys import load_key
    from provenance.errors import ConfigError

    old = tmp_path / "secrets" / "pii.key"
    old.parent.mkdir()
    old.write_bytes((KEY + "\r\n").encode("utf-16-le"))
    old.chmod(0o600)
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.setenv("CURATE_PII_KEY_FILE", str(old))
    with pytest.raises(ConfigError, match="UTF-16 without its byte-order mark") as got:
        load_key()
    way_on = str(got.value).split("goes on with CURATE_PII_KEY=", 1)[1].split(" with CURATE_PII_KEY_FILE unset")[0]
    hexed = subprocess.run(["sh", "-c", f"printf %s {way_on}"], capture_output=True, text=True, check=True).stdout
    monkeypatch.delenv("CURATE_PII_KEY_FILE")
    monkeypatch.setenv("CURATE_PII_KEY", hexed)
    d = tmp_path / "corpus"
    d.mkdir()
    lines = [{"id": "1", "text": f"備份金鑰 {KEY} 請妥善保存"}, {"id": "2", "text": "金融監督管理委員會發布路徑圖。"}]
    (d / "notes.jsonl").write_text(
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines[copy == "the old key file" :]), "utf-8"
    )
    if copy == "the old key file":
        (d / "pii.key.txt").write_bytes(old.read_bytes())
    code, out, err = cli("ingest", "moda", str(d), "--licence", "OGDL-Taiwan-1.0")
    if copy == "the old key file":
        assert code == 2 and "a copy of the PII key" in err and KEY not in out + err, out + err
        assert not db_path.exists() or _everywhere(db_path)[0] == 0
        return
    assert code == 3 and "holds the PII key" in out + err, out + err
    assert _everywhere(db_path)[:2] == (0, 0)
