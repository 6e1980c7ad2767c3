"""Inputs that would exhaust the machine or crash a batch are quarantined with their own reason (issue 12 §4).

Each case mixes the hostile input with good input: the good part is ingested, the bad part is in
`quarantine` with its reason, and the CLI exits 3. Memory is measured in bench/bench_security.py.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import duckdb
import pytest

from sources import capped
from sources.documents import ExtractConfig, ExtractionError, extract
from sources.documents.text import decode_text


def _quarantine(db: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT locator, reason FROM quarantine ORDER BY ALL").fetchall()
    finally:
        con.close()


def _count(db: Path, sql: str = "SELECT count(*) FROM records") -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_law_zip_bomb_member_is_quarantined_and_the_rest_kept(cli, db_path, tmp_path, law_fixtures, monkeypatch):
    monkeypatch.setattr(capped, "MAX_MEMBER_BYTES", 4 * 1024 * 1024)  # the same check, at test size
    good = next((law_fixtures / "chlaw_json" / "ch").glob("*.json"))
    z = tmp_path / "ChLaw.json.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(good, "good.json")
        with zf.open("bomb.json", "w") as fh:  # 8 MB of whitespace: a few KB compressed
            for _ in range(8):
                fh.write(b" " * (1 << 20))
        with zf.open("ratio.json", "w") as fh:  # under the size cap, over the ratio cap
            fh.write(b"[" + b" " * (3 << 20) + b"]")
    code, out, err = cli("ingest", "law-moj", str(z), "--scope", "all")
    assert code == 3, out + err
    reasons = {loc.split("!")[-1]: r for loc, r in _quarantine(db_path)}
    assert reasons == {"bomb.json": capped.REASON_ZIP_BOMB, "ratio.json": capped.REASON_ZIP_BOMB}
    assert _count(db_path) > 0


def test_deeply_nested_json_is_quarantined(cli, db_path, tmp_path, law_fixtures):
    good = next((law_fixtures / "chlaw_json" / "ch").glob("*.json"))
    laws = tmp_path / "laws"
    laws.mkdir()
    (laws / "good.json").write_bytes(good.read_bytes())
    (laws / "deep.json").write_text("[" * 200_000 + "]" * 200_000)
    code, out, err = cli("ingest", "law-moj", str(laws), "--scope", "all")
    assert code == 3 and "Traceback" not in err, out + err
    assert [r for _, r in _quarantine(db_path)] == [capped.REASON_TOO_DEEP]
    assert _count(db_path) > 0

    ds = tmp_path / "ds"
    ds.mkdir()
    deep = '{"id": "x", "text": ' + "[" * 100_000 + "]" * 100_000 + "}"
    (ds / "p.jsonl").write_text(
        json.dumps({"id": "a", "text": "金融監督管理委員會。"}, ensure_ascii=False)
        + "\n"
        + deep
        + "\n"
        + json.dumps({"id": "b", "text": "主權語料。"}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    code, out, err = cli("ingest", "moda", str(ds), "--licence", "CC-BY-4.0")
    assert code == 3 and "Traceback" not in err, out + err
    assert any(r == capped.REASON_TOO_DEEP and loc.endswith("line=2") for loc, r in _quarantine(db_path))
    assert _count(db_path, "SELECT count(*) FROM records WHERE source_id = 'moda'") == 2


def test_record_size_cap(cli, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_MAX_RECORD_CHARS", "1000")
    ds = tmp_path / "ds"
    ds.mkdir()
    rows = [
        {"id": "a", "text": "短文。"},
        {"id": "big", "text": "長" * 1500},  # over the character cap
        {"id": "huge", "text": "巨" * 5000},  # over the byte cap of the line reader too (drained, never kept)
        {"id": "b", "text": "另一篇短文。"},
    ]
    (ds / "p.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    code, out, err = cli("ingest", "moda", str(ds), "--licence", "CC-BY-4.0")
    assert code == 3, out + err
    assert [r for _, r in _quarantine(db_path)] == [capped.REASON_TOO_LARGE, capped.REASON_TOO_LARGE]
    assert _count(db_path) == 2


def _epub(path: Path, chapter_chars: int, repeats: int, distinct: bool = False) -> Path:
    body = "<p>" + "章" * chapter_chars + "</p>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/epub+zip")
        zf.writestr(
            "META-INF/container.xml",
            '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf"/></rootfiles></container>',
        )
        n = repeats if distinct else 1
        spine = "".join(f'<itemref idref="c{i % n}"/>' for i in range(repeats))
        items = "".join(f'<item id="c{i}" href="c{i}.xhtml"/>' for i in range(n))
        zf.writestr(
            "OEBPS/content.opf",
            '<package xmlns="http://www.idpf.org/2007/opf"><metadata><title>書</title></metadata>'
            f"<manifest>{items}</manifest><spine>{spine}</spine></package>",
        )
        for i in range(n):
            zf.writestr(f"OEBPS/c{i}.xhtml", f"<html><body><h1>一</h1>{body}</body></html>")
    return path


def test_epub_spine_repeats_read_once_and_extracted_text_counted(tmp_path):
    cfg = ExtractConfig(max_extracted_chars=1_000_000)
    ok = extract(_epub(tmp_path / "ok.epub", 100_000, 3), cfg)
    assert len(ok.segments) == 1  # a chapter the spine repeats is read once
    assert len(extract(_epub(tmp_path / "ok3.epub", 100_000, 3, distinct=True), cfg).segments) == 3
    bomb = _epub(tmp_path / "bomb.epub", 100_000, 30, distinct=True)
    assert bomb.stat().st_size < 100_000  # small on disk, 3M characters extracted
    with pytest.raises(ExtractionError) as exc:
        extract(bomb, cfg)
    assert "extracted text passes 1000000 characters" in str(exc.value)


def test_utf32_text_is_refused_not_misread(tmp_path):
    data = "臺灣銀行法第一條。".encode("utf-32")
    with pytest.raises(ExtractionError, match="UTF-32"):
        decode_text(data)
    assert capped.utf32_bom(data)
    f = tmp_path / "a.txt"
    f.write_bytes(data)
    with pytest.raises(ExtractionError, match="UTF-32"):
        extract(f, ExtractConfig())
    assert decode_text("臺灣".encode("utf-16"))[0] == "臺灣"  # UTF-16 still works


def test_fsc_feed_text_after_an_entity_is_kept(tmp_path, collect):
    from sources.fsc import FscSource

    d = tmp_path / "fsc"
    d.mkdir()
    (d / "feed.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE rss [<!ENTITY org "金管會"><!ENTITY a "&org;&org;&org;&org;&org;&org;&org;&org;">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        "<rss><channel><item><title>戊銀行違反銀行法</title>"
        "<link>https://www.fsc.gov.tw/ch/home.jsp?id=131&amp;dataserno=202501010001&amp;dtable=Penalty</link>"
        "<description>主旨：核處罰鍰。 &b; 事實：內部控制制度未落實。</description></item></channel></rss>",
        encoding="utf-8",
    )
    records, rejections, _ = collect(FscSource([d]))
    assert not rejections and len(records) == 1
    text = records[0].text
    assert "事實：內部控制制度未落實。" in text  # the text after the entity reference
    assert "金管會金管會" not in text  # the entity is never expanded (no billion laughs)
