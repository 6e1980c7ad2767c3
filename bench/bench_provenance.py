"""Benchmark: ledger verify and `audit record` with ~1M events; export throughput.

Usage: PYTHONPATH=. python bench/bench_provenance.py [--docs 250000] [--keep DIR]

Builds a real DuckDB catalogue: DOCS logical items, each an ingested record plus one derived
(hygiene) version, with 4 ledger events per item (ingest, hygiene rewrite, pii check, dedup
check) => 4 * DOCS events, then exports every active record once. Prints figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provenance import audit, ledger  # noqa: E402
from provenance.db import connect, connect_readonly, transaction  # noqa: E402
from provenance.export import ExportParams, export_dataset  # noqa: E402
from provenance.records import insert_versions  # noqa: E402


def build(path: Path, docs: int) -> None:
    con = connect(path)
    t0 = time.perf_counter()
    con.execute(
        "INSERT INTO runs (run_id, command, config_hash, code_version, started_at, status)"
        " VALUES ('bench', 'bench', 'x', 'bench', TIMESTAMP '2026-01-01', 'finished')"
    )
    con.execute(
        "INSERT INTO sources VALUES ('law_moj', 'law_moj', '全國法規資料庫', 'bench', 'OGDL-Taiwan-1.0', FALSE,"
        ' \'{"provider": "法務部", "year": 2025}\', TIMESTAMP \'2026-01-01\')'
    )
    con.execute(f"""
        CREATE TEMP TABLE d AS SELECT i, sha256('root' || i) AS root, sha256('v1' || i) AS v1,
            repeat('銀行法第' || i || '條 本法所稱銀行，謂依本法組織登記，經營銀行業務之機構。', 3) AS text
        FROM range({docs}) t(i)""")
    con.execute("""
        CREATE TEMP TABLE v AS
        SELECT root AS record_id, 'law_moj/' || i AS doc_key, 'law_moj' AS source_id, 'P' || i AS locator,
               'law' AS title, text, 'zh' AS lang, 'traditional' AS script, 'OGDL-Taiwan-1.0' AS licence_id,
               NULL AS version_of, 'superseded' AS status, '{}' AS metadata, 'ingest' AS stage,
               NULL AS pii_state, 2 * i AS ord FROM d
        UNION ALL
        SELECT v1, 'law_moj/' || i, 'law_moj', 'P' || i, 'law', text || ' ', 'zh', 'traditional', 'OGDL-Taiwan-1.0',
               root, 'active', '{}', 'hygiene', 'clean', 2 * i + 1 FROM d""")
    with transaction(con):  # the one version writer, as ingest and the runner use it
        insert_versions(con, "v", run_id="bench", stage="ingest", created_at=dt.datetime(2026, 1, 1), order_by="ord")
    con.execute("DROP TABLE v")
    rows = con.execute("SELECT root, v1 FROM d ORDER BY i").fetchall()
    t1 = time.perf_counter()
    at = dt.datetime(2026, 1, 1)
    chunk = 25_000
    for k in range(0, len(rows), chunk):
        events = []
        for root, v1 in rows[k : k + chunk]:
            events += [
                ledger.Event("ingest", "ingest", record_id=root, run_id="bench", detail={"source": "law_moj"}),
                ledger.Event("hygiene", "rewrite", record_id=root, run_id="bench", detail={"new_record_id": v1}),
                ledger.Event("pii", "check", record_id=v1, run_id="bench", detail={"entities": 0}),
                ledger.Event("dedup", "check", record_id=v1, run_id="bench", detail={"cluster": None}),
            ]
        con.execute("BEGIN")
        ledger.append(con, events, at=at)
        con.execute("COMMIT")
    con.execute("CHECKPOINT")
    t2 = time.perf_counter()
    n = con.execute("SELECT count(*) FROM provenance_events").fetchone()[0]
    print(
        f"build: {docs:,} docs, {2 * docs:,} records in {t1 - t0:.1f} s; {n:,} events appended in {t2 - t1:.1f} s "
        f"({n / (t2 - t1):,.0f} events/s via ledger.append)"
    )
    con.close()


def bench_export(path: Path, out: Path) -> str:
    con = connect(path)
    t0 = time.perf_counter()
    res = export_dataset(
        con, out, ExportParams("training", "public", commercial=False, at=dt.date(2026, 6, 1)), overwrite=True
    )
    dt_s = time.perf_counter() - t0
    con.close()
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(
        f"export: {res.records:,} records, {res.characters:,} chars in {dt_s:.1f} s "
        f"({res.records / dt_s:,.0f} records/s), {size / 1e6:.1f} MB written"
    )
    return res.export_id


def bench_verify(path: Path) -> None:
    """Wall time and process CPU time (the machine is shared: CPU time is the one-core figure)."""
    for threads in (1, 2):
        con = connect_readonly(path, threads=threads)  # settings go in before the configuration is locked
        walls, cpus = [], []
        for _ in range(3):
            t0, c0 = time.perf_counter(), time.process_time()
            res = audit.verify(con)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        con.close()
        w, c = min(walls), min(cpus)
        print(
            f"verify ({threads} thread{'s' if threads > 1 else ''}): {res.checked:,} events, ok={res.ok}, best of 3: "
            f"wall {w:.2f} s => {res.checked / w:,.0f} events/s; CPU {c:.2f} s => {res.checked / c:,.0f} events/CPU-s"
            f" (target >= 200,000 on one core)"
        )


def bench_record(path: Path, samples: int = 200) -> None:
    con = connect_readonly(path, threads=1)
    ids = [r[0] for r in con.execute("SELECT record_id FROM records USING SAMPLE 1000 ROWS (reservoir, 7)").fetchall()]
    random.Random(7).shuffle(ids)
    ids = ids[:samples]
    audit.record_report(con, ids[0])  # warm
    times, cpu = [], []
    for rid in ids:
        t0, c0 = time.perf_counter(), time.process_time()
        rep = audit.record_report(con, rid)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert rep["events"] and rep["exports"]
    con.close()
    times.sort()
    cpu.sort()
    print(
        f"audit record (library, open catalogue, 1 thread): {len(times)} random records, wall median "
        f"{statistics.median(times):.1f} ms, p95 {times[int(0.95 * len(times)) - 1]:.1f} ms, max {times[-1]:.1f} ms; "
        f"CPU median {statistics.median(cpu):.1f} ms, p95 {cpu[int(0.95 * len(cpu)) - 1]:.1f} ms (target <= 50 ms)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cli_times, open_times = [], []
    for rid in ids[:10]:
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "curate.cli", "--db", str(path), "audit", "record", rid, "--json"],
            check=True,
            capture_output=True,
            env=env,
        )
        cli_times.append((time.perf_counter() - t0) * 1000)
    for rid in ids[:20]:
        t0 = time.perf_counter()
        c = connect_readonly(path)
        audit.record_report(c, rid)
        c.close()
        open_times.append((time.perf_counter() - t0) * 1000)
    print(
        f"audit record (library incl. opening the catalogue read-only): median {statistics.median(open_times):.1f} ms, "
        f"max {max(open_times):.1f} ms"
    )
    print(f"curate audit record (CLI subprocess incl. Python start-up): median {statistics.median(cli_times):.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=int, default=250_000)
    ap.add_argument("--keep", type=Path, default=None, help="Build/keep the catalogue in this folder.")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_prov_"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bench.duckdb"
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; catalogue {db}")
    if not db.exists():
        build(db, args.docs)
    bench_export(db, work / "export")
    bench_verify(db)
    bench_record(db)
    print(f"catalogue size: {db.stat().st_size / 1e6:.0f} MB")
    if args.keep is None:
        import shutil

        shutil.rmtree(work)


if __name__ == "__main__":
    main()
