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
