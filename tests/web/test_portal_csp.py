"""The portal's Content-Security-Policy runs no inline script (review 16, portal).

It allowed `script-src 'unsafe-inline'` for the export page's chart, so markup that ever slipped past escaping into
a page (a record title, a licence or annotator name) ran as script in an auditor's session, able to read every page
and send it away by navigating. The chart is a file of the portal's own now; only the report, one self-contained
file whose scripts are inline, keeps them (its values are escaped by the report's own rules).
"""

from __future__ import annotations

from .webhelpers import LivePortal, PageWatch, login

_INJECT = """() => {
    const s = document.createElement("script");
    s.textContent = "window.injected = 1";
    document.body.appendChild(s);
    return window.injected === 1;
}"""


def test_an_inline_script_does_not_run_and_the_export_chart_still_draws(demo_catalogue, tmp_path, watched_page):
    p = LivePortal(demo_catalogue["path"], tmp_path / "portal")
    page = watched_page
    watch = PageWatch(page, p.url)
    try:
        login(page, p.url, "alice")
        resp = page.goto(f"{p.url}/exports/{demo_catalogue['export_id']}")
        assert "'unsafe-inline'" not in resp.headers["content-security-policy"].split("script-src")[1].split(";")[0]
        page.wait_for_selector("#blocked-chart .main-svg")  # the chart, from /static/export-chart.js
        assert watch.errors == [] and watch.external == []
        assert page.evaluate(_INJECT) is False  # markup that slipped into the page would not run
        page.goto(f"{p.url}/report")  # the report's inline plotly and figures still run
        page.wait_for_selector("#fig-funnel .main-svg")
    finally:
        p.stop()


def _script_src(policy: str) -> str:
    return policy.split("script-src")[1].split(";")[0]


def test_the_report_runs_its_own_scripts_only(demo_catalogue, tmp_path, watched_page):
    """/report was sent `script-src 'unsafe-inline'` (and the report file carried it in its own policy): markup that
    slipped past the report's escaping (a source title, a licence name, a run argument) ran as script in an auditor's
    session. The report's policy names its two scripts by their SHA-256 (plotly.js and the figures), so they run and
    nothing else inline does, in the portal and opened from disk (review 17)."""
    p = LivePortal(demo_catalogue["path"], tmp_path / "portal")
    page = watched_page
    watch = PageWatch(page, p.url)
    try:
        login(page, p.url, "alice")
        resp = page.goto(f"{p.url}/report")
        header = _script_src(resp.headers["content-security-policy"])
        assert "'unsafe-inline'" not in header and header.count("'sha256-") == 2
        page.wait_for_selector("#fig-funnel .main-svg")
        assert watch.errors == [] and watch.external == []  # both scripts ran, nothing was blocked
        assert page.evaluate(_INJECT) is False
        meta = page.get_attribute("meta[http-equiv=Content-Security-Policy]", "content")
        assert "'unsafe-inline'" not in _script_src(meta) and _script_src(meta).count("'sha256-") == 2
        html = resp.text()  # the report as served (the file `curate report` writes is the same page)
    finally:
        p.stop()
    # the report as a file, opened from disk: its figures draw under its own policy
    out = tmp_path / "report.html"
    out.write_text(html, encoding="utf-8")
    page.goto(out.as_uri())
    page.wait_for_selector("#fig-funnel .main-svg")
    assert page.evaluate(_INJECT) is False
