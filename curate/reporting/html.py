"""Render :class:`~curate.reporting.data.ReportData` as one self-contained HTML page.

Charts are declarative plotly figures; plotly.js itself is inlined once, so the file opens on an
air-gapped laptop and makes no network request. Labels are bilingual (Traditional Chinese /
English). Data is embedded as JSON with ``<``, ``>`` and ``&`` escaped, tables through Jinja2's
autoescaping, and every label a figure shows goes through :func:`curate.reporting.data.chart_text`
(plotly reads tags such as ``<a href>``, ``<span style>`` and ``<br>`` in labels), so no catalogue value
can inject markup.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
from markupsafe import escape

from curate.catalogue_check import CatalogueCheck
from curate.reporting.data import ReportData, chart_text, gather

if TYPE_CHECKING:
    from provenance.licences import LicenceCatalogue

_TEMPLATES = Path(__file__).parent / "templates"
#: plotly config: no logo, no "edit in chart studio" link, nothing fetched from the network
#: the report's own Content-Security-Policy (a ``<meta>``: opened from disk, no server sends one): its own two inline
#: scripts (``{scripts}``: their SHA-256, :func:`script_hashes`; no other inline script runs, so markup that slipped
#: past escaping does not), inline styles, images from ``data:``/``blob:`` (plotly's), no network request of any kind
REPORT_CSP = (
    "default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src data: blob:; "
    "font-src data:; base-uri 'none'; form-action 'none'"
)
_CSP_MARK = "@@report-csp@@"
PLOT_CONFIG = {"displaylogo": False, "showLink": False, "responsive": True, "topojsonURL": "", "mathjax": False}


@functools.cache
def plotly_js() -> str:
    """plotly.js, minified, from the installed plotly package (no CDN)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def script_hashes(html: str) -> str:
    """The CSP sources naming the report's own inline scripts in ``html`` (a page :func:`render` made): plotly.js and
    the figures, the last script of the page (its JSON escapes ``<``, so no value in it starts another). A script
    markup slipped into the page is neither, and does not run. Not cached: every page differs (its time), and the
    portal keeps the policy with the page it caches."""
    import base64
    import hashlib

    figures = html[html.rindex("<script>") + len("<script>") : html.rindex("</script>")]
    digests = (_plotly_digest(), hashlib.sha256(figures.encode("utf-8")).digest())
    return " ".join(f"'sha256-{base64.b64encode(d).decode()}'" for d in digests)


@functools.cache
def _plotly_digest() -> bytes:
    """SHA-256 of :func:`plotly_js` (4.8 MB: ~30 ms to encode and hash, once per process, not twice per report)."""
    import hashlib

    return hashlib.sha256(plotly_js().encode("utf-8")).digest()


@functools.cache
def _env():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(_TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    env.filters["num"] = lambda v: "" if v is None else (f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}")
    return env


def _safe_json(obj: Any) -> str:
    """JSON that can sit inside a ``<script>`` element."""
    text = json.dumps(obj, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _bar(title: str, rows: list[dict[str, Any]], x: str, y: str, *, horizontal: bool = False) -> dict[str, Any] | None:
    import plotly.graph_objects as go

    if not rows:
        return None
    xs = [chart_text(r[x]) for r in rows]
    ys = [r[y] for r in rows]
    trace = go.Bar(x=ys, y=xs, orientation="h") if horizontal else go.Bar(x=xs, y=ys)
    fig = go.Figure(trace)
    height = max(260, 28 * len(rows) + 120) if horizontal else 340
    fig.update_layout(title=title, height=height, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    if horizontal:
        fig.update_yaxes(autorange="reversed", automargin=True)
    return json.loads(fig.to_json())


def _figures(d: ReportData) -> dict[str, Any]:
    import plotly.graph_objects as go

    figs: dict[str, Any] = {}
    figs["source"] = _bar(
        "來源別現行記錄 Active records by source", d.by.get("source", []), "key", "records", horizontal=True
    )
    figs["status"] = _bar("狀態 Records by status", d.by.get("status", []), "key", "records")
    figs["script"] = _bar("字體 Active records by script", d.by.get("script", []), "key", "records")
    figs["licence"] = _bar("授權 Active records by licence", d.by.get("licence", []), "key", "records", horizontal=True)
    figs["pii_state"] = _bar("個資狀態 Active records by pii_state", d.by.get("pii_state", []), "key", "records")
    if d.funnel:
        fig = go.Figure(go.Funnel(y=[chart_text(f["label"]) for f in d.funnel], x=[f["items"] for f in d.funnel]))
        fig.update_layout(
            title="處理漏斗 Stage funnel (documents)", height=380, margin={"l": 10, "r": 10, "t": 50, "b": 10}
        )
        figs["funnel"] = json.loads(fig.to_json())
    figs["pii"] = _bar("個資實體 PII entities by type", d.pii_entities, "entity", "count", horizontal=True)
    figs["dedup_sizes"] = _bar("近似重複群大小 Near-duplicate cluster sizes", d.dedup_sizes, "size", "clusters")
    figs["dedup_rules"] = _bar("保留規則 Survivor rules", d.dedup_rules, "rule", "duplicates")
    figs["normalise"] = _bar("正規化修改 Normalise edits by kind", d.normalise_edits, "kind", "edits")
    figs["hygiene"] = _bar("清理修改 Hygiene changes by kind", d.hygiene_changes, "change", "count", horizontal=True)
    figs["quarantine"] = _bar(
        "隔離原因 Quarantine reasons",
        [{"reason": f"{q['reason']} ({q['source_id']})", "items": q["items"]} for q in d.quarantine],
        "reason",
        "items",
        horizontal=True,
    )
    for i, e in enumerate(d.exports):
        figs[f"export_blocked_{i}"] = _bar(
            f"{e['export_id'][:12]} 阻擋原因 blocked by reason",
            [{"code": k, "records": v} for k, v in sorted(e["blocked_by"].items(), key=lambda kv: -kv[1])],
            "code",
            "records",
            horizontal=True,
        )
        if e["licences"]:
            fig = go.Figure(
                go.Pie(labels=[chart_text(k) for k in e["licences"]], values=list(e["licences"].values()), hole=0.4)
            )
            fig.update_layout(
                title=f"{e['export_id'][:12]} 授權組成 licence mix",
                height=340,
                margin={"l": 10, "r": 10, "t": 50, "b": 10},
            )
            figs[f"export_licences_{i}"] = json.loads(fig.to_json())
    return {k: v for k, v in figs.items() if v is not None}


def render(
    d: ReportData,
    *,
    title: str = "FinLLM 語料整理報告 Curation report",
    catalogue: str = "",
    scale: list[dict[str, Any]] | None = None,
    licence_label: str = "shipped",
) -> str:
    """The report page as a string (self-contained HTML); ``scale``: the scale benchmark's results, if given;
    ``licence_label``: the licence catalogue its exportable figures were judged by
    (:mod:`curate.reporting.catalogue_label`)."""
    figs = _figures(d)
    scale_section = None
    if scale:
        from curate.reporting import scale as scale_mod

        scale_section = scale_mod.section(scale)
        figs.update(scale_mod.figures(scale_section))
    html = (
        _env()
        .get_template("report.html.j2")
        .render(
            title=title,
            csp=_CSP_MARK,
            catalogue=catalogue,
            licence_label=licence_label,
            generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            d=d,
            scale=scale_section,
            figs=figs,
            figs_json=_safe_json(figs),
            config_json=_safe_json(PLOT_CONFIG),
            plotly_js=plotly_js(),
        )
    )
    # the policy is in the page's head, the scripts it names at its end: named once they are rendered (the head
    # comes before any value, so the mark is the meta's)
    return html.replace(_CSP_MARK, str(escape(REPORT_CSP.format(scripts=script_hashes(html)))), 1)


def build_report(
    con: duckdb.DuckDBPyConnection,
    *,
    purpose: str = "training",
    audience: str = "consortium",
    commercial: bool = False,
    catalogue: str = "",
    scale: list[dict[str, Any]] | None = None,
    check: CatalogueCheck | None = None,
    db_path: str | Path | None = None,
    licence_catalogue: LicenceCatalogue | None = None,
    licence_label: str | None = None,
) -> str:
    """Gather and render the report from a (read-only) connection (``scale``: see :func:`render`; ``check``: see
    :func:`curate.reporting.data.gather`; ``db_path``: the catalogue's file, whose run locks tell a ``running`` run
    whose process is gone, :mod:`curate.runlive`; a copy's, such as the portal's snapshot, has none;
    ``licence_catalogue``: the licence rules the funnel's exportable step follows, default the shipped ones;
    ``licence_label``: how the report names them, default :func:`~curate.reporting.catalogue_label.catalogue_label`
    of its file as it reads now: a caller that loaded the file earlier passes the label it took then)."""
    d = gather(
        con, purpose=purpose, audience=audience, commercial=commercial, check=check, licence_catalogue=licence_catalogue
    )
    if db_path is not None:
        from curate.runlive import shown_status

        for r in d.unfinished:
            r["status"] = shown_status(db_path, r["run_id"], r["command"] or "", r["status"])[0]
    if licence_label is None:
        from curate.reporting.catalogue_label import catalogue_label

        licence_label = catalogue_label(licence_catalogue)
    return render(d, catalogue=catalogue, scale=scale, licence_label=licence_label)
