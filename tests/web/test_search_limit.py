"""A bank's search filters before the result limit, and a cut list says so (review 5, finding 5): the first 50
matches were once taken, then filtered, so a bank saw "no matching records" beside an allowed match."""

from __future__ import annotations

import json

import httpx

from provenance.licence_terms import CREDIT_MAX

from .webhelpers import LivePortal, http_login


def test_bank_search_finds_an_allowed_record_after_refused_ones(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    src = tmp_path / "l.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for i in range(55):  # refused for export: the agency name is past CREDIT_MAX (attribution check)
            row = {"id": f"a{i}", "title": f"報告A{i:02d}", "text": f"第{i}號報告：銀行應依本法規定辦理存款業務。"}
            f.write(json.dumps({**row, "agency": "數" * (CREDIT_MAX + 1)}, ensure_ascii=False) + "\n")
        row = {"id": "z", "title": "報告Z", "text": "最後一號報告：銀行應依本法規定辦理放款業務。"}
        f.write(json.dumps({**row, "agency": "數位發展部"}, ensure_ascii=False) + "\n")
    path = tmp_path / "l.duckdb"
    code, _, err = cli(
        "-q", "ingest", "moda", "--licence", "OGDL-Taiwan-1.0", "--dataset", "demo-ds", str(src), db=path
    )
    assert code == 0, err
    assert cli("-q", "run", "pii", "--workers", "1", db=path)[0] == 0
    p = LivePortal(path, tmp_path / "portal")
    try:
        with httpx.Client(base_url=p.url) as c:
            http_login(c, "esun")
            html = c.get("/", params={"q": "報告"}).text
            assert "結果 Results (1)" in html and "報告Z" in html and 'id="results-cut"' not in html
        with httpx.Client(base_url=p.url) as c:
            http_login(c, "alice")  # the auditor's list is cut at 50, and says so
            html = c.get("/", params={"q": "報告"}).text
            assert "結果 Results (50+)" in html and 'id="results-cut"' in html
            html = c.get("/", params={"q": "報告Z"}).text
            assert "結果 Results (1)" in html and 'id="results-cut"' not in html
    finally:
        p.stop()


def test_a_cut_search_with_nothing_open_says_so_and_not_no_matches():
    """A bank whose first 5,000 matches are all refused, with more left (views left-alone of review 5): the page
    said both "the list is cut" and "no matching records". Now it names what happened, and only that."""
    from curate.web.app import TEMPLATES

    tpl = TEMPLATES.env.get_template("home.html.j2")
    ctx = {"q": "報告", "user": None, "purposes": [], "purpose": "training", "generation": 1, "scan": "5,000"}
    row = {"record_id": "ab" * 32, "title": "報告Z", "source_id": "moda", "status": "active", "licence_id": "x"}
    html = tpl.render(ctx, rows=[], cut=True)
    assert 'id="results-cut"' in html and "none of the first 5,000 matching records is open" in html
    assert 'id="no-results"' not in html
    # a bank for which a few of the first 5,000 matches are open, more not examined: it said "only the first 1 are
    # shown", as if the list held more open records (review 12); it names the 5,000 examined
    html = tpl.render(ctx, rows=[row], cut=True, limit=50)
    assert "only 1 of the first 5,000 matching records are open to you" in html and 'id="no-results"' not in html
    html = tpl.render(ctx, rows=[row] * 50, cut=True, limit=50)
    assert "only the first 50 are shown" in html and "open to you" not in html
    html = tpl.render(ctx, rows=[], cut=False)
    assert 'id="no-results"' in html and 'id="results-cut"' not in html
