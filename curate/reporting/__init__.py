"""The curation report: one self-contained HTML file (``curate report --out report.html``).

:func:`curate.reporting.data.gather` reads the figures; :func:`curate.reporting.html.render`
draws them with plotly (its JavaScript inlined: no CDN, no network request) and Jinja2.
"""

from curate.reporting.html import build_report, render

__all__ = ["build_report", "render"]
