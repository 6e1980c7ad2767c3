"""`curate ingest moda|fsc|tabf|textbooks` end to end on a real DuckDB catalogue."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from sources.documents import Reason
from sources.manifest import ManifestReason


def _rows(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_textbooks_cli_quarantines_and_reingest_is_noop(cli, db_path, tmp_path, build):
    d = tmp_path / "books"
    d.mkdir()
    build.make_epub(
        d / "a.epub", [("c1.xhtml", "第一章　貨幣", ["貨幣是交易媒介。"]), ("c2.xhtml", "第二章　信用", ["信用創造。"])]
    )
    (d / "b.txt").write_bytes("第一節　利率\n利率是資金的價格。\n第二節　匯率\n匯率是貨幣的價格。\n".encode("big5"))
    (d / "c.txt").write_bytes(b"")
    (d / "d.txt").write_text("未列入清單。", encoding="utf-8")
    (d / "e.txt").write_text("授權不明。", encoding="utf-8")
    with (d / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["path", "title", "licensor", "licence_id", "agreement_id", "audience", "expiry"])
        w.writerow(
            ["a.epub", "貨幣銀行學", "某出版社", "LicenseRef-Written-Agreement", "PUB-2025-1", "internal", "2026-12-31"]
        )
        w.writerow(["b.txt", "講義", "某教授", "CC-BY-4.0", "", "", ""])
        w.writerow(["c.txt", "空", "某教授", "CC-BY-4.0", "", "", ""])
        # (a row under an unknown licence beside b.txt's own would dispute b.txt: review r4 docs #3)
        w.writerow(["e.txt", "壞授權", "某教授", "LicenseRef-Unknown", "", "", ""])
    code, out, err = cli("--quiet", "ingest", "textbooks", str(d / "manifest.csv"))
    assert code == 3, out + err
    q = dict(_rows(db_path, "SELECT reason, count(*) FROM quarantine GROUP BY reason"))
    assert q == {Reason.EMPTY: 1, ManifestReason.UNKNOWN_LICENCE: 1}
    recs = _rows(db_path, "SELECT locator, licence_id, metadata FROM records ORDER BY locator")
    assert [r[0] for r in recs] == [
        "a.epub#chapter=OEBPS/text/c1.xhtml",
        "a.epub#chapter=OEBPS/text/c2.xhtml",
        "b.txt#section=1&lines=1-2",
        "b.txt#section=2&lines=3-4",
    ]
    terms = json.loads(recs[0][2])["licence_terms"]
    assert terms["agreement_id"] == "PUB-2025-1" and terms["audience"] == "internal" and terms["expiry"] == "2026-12-31"
    assert json.loads(recs[2][2])["encoding"] == "cp950"
    assert "skipped 1: file not in manifest" in out
    code, out, _ = cli("--quiet", "ingest", "textbooks", str(d / "manifest.csv"))
    assert code == 3 and "4 unchanged" in out
    assert _rows(db_path, "SELECT count(*) FROM records")[0][0] == 4


def test_moda_and_fsc_cli(cli, db_path, tmp_path):
    f = tmp_path / "corpus.jsonl"
    f.write_text('{"id": "1", "text": "臺灣主權AI。", "extra": 1}\nnot json\n', encoding="utf-8")
    code, out, err = cli("--quiet", "ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0")
    assert code == 3 and "quarantined 1: JSONL line is not JSON" in out
    code, _, err = cli("--quiet", "ingest", "moda", str(f), "--licence", "LicenseRef-Bogus")
    assert code == 2 and "unknown licence id" in err  # usage, as the other not-found ids (review 12)
    # FSC's said only "unknown licence id `X` for FSC cases": no valid id, no way out (review 11, docs)
    code, _, err = cli("--quiet", "ingest", "fsc", str(f), "--licence", "LicenseRef-Bogus")
    assert code == 2 and "unknown licence id for FSC cases" in err and "give none" in err
    assert "LicenseRef-TW-Copyright-Art9" in err and "curate licences list" in err and len(err.splitlines()) == 1
    feed = tmp_path / "feed.xml"
    feed.write_text(
        "<rss><channel><item><title>甲銀行裁罰</title><description>&lt;p&gt;受處分人：甲商業銀行"
        "&lt;/p&gt;&lt;p&gt;主旨：核處新臺幣300萬元罰鍰。&lt;/p&gt;</description></item></channel></rss>",
        encoding="utf-8",
    )
    code, out, err = cli("--quiet", "ingest", "fsc", str(feed))
    assert code == 0, out + err
    assert _rows(db_path, "SELECT pii_expected FROM sources WHERE source_id = 'fsc'") == [(True,)]
    meta = json.loads(_rows(db_path, "SELECT metadata FROM records WHERE source_id = 'fsc'")[0][0])
    assert meta["fine_twd_total"] == 3_000_000 and meta["institution"] == "甲商業銀行"


def test_new_edition_versions_changed_sections_and_supersedes_removed(db_path, tmp_path):
    from curate.ingest import ingest
    from sources.textbooks import TextbooksSource

    d = tmp_path / "b"
    d.mkdir()
    (d / "manifest.csv").write_text("path,licence_id,edition\nbook.txt,CC-BY-4.0,1\n", encoding="utf-8")
    (d / "book.txt").write_text(
        "第一章　甲\n甲的內容。\n第二章　乙\n乙的內容。\n第三章　丙\n丙的內容。\n", encoding="utf-8"
    )
    first = ingest(db_path, TextbooksSource([d / "manifest.csv"]))
    assert first.records_new == 3
    # 2nd edition: chapter 1 unchanged, chapter 2 grew a line and moved, chapter 3 dropped
    (d / "book.txt").write_text("第一章　甲\n甲的內容。\n第二章　乙\n乙的新內容。\n補充。\n", encoding="utf-8")
    second = ingest(db_path, TextbooksSource([d / "manifest.csv"]))
    assert second.unchanged == 1 and second.versions_new == 1 and second.superseded == 1
    active = _rows(
        db_path, "SELECT locator, text, version_of IS NOT NULL FROM records WHERE status = 'active' ORDER BY locator"
    )
    assert active == [
        ("book.txt#section=1&lines=1-2", "第一章　甲\n甲的內容。", False),
        ("book.txt#section=2&lines=3-5", "第二章　乙\n乙的新內容。\n補充。", True),
    ]


def test_moda_bad_lines_keep_the_rest_and_no_personal_data(cli, db_path, tmp_path, monkeypatch):
    """A line with a lone surrogate (``\\ud800``) is quarantined and the file's other lines are ingested (it once
    failed the whole file with a traceback); an unparsable line's excerpt is stored as text, so the identifier
    guard pseudonymises the IDs and phones in it (stored as escaped bytes they went through)."""
    import duckdb

    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    f = tmp_path / "corpus.jsonl"
    f.write_text(
        '{"id": "s-1", "text": "正常文字一。"}\n'
        '{"id": "s-2", "text": "壞 \\ud800"}\n'
        '{"id": "s-3", "text": "申請人吳小美，身分證字號A123456789，手機０９１２３１２３１２\n'
        '{"id": "s-4", "text": "正常文字二。", "extra": {"k": "\\udc00"}}\n'
        '{"id": "s-5", "text": "正常文字三。"}\n',
        encoding="utf-8",
    )
    code, out, err = cli("--quiet", "ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0")
    assert code == 3 and "Traceback" not in err, err
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        texts = sorted(r[0] for r in con.execute("SELECT text FROM records").fetchall())
        rows = con.execute("SELECT locator, reason, excerpt FROM quarantine ORDER BY locator").fetchall()
    finally:
        con.close()
    assert texts == ["正常文字一。", "正常文字三。"]
    assert [(loc, reason) for loc, reason, _ in rows] == [
        ("corpus.jsonl#line=2", "not valid Unicode (lone surrogate)"),
        ("corpus.jsonl#line=3", "JSONL line is not JSON"),
        ("corpus.jsonl#line=4", "not valid Unicode (lone surrogate)"),
    ]
    excerpt = rows[1][2]
    assert "A123456789" not in excerpt and "〔身分證字號#" in excerpt and "\\x" not in excerpt
    assert "０９１２３１２３１２" not in excerpt and "0912312312" not in excerpt
    assert "A123456789" not in out + err


def test_moda_licence_correction_takes_effect(cli, db_path, tmp_path):
    """Ingesting the same MODA file again under a corrected --licence makes new versions under it (text and state
    carried over, a licence_terms_changed event each), so exports follow; once more changes nothing. It once
    changed the source row only, and exports kept the old licence."""
    import duckdb

    f = tmp_path / "m.jsonl"
    f.write_text('{"id": "m1", "text": "金融科技發展路徑圖。"}\n{"id": "m2", "text": "數位金融。"}\n', encoding="utf-8")
    assert cli("--quiet", "ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0")[0] == 0
    code, out, err = cli("ingest", "moda", str(f), "--licence", "CC-BY-NC-4.0")
    assert code == 0 and "2 new versions of which 2 licence terms changed" in out, out + err
    code, out, _ = cli("ingest", "moda", str(f), "--licence", "CC-BY-NC-4.0")
    assert code == 0 and "0 new versions, 2 unchanged" in out, out
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        active = con.execute("SELECT licence_id, text FROM records WHERE status = 'active' ORDER BY text").fetchall()
        events = con.execute(
            "SELECT json_extract_string(detail, '$.old.licence_id'), json_extract_string(detail, '$.new.licence_id')"
            " FROM provenance_events WHERE action = 'licence_terms_changed'"
        ).fetchall()
    finally:
        con.close()
    assert active == [("CC-BY-NC-4.0", "數位金融。"), ("CC-BY-NC-4.0", "金融科技發展路徑圖。")]
    assert events == [("OGDL-Taiwan-1.0", "CC-BY-NC-4.0")] * 2
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err
    code, out, err = cli(
        "export",
        "dataset",
        "--purpose",
        "training",
        "--audience",
        "public",
        "--commercial",
        "--pii-gate",
        "expected",
        "--out",
        str(tmp_path / "ex"),
    )
    assert code == 0 and "0 records" in out and "commercial 2" in out + err, out + err


def test_a_source_id_of_another_kind_of_source_is_refused_before_anything_is_written(
    cli, db_path, tmp_path, law_fixtures
):
    code, _, err = cli("--quiet", "ingest", "law-moj", str(law_fixtures / "chlaw_json" / "ch" / "G0380001.json"))
    assert code == 0, err
    textbooks = Path(__file__).parents[2] / "demo" / "sample" / "textbooks" / "manifest.csv"
    code, _, err = cli("--quiet", "ingest", "textbooks", str(textbooks), "--source-id", "ocw")
    assert code == 3, err  # the sample's manifest has a row quarantined on purpose
    sources_before = _rows(db_path, "SELECT * FROM sources")
    runs_before = _rows(db_path, "SELECT count(*) FROM runs")
    f = tmp_path / "corpus.jsonl"
    f.write_text('{"id": "1", "text": "臺灣主權AI。"}\n', encoding="utf-8")
    code, out, err = cli("--quiet", "ingest", "moda", str(f), "--licence", "CC0-1.0", "--source-id", "ocw")
    assert code == 1 and "Traceback" not in err and err.count("\n") == 1
    assert "source id `ocw` belongs to a source of kind" in err and "choose another source id" in err
    assert _rows(db_path, "SELECT * FROM sources") == sources_before
    assert _rows(db_path, "SELECT count(*) FROM runs") == runs_before
    assert _rows(db_path, "SELECT count(*) FROM records WHERE source_id = 'ocw' AND text LIKE '%主權AI%'") == [(0,)]
    # a MODA source id of its own is fine, again and again
    for _ in range(2):
        code, _, err = cli("--quiet", "ingest", "moda", str(f), "--licence", "CC0-1.0", "--source-id", "moda_news")
        assert code == 0, err


def _moda_heads(db):
    return _rows(db, "SELECT licence_id, stage, text FROM records WHERE status = 'active' ORDER BY text")


def test_a_second_moda_licence_correction_takes_effect(cli, db_path, tmp_path):
    """A correction after an earlier one reaches the active versions (review licences #1 repro A): it once matched
    the ingested id only, superseded by the first correction's version, and called the records unchanged."""
    f = tmp_path / "m.jsonl"
    f.write_text('{"id": "m1", "text": "金融科技發展路徑圖。"}\n{"id": "m2", "text": "數位金融。"}\n', encoding="utf-8")
    assert cli("--quiet", "ingest", "moda", str(f), "--licence", "CC-BY-4.0")[0] == 0
    assert cli("--quiet", "ingest", "moda", str(f), "--licence", "CC-BY-NC-4.0")[0] == 0
    for licence in ("CC-BY-4.0", "LicenseRef-MODA-AI-Training"):
        code, out, err = cli("ingest", "moda", str(f), "--licence", licence)
        assert code == 0 and "2 new versions of which 2 licence terms changed, 0 unchanged" in out, out + err
        assert [lic for lic, _, _ in _moda_heads(db_path)] == [licence] * 2
    code, out, _ = cli("ingest", "moda", str(f), "--licence", "LicenseRef-MODA-AI-Training")
    assert code == 0 and "0 new versions, 2 unchanged" in out, out
    events = _rows(
        db_path,
        "SELECT json_extract_string(detail, '$.new.licence_id') FROM provenance_events"
        " WHERE action = 'licence_terms_changed' ORDER BY seq",
    )
    assert [e[0] for e in events] == ["CC-BY-NC-4.0"] * 2 + ["CC-BY-4.0"] * 2 + ["LicenseRef-MODA-AI-Training"] * 2
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err


def test_a_moda_licence_correction_reaches_a_stage_version_and_leaves_withdrawn_ones(cli, db_path, tmp_path):
    """After hygiene made a new version of one record, a corrected --licence re-licenses that version (review
    licences #1 repro B: it kept the old licence and exports followed it); a withdrawn document gets a corrected
    version held withdrawn (a reinstatement brings that one back, not the old licence: review 7 of the fixes), and
    the correction again changes nothing."""
    f = tmp_path / "m.jsonl"
    rows = [("m1", "金融監督管理\u200b委員會  公告。"), ("m2", "數位金融。"), ("m3", "撤回的文件。")]
    f.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in rows), encoding="utf-8")
    assert cli("--quiet", "ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0")[0] == 0
    assert cli("--quiet", "run", "hygiene")[0] == 0
    (withdrawn,) = _rows(db_path, "SELECT record_id FROM records WHERE text = '撤回的文件。'")[0]
    code, _, err = cli("--quiet", "provenance", "withdraw", "--record", withdrawn, "--reason", "test")
    assert code == 0, err
    assert [stage for _, stage, _ in _moda_heads(db_path)] == ["ingest", "hygiene"]
    code, out, err = cli("ingest", "moda", str(f), "--licence", "LicenseRef-MODA-AI-Training")
    assert code == 0 and "3 new versions of which 3 licence terms changed, 0 unchanged" in out, out + err
    assert _moda_heads(db_path) == [
        ("LicenseRef-MODA-AI-Training", "ingest", "數位金融。"),
        ("LicenseRef-MODA-AI-Training", "hygiene", "金融監督管理委員會公告。"),
    ]
    assert _rows(db_path, "SELECT licence_id, status FROM records WHERE text = '撤回的文件。' ORDER BY 1") == [
        ("LicenseRef-MODA-AI-Training", "withdrawn"),
        ("OGDL-Taiwan-1.0", "withdrawn"),
    ]
    code, out, _ = cli("ingest", "moda", str(f), "--licence", "LicenseRef-MODA-AI-Training")
    assert code == 0 and "0 new versions, 3 unchanged" in out, out
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err


@pytest.mark.parametrize("fault", ["ingest_mid_batch_1", "ingest_mid_batch_1@TERMLOST"])
def test_a_moda_licence_correction_killed_mid_batch_resumes_to_the_same_records(cli, db_path, tmp_path, fault):
    """kill -9 while the correction's batch is written (versions and events not committed), then the same ingest
    again: the same records as an uninterrupted correction, and the catalogue verifies. A SIGTERM whose exception
    DuckDB swallowed (``@TERMLOST``) was ignored: the ingest went on and ended 0 (review 13, crash); now it stops
    there as a SIGTERM does, its batch rolled back."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    f = tmp_path / "m.jsonl"
    rows = [("m1", "金融監督管理\u200b委員會  公告。"), ("m2", "數位金融。")]
    f.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in rows), encoding="utf-8")
    assert cli("--quiet", "ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0")[0] == 0
    assert cli("--quiet", "run", "hygiene")[0] == 0
    crashed = tmp_path / "crashed.duckdb"
    shutil.copy(db_path, crashed)
    again = ("ingest", "moda", str(f), "--licence", "LicenseRef-MODA-AI-Training")
    assert cli("--quiet", *again)[0] == 0
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "CURATE_FAULT": fault, "PYTHONPATH": str(root)}
    argv = [sys.executable, "-m", "curate.cli", "--db", str(crashed), "--quiet", *again]
    proc = subprocess.run(argv, env=env, capture_output=True, timeout=300)
    assert proc.returncode == (143 if "@" in fault else -9), proc.stderr.decode()[-2000:]
    if "@" in fault:
        assert proc.stderr.decode().strip() == "curate: terminated (SIGTERM); what was not recorded is removed"
    code, out, err = cli(*again, db=crashed)
    assert code == 0 and "2 new versions of which 2 licence terms changed" in out, out + err
    columns = "record_id, doc_key, version_of, status, text, stage, content_sha256, licence_id, metadata, pii_state"
    records = f"SELECT {columns} FROM records ORDER BY record_id"
    assert _rows(crashed, records) == _rows(db_path, records)
    code, out, err = cli("audit", "verify", db=crashed)
    assert code == 0, out + err


@pytest.mark.parametrize(
    ("argv", "reserved"),
    [
        (["moda", "{f}", "--licence", "CC0-1.0"], "fsc"),
        (["moda", "{f}", "--licence", "CC0-1.0"], "law_moj"),
        (["moda", "{f}", "--licence", "CC0-1.0"], "textbooks"),
        (["textbooks", "{textbooks}"], "tabf"),
    ],
)
def test_a_built_in_sources_id_is_refused_as_another_sources_source_id(cli, db_path, tmp_path, argv, reserved):
    """Review readme F3: `ingest moda --source-id fsc` was taken, and `ingest fsc` (which has no --source-id) was
    refused for good from then on."""
    f = tmp_path / "corpus.jsonl"
    f.write_text('{"id": "1", "text": "臺灣主權AI。"}\n', encoding="utf-8")
    textbooks = Path(__file__).parents[2] / "demo" / "sample" / "textbooks" / "manifest.csv"
    argv = [a.format(f=f, textbooks=textbooks) for a in argv]
    code, _, err = cli("--quiet", "ingest", *argv, "--source-id", reserved)
    assert code == 2 and f"source id `{reserved}` is reserved" in err and err.count("\n") == 1, err
    assert not db_path.exists() or _rows(db_path, "SELECT count(*) FROM records") == [(0,)]


def test_a_file_named_as_input_that_the_source_cannot_read_is_quarantined(cli, db_path, tmp_path):
    """`curate ingest law-moj corpus.jsonl` (a MODA file given to law-moj) read nothing and said "1 skipped", exit 0:
    a file named on the command line that nothing reads looked like success. It is quarantined now (exit 3) with the
    types the source reads; in a folder the same file stays a counted skip and the folder's other files are read
    (review 11, docs-r)."""
    moda_file = tmp_path / "corpus.jsonl"
    moda_file.write_text(json.dumps({"id": "1", "text": "臺灣開放資料。"}, ensure_ascii=False) + "\n", encoding="utf-8")
    photo = tmp_path / "scan.xyz"
    photo.write_bytes(b"?")
    for args, reads in (
        (["law-moj", str(moda_file)], ".json, .zip, .xml"),
        (["fsc", str(moda_file)], ".xml, .rss, .html"),
        (["moda", str(photo), "--licence", "CC0-1.0"], ".jsonl"),
    ):
        code, out, err = cli("ingest", *args)
        assert code == 3, (args, code, out, err)
        assert "quarantined 1: unsupported file type" in out and "named as input" in out and reads in out, out
        assert "0 records" in out and "Traceback" not in err
    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "rows.jsonl").write_bytes(moda_file.read_bytes())
    (folder / "notes.xyz").write_bytes(b"?")
    code, out, err = cli("ingest", "moda", str(folder), "--licence", "CC0-1.0")
    assert code == 0 and "skipped 1: unsupported file type" in out and "1 new" in out, (out, err)


@pytest.mark.parametrize("source", ["moda", "fsc", "law-moj"])
def test_an_empty_input_folder_is_named_not_silent(cli, db_path, tmp_path, source):
    """Review 12, second look: an empty folder (a wrong path, a copy not finished) exited 0 with `0 items read` and
    no word of it; now a warning says nothing was read (the exit stays 0: nothing failed)."""
    from curate.ingest_report import NOTHING_READ

    empty = tmp_path / "empty"
    (empty / ".hidden").mkdir(parents=True)  # a folder of hidden files only is as empty to the sources
    licence = ["--licence", "OGDL-Taiwan-1.0"] if source == "moda" else []
    code, out, err = cli("ingest", source, str(empty), *licence)
    assert code == 0, out + err
    assert "0 items read" in out and NOTHING_READ in out
