"""Benchmark: the HTML/EPUB text walk (`sources.documents.html.html_blocks`) on a large ordinary page and on nested
markup, this checkout against another one (``--old DIR``) in the same run, each in its own process.

Usage: PYTHONPATH=. python bench/bench_html_text.py [--old /path/to/old/checkout] [--repeat 3]

Pages: ``article`` (a course page: headings, paragraphs with inline tags, lists, a table; ~2 MB), ``nested-N``
(N divs nested, text in the innermost; the review's quadratic case). Prints CPU seconds (median) per page and side.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from sources.documents.html import html_blocks
page = open(sys.argv[2], 'rb').read()
t = time.process_time(); title, blocks = html_blocks(page); cpu = time.process_time() - t
print(json.dumps({"cpu": cpu, "blocks": len(blocks), "chars": sum(len(b[1]) for b in blocks)}))
"""


def pages(folder: Path) -> dict[str, Path]:
    para = (
        "<h2>第{i}節 授信風險</h2><p>銀行辦理<b>授信</b>業務，應依<a href='#'>銀行法</a>第{i}條審核借款人之"
        "還款能力，並<em>定期</em>檢視擔保品價值。</p><ul><li>徵信</li><li>鑑價<ul><li>不動產</li></ul></li></ul>"
        "<table><caption>表{i}</caption><tr><th>項目</th><td>利率 {i}.5%</td></tr></table>"
    )
    out = {
        "article": "<html><head><title>課程講義</title></head><body>" + "".join(para.format(i=i) for i in range(5000))
    }
    for n in (2_000, 10_000):
        out[f"nested-{n}"] = "<html><body>" + "<div>" * n + "最內層的文字" + "</div>" * n + "</body></html>"
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, html in out.items():
        paths[name] = folder / f"{name}.html"
        paths[name].write_text(html, encoding="utf-8")
    return paths


def run(root: Path, page: Path, timeout: float) -> dict | None:
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, str(root), str(page)], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode:
        raise SystemExit(proc.stderr[-2000:])
    return json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--old", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench-html"))
    args = ap.parse_args()
    sides = {"new": ROOT} | ({"old": args.old} if args.old else {})
    for name, page in pages(args.work).items():
        row = [f"{name} ({page.stat().st_size / 1e6:.2f} MB)"]
        for side, root in sides.items():
            runs = [run(root, page, args.timeout) for _ in range(args.repeat)]
            done = [r for r in runs if r]
            if not done:
                row.append(f"{side}: not finished in {args.timeout:.0f} s")
                continue
            cpu = statistics.median(r["cpu"] for r in done)
            row.append(f"{side}: {cpu:.2f} CPU-s, {done[0]['blocks']} blocks, {done[0]['chars']} chars")
        print(" | ".join(row), flush=True)


if __name__ == "__main__":
    main()
