"""The report's script hashes (review 17, re-review): the fix that named the report's scripts by SHA-256 put its
``functools.cache`` on the hashing function, which took the one off the template environment: every report then
compiled its templates again (~70 ms), and a portal kept every report page it ever hashed (two ~5 MB strings per
catalogue change) for the life of the process."""

from __future__ import annotations

import sys

from curate.reporting import html as report_html


def test_the_template_environment_is_built_once():
    assert report_html._env() is report_html._env()


def test_a_hashed_page_is_not_kept():
    page = "".join(["<html><script>plotly</script><script>", "var figs = {};", "</script></html>"])
    before = sys.getrefcount(page)
    sources = report_html.script_hashes(page)
    assert sources.count("'sha256-") == 2
    assert sys.getrefcount(page) == before  # nothing holds the page once hashed


def test_plotly_js_is_hashed_once_per_process(monkeypatch):
    """plotly.js (4.8 MB) was encoded and hashed for every script_hashes call, twice per portal report (~30 ms each)."""
    import hashlib

    big = []
    real = hashlib.sha256

    def counting(data=b"", *a, **k):
        if len(data) > 1_000_000:
            big.append(len(data))
        return real(data, *a, **k)

    page = "<html><script>" + report_html.plotly_js() + "</script><script>var figs = {};</script></html>"
    report_html.script_hashes(page)
    monkeypatch.setattr(hashlib, "sha256", counting)
    first = report_html.script_hashes(page)
    assert report_html.script_hashes(page) == first
    assert big == []  # the large script is hashed once, not per page
    import base64

    want = base64.b64encode(real(report_html.plotly_js().encode()).digest()).decode()
    assert first.split()[0] == f"'sha256-{want}'"  # still the digest of the script the page carries
