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
