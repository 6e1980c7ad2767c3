"""The scale benchmark's results as a report section: time and peak RSS per step against N.

``make bench-scale`` (``bench/scale.py``) keeps its raw results in a JSON file (by default
``docs/bench-raw/scale.json``)::

    {"results": [{"n": 25000, "machine": "...", "date": "2026-12-03",
                  "steps": {"ingest": {"seconds": 2.1, "cpu_s": 2.3, "peak_mib": 640.0, "cpu_pct": 104}, ...}}]}

:func:`load` validates such a file and :func:`section` turns it into the rows, growth exponents
and log-log figures that ``curate report --scale-results FILE`` renders.

>>> exponent([(1, 1.0), (10, 10.0), (100, 100.0)])
1.0
>>> exponent([(1, 5.0)]) is None
True
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from provenance.errors import UsageError

#: the pipeline's steps, in the order the benchmark runs them
STEPS = ("ingest", "hygiene", "pii", "normalise", "dedup", "export")


def exponent(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(y) on log(x) (``y ~ x**slope``); None with fewer than two points."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return round(sum((p[0] - mx) * (p[1] - my) for p in pts) / den, 4) if den else None


def load(path: Path) -> list[dict[str, Any]]:
    """The results of ``path``, sorted by N; a clear :class:`UsageError` when the file is not such a file."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"scale results {path} not found; run `make bench-scale N=25000` first") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"scale results {path} are not readable JSON ({exc}); rerun `make bench-scale`") from exc
    results = doc.get("results") if isinstance(doc, dict) else None
    if not isinstance(results, list):
        raise UsageError(f'scale results {path}: expected an object with a "results" list (bench/scale.py output)')
    out = []
    for i, r in enumerate(results):
        ok = isinstance(r, dict) and isinstance(r.get("n"), int) and r["n"] > 0 and isinstance(r.get("steps"), dict)
        if not ok:
            raise UsageError(f'scale results {path}: entry {i} needs a positive integer "n" and a "steps" object')
        for name, m in r["steps"].items():
            good = isinstance(m, dict) and all(
                isinstance(m.get(k), int | float) and not isinstance(m.get(k), bool) for k in ("seconds", "peak_mib")
            )
            if name in STEPS and not good:
                raise UsageError(
                    f'scale results {path}: entry {i}, step {name!r} needs numeric "seconds" and "peak_mib"'
                )
        out.append(r)
    return sorted(out, key=lambda r: r["n"])


def section(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows per N, growth exponents per step and the worker/ingest comparisons, JSON-ready."""
    steps = [s for s in STEPS if any(s in r["steps"] for r in results)]
    rows = []
    for r in results:
        cells = {}
        for s in steps:
            m = r["steps"].get(s)
            cells[s] = None if m is None else {k: m.get(k) for k in ("seconds", "cpu_s", "peak_mib", "cpu_pct")}
        ing, ref = r["steps"].get("ingest"), r["steps"].get("duckdb_bulk")
        rows.append(
            {
                "n": r["n"],
                "date": r.get("date", ""),
                "machine": r.get("machine", ""),
                "cells": cells,
                "ingest_rate": round(r["n"] / ing["seconds"]) if ing and ing.get("seconds") else None,
                "bulk_rate": round(ref["rows"] / ref["seconds"]) if ref and ref.get("seconds") else None,
            }
        )
    exponents = {
        s: {
            "time": exponent([(r["n"], r["steps"][s]["seconds"]) for r in results if s in r["steps"]]),
            "memory": exponent([(r["n"], r["steps"][s]["peak_mib"]) for r in results if s in r["steps"]]),
        }
        for s in steps
    }
    workers = []
    for r in results:
        for stage, v in _worker_runs(r):
            w1, w2, ray = v.get("w1") or {}, v.get("w2") or {}, v.get("ray2") or {}
            if w1.get("seconds") and w2.get("seconds"):
                workers.append(
                    {"n": r["n"], "stage": stage, "w1": w1["seconds"], "w2": w2["seconds"],
                     "speedup": round(w1["seconds"] / w2["seconds"], 2),
                     "ray2": ray.get("seconds")}
                )  # fmt: skip
    return {"steps": steps, "rows": rows, "exponents": exponents, "workers": workers}


def _worker_runs(r: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(stage, {"w1": .., "w2": .., "ray2": ..})`` of one N: the ``workers`` object, or the older
    ``<stage>_w1`` / ``<stage>_w2`` / ``<stage>_ray2`` step keys."""
    if isinstance(r.get("workers"), dict):
        return [(k, v) for k, v in r["workers"].items() if isinstance(v, dict)]
    found = {}
    for key, m in r["steps"].items():
        stage, _, variant = key.rpartition("_")
        if variant in ("w1", "w2", "ray2") and stage:
            found.setdefault(stage, {})[variant] = m
    return sorted(found.items())


def figures(sec: dict[str, Any]) -> dict[str, Any]:
    """Two log-log line charts (time and peak RSS per step against N) as plotly JSON."""
    import plotly.graph_objects as go

    from curate.reporting.data import chart_text

    figs = {}
    for key, field, title, unit in (
        ("scale_time", "seconds", "各步驟耗時 Time per step", "seconds"),
        ("scale_rss", "peak_mib", "各步驟記憶體峰值 Peak RSS per step", "MiB"),
    ):
        fig = go.Figure()
        for s in sec["steps"]:
            pts = [(row["n"], row["cells"][s][field]) for row in sec["rows"] if row["cells"].get(s)]
            if pts:
                fig.add_trace(
                    go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines+markers", name=chart_text(s))
                )
        fig.update_layout(title=title, height=360, margin={"l": 10, "r": 10, "t": 50, "b": 10})
        fig.update_xaxes(type="log", title_text="articles (N)")
        fig.update_yaxes(type="log", title_text=unit)
        figs[key] = json.loads(fig.to_json())
    return figs
