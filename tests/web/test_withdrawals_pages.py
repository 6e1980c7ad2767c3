"""The withdrawals page is paged (review 11): a takedown list withdrawn record by record holds thousands of
withdrawals, and the page showed them all at once, running a recall query for each (2,000: half a minute, while
the request held its snapshot)."""

from __future__ import annotations

import json

import httpx

from provenance import db
from provenance.withdraw import withdraw

from .webhelpers import LivePortal, http_login


def test_withdrawals_are_shown_fifty_to_a_page(tmp_path, cli):
    src = tmp_path / "l.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for i in range(53):
            row = {"id": f"a{i}", "title": f"報告{i:02d}", "text": f"第{i}號報告：銀行應依本法辦理存款業務。"}
            f.write(json.dumps({**row, "agency": "數位發展部"}, ensure_ascii=False) + "\n")
    path = tmp_path / "l.duckdb"
    code, _, err = cli("-q", "ingest", "moda", "--licence", "OGDL-Taiwan-1.0", "--dataset", "ds", str(src), db=path)
    assert code == 0, err
    con = db.connect(path)
    try:
        ids = [r[0] for r in con.execute("SELECT record_id FROM records ORDER BY record_id").fetchall()]
        for n, rid in enumerate(ids):
            withdraw(con, record_id=rid, reason=f"takedown {n:02d}")
    finally:
        con.close()
    p = LivePortal(path, tmp_path / "portal")
    try:
        with httpx.Client(base_url=p.url) as c:
            http_login(c, "alice")
            first = c.get("/withdrawals").text
            assert first.count('class="withdrawal"') == 50 and "page 1 of 2" in first
            assert "takedown 52" in first and "takedown 02" not in first  # newest first
            assert 'href="/withdrawals?page=2"' in first
            last = c.get("/withdrawals", params={"page": "2"}).text
            assert last.count('class="withdrawal"') == 3 and "takedown 02" in last and "takedown 52" not in last
            assert "51–53 of 53" in last
            # a page out of range or no number: the nearest page ("²" passes str.isdigit(), int() refuses it: a 500)
            for odd in ("0", "-1", "x", "9" * 40, "999", "²", "①", "١"):
                r = c.get("/withdrawals", params={"page": odd})
                assert r.status_code == 200 and r.text.count('class="withdrawal"') in (50, 3), odd
            # past the last page, however many digits: the last page, not the first (review 12)
            for past in ("999", "9999999999", "9" * 40, "0" * 9 + "3"):
                r = c.get("/withdrawals", params={"page": past})
                assert r.status_code == 200 and "51–53 of 53" in r.text, past
            # a padded number is its page: leading zeros do not make it "ten digits or more" (review 12, second look)
            for padded, shown in (("0" * 9 + "1", "1–50 of 53"), ("0" * 20 + "2", "51–53 of 53")):
                r = c.get("/withdrawals", params={"page": padded})
                assert r.status_code == 200 and shown in r.text, padded
    finally:
        p.stop()
