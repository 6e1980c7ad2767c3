"""The title and metadata of a `pii_expected` source's record that has not passed the PII stage read as NULL on
every auditor read path, as in `curate sql`: `curate audit record` (text and --json), the portal's search (shown
and matched) and its record page. A real FSC feed ingest whose title names a person."""

from __future__ import annotations

import json

import httpx
import pytest

from provenance import db

from .webhelpers import LivePortal, http_login

NAME, ID_NO, PHONE = "王大明", "A123456789", "0912345678"
FEED = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>t</title>
<item><title>核處保險業務員{NAME}（身分證{ID_NO}，電話{PHONE}）違反保險法</title>
<link>https://www.fsc.gov.tw/ch/home.jsp?id=131&amp;dataserno=202508010099&amp;dtable=Penalty</link>
<pubDate>Fri, 01 Aug 2025 10:00:00 +0800</pubDate>
<description><![CDATA[<p>受處分人：{NAME}</p><p>身分證字號：{ID_NO}</p><p>主旨：核處{NAME}新臺幣60萬元罰鍰。</p>]]></description></item>
</channel></rss>
"""


@pytest.fixture
def unchecked(tmp_path, cli, monkeypatch) -> tuple:
    feed = tmp_path / "feed.xml"
    feed.write_text(FEED, encoding="utf-8")
    path = tmp_path / "fsc.duckdb"
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    code, _, err = cli("-q", "ingest", "fsc", str(feed), db=path)
    assert code == 0, err
    monkeypatch.delenv("CURATE_PII_KEY")
    con = db.connect_readonly(path)
    try:
        rid, title = con.execute("SELECT record_id, title FROM records").fetchone()
    finally:
        con.close()
    assert ID_NO in title  # the catalogue holds it; no read path may show it before the PII stage
    return path, rid


def test_audit_record_masks_an_unchecked_title_and_metadata(unchecked, cli):
    path, rid = unchecked
    code, out, err = cli("sql", "SELECT title, metadata FROM records", db=path)
    assert code == 0 and ID_NO not in out, err
    for args in (("audit", "record", rid), ("audit", "record", rid, "--json"), ("audit", "record", rid, "--full")):
        code, out, err = cli(*args, db=path)
        assert code == 0, err
        assert not [s for s in (NAME, ID_NO, PHONE) if s in out], args
    rec = json.loads(cli("audit", "record", rid, "--json", db=path)[1])["record"]
    assert rec["title"] is None and rec["metadata"] is None and rec["characters"] > 0


def test_portal_neither_shows_nor_matches_an_unchecked_title(unchecked, tmp_path):
    path, rid = unchecked
    p = LivePortal(path, tmp_path / "portal")
    try:
        with httpx.Client(base_url=p.url) as c:
            http_login(c, "alice")
            for q in (ID_NO, NAME, "保險業務員"):  # not even a yes/no oracle for a name or ID
                html = c.get("/", params={"q": q}).text
                assert 'id="no-results"' in html, q
            html = c.get("/", params={"q": rid[:12]}).text  # found by id, title not shown
            assert rid[:16] in html and ID_NO not in html and NAME not in html
            html = c.get(f"/record/{rid}").text
            assert rid in html and not [s for s in (NAME, ID_NO, PHONE) if s in html]
    finally:
        p.stop()
