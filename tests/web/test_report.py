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
