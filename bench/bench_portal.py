"""Benchmark: curation report generation and auditor-portal page latency on a ~1M-event catalogue.

Usage: PYTHONPATH=. python bench/bench_portal.py [--docs 250000] [--keep DIR] [--samples 200]

Builds the same catalogue as bench/bench_provenance.py (DOCS logical items, 2 records and 4 ledger
events each: 250,000 docs => 1,000,000 events, plus one export), then measures:

* `build_report` (what `curate report` writes) on a read-only connection;
* the portal (the real Starlette app on uvicorn, 127.0.0.1, logged in over HTTP): the first
  snapshot copy, the record page of random records (p50/p95), a search, the ledger page; beside
  the library's `audit record` on the same records, so the ratio is independent of machine load.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import re
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bench_provenance():
    spec = importlib.util.spec_from_file_location("bench_provenance", ROOT / "bench" / "bench_provenance.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(q * len(xs))) - 1))]


def bench_report(path: Path) -> float:
    from curate.reporting import build_report
    from provenance.db import connect_readonly

    con = connect_readonly(path)
    t0, c0 = time.perf_counter(), time.process_time()
    html = build_report(con, catalogue=path.name)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    con.close()
    print(f"report: build_report {wall:.1f} s wall, {cpu:.1f} s CPU, {len(html.encode()) / 1e6:.1f} MB HTML")
    return wall


def bench_portal(path: Path, work: Path, samples: int) -> None:
    import httpx
    import uvicorn

    from curate.web.app import PortalConfig, create_app
    from curate.web.auth import UserStore
    from provenance import audit
    from provenance.db import connect_readonly

    users = work / "users.json"
    UserStore(users).add("bench", "auditor", "bench-password-1")
    t0 = time.perf_counter()
    app = create_app(PortalConfig(db_path=path, users_file=users, secret="b" * 48, snapshot_dir=work / "snap"))
    print(f"portal: first snapshot copy + open {time.perf_counter() - t0:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    con = connect_readonly(path)
    ids = [r[0] for r in con.execute("SELECT record_id FROM records USING SAMPLE 2000 ROWS (reservoir, 7)").fetchall()]
    random.Random(7).shuffle(ids)
    ids = ids[:samples]
    lib, lib_cpu = [], []
    for rid in ids:
        t, c0 = time.perf_counter(), time.process_time()
        audit.record_report(con, rid)
        lib.append((time.perf_counter() - t) * 1000)
        lib_cpu.append((time.process_time() - c0) * 1000)
    con.close()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as c:
            tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
            c.post("/login", data={"csrf": tok, "username": "bench", "password": "bench-password-1", "next": "/"})
            c.get(f"/record/{ids[0]}")  # warm
            page, page_cpu = [], []
            for rid in ids:  # client and server share this process: its CPU time is the page's cost
                t, c0 = time.perf_counter(), time.process_time()
                r = c.get(f"/record/{rid}")
                page.append((time.perf_counter() - t) * 1000)
                page_cpu.append((time.process_time() - c0) * 1000)
                assert r.status_code == 200 and rid in r.text
            t = time.perf_counter()
            r = c.get("/", params={"q": "銀行法第12345條"})
            search = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            c.get("/ledger")
            ledger_ms = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            c.get("/report")
            report_ms = (time.perf_counter() - t) * 1000
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.view.close()
    p50, p95 = statistics.median(page), _pct(page, 0.95)
    l50, l95 = statistics.median(lib), _pct(lib, 0.95)
    print(
        f"portal record page over HTTP: {len(page)} random records, p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
        f"max {max(page):.0f} ms"
    )
    print(
        f"  process CPU per page (server + client): p50 {statistics.median(page_cpu):.0f} ms, "
        f"p95 {_pct(page_cpu, 0.95):.0f} ms"
    )
    print(f"library audit.record_report, same records: p50 {l50:.0f} ms, p95 {l95:.0f} ms")
    print(f"  process CPU: p50 {statistics.median(lib_cpu):.0f} ms, p95 {_pct(lib_cpu, 0.95):.0f} ms")
    print(f"ratio page / library: p50 {p50 / l50:.1f}x, p95 {p95 / l95:.1f}x")
    print(
        f"portal search (id prefix / doc_key / title / text): {search:.0f} ms; ledger page (verify): {ledger_ms:.0f} ms"
    )
    print(f"portal /report (first, builds and caches): {report_ms / 1000:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=250_000, help="logical items (4 events each)")
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--keep", type=Path, default=None, help="folder to keep (and reuse) the catalogue in")
    args = ap.parse_args()
    bp = _bench_provenance()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-portal-"))
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"portal-{args.docs}.duckdb"
    if not path.exists():
        bp.build(path, args.docs)
        bp.bench_export(path, work / "export")
    import os

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start (shared)")
    bench_report(path)
    bench_portal(path, work, args.samples)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
