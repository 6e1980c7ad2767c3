"""`curate report`: one self-contained HTML file, bilingual, no network, no personal data, no injection."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from provenance import db
from provenance.export import ExportParams, preview

from .webhelpers import SECRETS, PageWatch

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def test_report_is_self_contained_and_true(demo_catalogue, cli, tmp_path):
    out = tmp_path / "r" / "report.html"
    code, stdout, err = cli("report", "--out", str(out), db=demo_catalogue["path"])
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    # no external scripts, styles or images: every <script> is inline, no src/href to the network
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert not re.search(r"<link[^>]*\bhref=", html)
    assert not re.search(r"<img[^>]*\bsrc=[\"']?https?:", html)
    assert "Plotly.newPlot" in html and "處理漏斗 Stage funnel" in html and "Quarantine reasons" in html
    # personal data never reaches the report, markup in catalogue values is escaped
    for s in SECRETS:
        assert s not in html
    assert "</script><b>x</b>" not in html and "<script>alert(1)</script>" not in html
    # the funnel's exportable step is the export rule's own answer
    con = db.connect_readonly(demo_catalogue["path"])
    try:
        want = preview(con, ExportParams(purpose="training", audience="consortium", commercial=False))
        n_pii = con.execute("SELECT count(*) FROM provenance_events WHERE action = 'pii_scrubbed'").fetchone()[0]
    finally:
        con.close()
    assert n_pii >= 1 and "TW_NATIONAL_ID" in html
    assert demo_catalogue["export_id"] in html
    m = re.search(r"可匯出 exportable \(training, consortium, non-commercial\)</td><td class=\"n\">([\d,]+)<", html)
    assert m and int(m.group(1).replace(",", "")) == want["records"] > 0


def test_report_renders_offline_in_chromium(demo_catalogue, cli, tmp_path, watched_page, artefacts):
    out = tmp_path / "report.html"
    assert cli("report", "-o", str(out), db=demo_catalogue["path"])[0] == 0
    watch = PageWatch(watched_page, "file://")
    watched_page.goto(out.as_uri())
    watched_page.wait_for_selector("#fig-funnel .main-svg")
    assert watched_page.locator(".js-plotly-plot").count() >= 8
    assert watch.errors == [] and watch.external == []
    shot = artefacts / "report.png"
    watched_page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("CURATE_UPDATE_DOCS_IMG"):  # `make screenshots`: refresh the README's copy
        shutil.copyfile(shot, DOCS_IMG / "report.png")


def test_report_opened_from_disk_sends_nothing_beyond_the_file(demo_catalogue, cli, tmp_path, watched_page):
    """Opened from disk no server sends a Content-Security-Policy: before the portal review of review 13 the report
    carried none, so anything that slipped into it past escaping (a value, a plotly feature) could load or send
    data anywhere. Its own policy (a <meta>) lets the inline charts draw and blocks every request beyond the file."""
    out = tmp_path / "report.html"
    assert cli("report", "-o", str(out), db=demo_catalogue["path"])[0] == 0
    failed: list[str | None] = []
    watched_page.on("requestfailed", lambda r: failed.append(r.failure))
    watched_page.goto(out.as_uri())
    watched_page.wait_for_selector("#fig-funnel .main-svg")  # the inline scripts still run
    blocked = watched_page.evaluate(
        """() => new Promise((done) => {
            const seen = [];
            document.addEventListener("securitypolicyviolation", (e) => seen.push(e.effectiveDirective));
            const img = new Image();
            img.onload = img.onerror = () => setTimeout(() => done(seen), 0);
            img.src = "http://127.0.0.1:9/beacon.png?leak=1";
        })"""
    )
    # refused by the policy before any connection (without it: a connection refused by the port, no violation)
    assert blocked == ["img-src"] and failed == ["csp"], (blocked, failed)


def _scale_file(path: Path, points: list[tuple[int, float, float]]) -> Path:
    import json

    results = [
        {
            "n": n,
            "machine": "x86_64 2 cores",
            "date": "2026-12-03",
            "steps": {
                "ingest": {"seconds": secs, "peak_mib": mib, "cpu_s": secs, "cpu_pct": 100},
                "dedup": {"seconds": secs * 2, "peak_mib": mib, "cpu_s": secs * 2, "cpu_pct": 100},
                "duckdb_bulk": {"seconds": secs / 2, "rows": n, "cpu_s": secs / 2},
                "hygiene_w1": {"seconds": 3.0, "peak_mib": 400.0},  # the older form of the same comparison
                "hygiene_w2": {"seconds": 2.0, "peak_mib": 400.0},
            },
            "workers": {"pii": {"w1": {"seconds": 10.0, "peak_mib": 500.0}, "w2": {"seconds": 5.5, "peak_mib": 500.0}}}
            if n != 25_000
            else None,
        }
        for n, secs, mib in points
    ]
    path.write_text(json.dumps({"results": results}), encoding="utf-8")
    return path


def test_report_scale_section(demo_catalogue, cli, tmp_path):
    # linear time (x10 N -> x10 s) and flat memory: exponents 1.00 and 0.00, speed-up 10/5.5
    res = _scale_file(
        tmp_path / "scale.json", [(100_000, 20.0, 800.0), (25_000, 5.0, 800.0), (1_000_000, 200.0, 800.0)]
    )
    out = tmp_path / "report.html"
    code, _, err = cli("report", "-o", str(out), "--scale-results", str(res), db=demo_catalogue["path"])
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "Scale benchmark" in html and "fig-scale_time" in html and "fig-scale_rss" in html
    rows = re.findall(r"<tr><td>([\d,]+)</td>", html)
    assert rows[:3] == ["25,000", "100,000", "1,000,000"]  # sorted by N
    assert re.search(r"time exponent</th><td>1\.00</td><td>1\.00</td>", html)
    assert re.search(r"memory exponent</th><td>0\.00</td>", html)
    assert "1.82×" in html  # pii 1 vs 2 workers
    assert "1.50×" in html  # hygiene, older result form (25k)
    assert '"type":"log"' in html.replace(" ", "")


def test_report_scale_results_bad_file_is_a_clear_error(demo_catalogue, cli, tmp_path):
    out = tmp_path / "report.html"
    for content, says in (
        (None, "not found"),
        ("{nope", "not readable JSON"),
        ('{"results": [{"n": "many", "steps": {}}]}', "positive integer"),
        ('{"results": [{"n": 5, "steps": {"ingest": {"seconds": "slow"}}}]}', "numeric"),
    ):
        path = tmp_path / "bad.json"
        path.unlink(missing_ok=True)
        if content is not None:
            path.write_text(content, encoding="utf-8")
        code, stdout, err = cli("report", "-o", str(out), "--scale-results", str(path), db=demo_catalogue["path"])
        assert code == 2 and says in (stdout + err) and "Traceback" not in (stdout + err)
        assert not out.exists()


def test_markup_in_catalogue_values_stays_text_in_the_charts(db_path, cli, tmp_path, watched_page):
    """plotly renders links, styles and line breaks in labels: a source id, licence id or quarantine reason that
    holds them must show as the text it is (no link to click, no overlay), in the file and in Chromium."""
    from catalogue_builder import add_records, add_source

    link = '<a href="https://evil.example/phish">verify ledger here</a>'
    big = '<span style="font-size:80px">BIG</span><br>'
    con = db.connect(db_path)
    try:
        for sid in (link, big):
            add_source(con, sid, kind="moda", licence_id="CC-BY-4.0")
            add_records(con, [{"source_id": sid, "locator": "x/1", "text": f"銀行法{sid}", "licence_id": "CC-BY-4.0"}])
        con.execute(
            "INSERT INTO quarantine (run_id, source_id, locator, reason, stage, created_at)"
            " VALUES ('r', ?, 'f.jsonl:1', ?, 'ingest', now())",
            [link, big],
        )
    finally:
        con.close()
    out = tmp_path / "report.html"
    code, _, err = cli("report", "-o", str(out), db=db_path)
    assert code == 0, err
    watched_page.goto(out.as_uri())
    watched_page.wait_for_selector("#fig-source .main-svg")
    plots = watched_page.locator(".js-plotly-plot")
    assert plots.locator("a").count() == 0  # no link anywhere in any chart
    assert watched_page.locator(".js-plotly-plot [style*='font-size:80px'], [style*='font-size: 80px']").count() == 0
    ticks = " ".join(watched_page.locator("#fig-source .ytick text").all_text_contents())
    assert link in ticks and "<span style=" in ticks  # shown as the text it is
