"""Benchmark: what the security hardening (issue 12) costs, and memory on hostile inputs.

Usage: PYTHONPATH=. python bench/bench_security.py [--docs 100000] [--bomb-mb 2048]

1. Auditor SQL: the parse-tree guard + hardened read-only connection (`run_readonly_sql`) against
   the same query on a plain read-only connection, side by side (ratio).
2. `audit verify`: the hash chain alone against chain + table cross-checks (provenance/crosscheck.py).
3. Results MAC: HMAC-SHA256 signing of a results Parquet file against writing it.
4. Hostile inputs: peak RSS (``VmHWM`` of a child process) of `curate ingest` on each, against the
   same ingest of a small good file; each must end with exit code 3 (quarantined) and stay under ~1 GiB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provenance import crosscheck, ledger  # noqa: E402
from provenance.db import connect, connect_readonly, run_readonly_sql, transaction  # noqa: E402
from provenance.records import insert_versions  # noqa: E402


def build(path: Path, docs: int) -> None:
    """DOCS ingested records, each with its creating event carrying digest and licence, and a finished run."""
    con = connect(path)
    con.execute(
        "INSERT INTO runs (run_id, command, config_hash, code_version, started_at, status)"
        " VALUES ('bench', 'bench', 'x', 'bench', TIMESTAMP '2026-01-01', 'running')"
    )
    con.execute(
        "INSERT INTO sources VALUES ('law_moj', 'law_moj', 'law', 'bench', 'OGDL-Taiwan-1.0', FALSE, '{}',"
        " TIMESTAMP '2026-01-01')"
    )
    con.execute(f"""
        CREATE TEMP TABLE v AS SELECT sha256('r' || i) AS record_id, 'law_moj/' || i AS doc_key, 'law_moj' AS source_id,
            'P' || i AS locator, repeat('銀行法第' || i || '條 本法所稱銀行，謂依本法組織登記之機構。', 3) AS text,
            'OGDL-Taiwan-1.0' AS licence_id, i AS ord FROM range({docs}) t(i)""")
    with transaction(con):
        insert_versions(con, "v", run_id="bench", stage="ingest", created_at=dt.datetime(2026, 1, 1), order_by="ord")
    rows = con.execute("SELECT record_id, content_sha256 FROM records ORDER BY record_id").fetchall()
    for k in range(0, len(rows), 25_000):
        con.execute("BEGIN")
        ledger.append(
            con,
            [
                ledger.Event(
                    "ingest",
                    "ingested",
                    record_id=rid,
                    run_id="bench",
                    detail={"licence_id": "OGDL-Taiwan-1.0", "sha256": digest, "source": "law_moj"},
                )
                for rid, digest in rows[k : k + 25_000]
            ],
            at=dt.datetime(2026, 1, 1),
        )
        con.execute("COMMIT")
    from provenance import runs

    runs.finish_run(con, "bench", "finished", {})
    con.execute("CHECKPOINT")
    con.close()


def _best(fn, repeat: int = 5) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


def bench_sql(path: Path) -> None:
    queries = {
        "point lookup": "SELECT licence_id FROM records WHERE record_id = sha256('r42')",
        "aggregate": "SELECT source_id, count(*), sum(length(text)) FROM records GROUP BY ALL",
        "join": "SELECT count(*) FROM provenance_events e JOIN records r USING (record_id) WHERE e.action = 'ingested'",
    }
    print("\nauditor SQL: guarded (parse tree + hardened connection) vs plain read-only connection, best of 5")
    for name, q in queries.items():

        def plain(q=q) -> None:
            import duckdb

            c = duckdb.connect(str(path), read_only=True)
            c.execute(q).fetchall()
            c.close()

        def guarded(q=q) -> None:
            run_readonly_sql(path, q)

        wp, cp = _best(plain)
        wg, cg = _best(guarded)
        print(
            f"  {name:13s} plain {wp * 1000:7.1f} ms  guarded {wg * 1000:7.1f} ms  ratio {wg / wp:4.2f}x wall"
            f" ({cg / max(cp, 1e-9):4.2f}x CPU; guard adds {max(0.0, (wg - wp)) * 1000:.1f} ms)"
        )


def bench_verify(path: Path) -> None:
    con = connect_readonly(path)
    n = con.execute("SELECT count(*) FROM provenance_events").fetchone()[0]
    wc, cc = _best(lambda: ledger.verify(con), 3)
    wx, cx = _best(lambda: crosscheck.crosscheck(con), 3)
    res = crosscheck.crosscheck(con)
    con.close()
    print(
        f"\naudit verify on {n:,} events / records: chain {wc:.2f} s wall ({cc:.2f} s CPU); cross-checks {wx:.2f} s"
        f" wall ({cx:.2f} s CPU), ok={res.ok}; chain + cross-checks = {(wc + wx) / wc:.2f}x the chain alone"
    )


def bench_mac(work: Path, rows: int = 200_000) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from curate.workfiles import RunKey, sign_as

    table = pa.table({"record_id": [f"{i:064d}" for i in range(rows)], "new_text": ["本法所稱銀行。" * 20] * rows})
    key = RunKey(os.urandom(32))
    tmp, final = work / "r.parquet.tmp", work / "r.parquet"

    def write() -> None:
        pq.write_table(table, tmp)

    def sign() -> None:
        shutil.copyfile(final, tmp)
        sign_as(key, tmp, final)

    ww, _ = _best(write, 3)
    pq.write_table(table, final)
    size = final.stat().st_size
    copy_w, _ = _best(lambda: shutil.copyfile(final, tmp), 3)
    ws, _ = _best(sign, 3)
    mac_w = max(1e-9, ws - copy_w)
    print(
        f"\nresults MAC: {size / 1e6:.1f} MB Parquet written in {ww * 1000:.0f} ms; HMAC + rename {mac_w * 1000:.0f} ms"
        f" ({size / mac_w / 1e6:.0f} MB/s) = {mac_w / ww:.2f}x the write"
    )


# VmHWM (peak RSS of this process image): ru_maxrss would carry the parent's peak over the fork
_RSS = (
    "import sys; from curate import cli; rc = cli.run(sys.argv[1:]); "
    "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]; "
    "print('RSS', hwm); sys.exit(rc)"
)


def _ingest_rss(db: Path, *args: str) -> tuple[int, float, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-c", _RSS, "--db", str(db), "--quiet", "ingest", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    wall = time.perf_counter() - t0
    rss = next((int(line.split()[1]) for line in p.stdout.splitlines() if line.startswith("RSS")), 0)
    return p.returncode, rss / 1024, wall


def make_inputs(work: Path, bomb_mb: int) -> dict[str, tuple[str, ...]]:
    good = work / "good"
    good.mkdir()
    (good / "p.jsonl").write_text(
        "".join(
            json.dumps({"id": str(i), "text": f"金融監督管理委員會第{i}號新聞稿。"}, ensure_ascii=False) + "\n"
            for i in range(100)
        ),
        encoding="utf-8",
    )
    z = work / "ChLaw.json.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("ChLaw.json", "w", force_zip64=True) as fh:
            block = b" " * (1 << 20)
            for _ in range(bomb_mb):
                fh.write(block)
    deep = work / "deep"
    deep.mkdir()
    (deep / "ChLaw.json").write_text("[" * 5_000_000 + "]" * 5_000_000)
    (deep / "p.jsonl").write_text('{"id": "x", "text": ' + "[" * 1_000_000 + "]" * 1_000_000 + "}\n")
    huge = work / "huge"
    huge.mkdir()
    with (huge / "p.jsonl").open("w", encoding="utf-8") as fh:
        fh.write('{"id": "big", "text": "')
        for _ in range(50):
            fh.write("長" * 1_000_000)
        fh.write('"}\n{"id": "ok", "text": "短文。"}\n')
    epub = work / "book"
    epub.mkdir()
    chapter = "<html><body><h1>一</h1><p>" + "章" * (20 * 1024 * 1024 // 3) + "</p></body></html>"
    with zipfile.ZipFile(epub / "book.epub", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/epub+zip")
        zf.writestr(
            "META-INF/container.xml",
            '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="c.opf"/></rootfiles></container>',
        )
        spine = '<itemref idref="c"/>' * 30
        zf.writestr(
            "c.opf",
            '<package xmlns="http://www.idpf.org/2007/opf"><metadata><title>書</title></metadata>'
            f'<manifest><item id="c" href="c.xhtml"/></manifest><spine>{spine}</spine></package>',
        )
        zf.writestr("c.xhtml", chapter)
    return {
        "good JSONL (100 lines)": ("moda", str(good), "--licence", "CC-BY-4.0"),
        f"ZIP member inflating to {bomb_mb} MB": ("law-moj", str(z), "--scope", "all"),
        "law JSON nested 5M deep": ("law-moj", str(deep / "ChLaw.json"), "--scope", "all"),
        "MODA line 1M deep": ("moda", str(deep / "p.jsonl"), "--licence", "CC-BY-4.0"),
        "one 50M-character record": ("moda", str(huge), "--licence", "CC-BY-4.0"),
        f"EPUB: 20 MB chapter x 30 ({(epub / 'book.epub').stat().st_size // 1024} KB on disk)": (
            "moda",
            str(epub),
            "--licence",
            "CC-BY-4.0",
        ),
    }


def bench_inputs(work: Path, bomb_mb: int) -> None:
    print("\nhostile inputs: `curate ingest` in a child process, peak RSS (VmHWM)")
    base = None
    for name, args in make_inputs(work, bomb_mb).items():
        db = work / f"{abs(hash(name))}.duckdb"
        rc, rss, wall = _ingest_rss(db, *args)
        base = base or rss
        con = connect_readonly(db)
        q = con.execute("SELECT reason, count(*) FROM quarantine GROUP BY ALL").fetchall()
        con.close()
        print(f"  {name:45s} exit {rc}  peak {rss:7.0f} MiB ({rss / base:4.2f}x good)  {wall:5.1f} s  quarantine {q}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--bomb-mb", type=int, default=2048)
    ap.add_argument("--skip-inputs", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_sec_"))
    try:
        print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; python {sys.version.split()[0]}")
        db = work / "bench.duckdb"
        t0 = time.perf_counter()
        build(db, args.docs)
        print(f"catalogue: {args.docs:,} records + events built in {time.perf_counter() - t0:.1f} s")
        bench_sql(db)
        bench_verify(db)
        bench_mac(work)
        if not args.skip_inputs:
            bench_inputs(work, args.bomb_mb)
        print(f"\nthis process: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
