"""Where the CPU of a law.moj ingest goes: CPU seconds per SQL statement (``getrusage`` around each call).

Runs ``curate ingest law-moj FILE --scope all`` in this process on a fresh catalogue with the
connection wrapped so every ``execute``/``executemany``/``register`` is timed, then prints the
statements by CPU time (grouped by their first words; the minimum over ``--repeat`` runs, the
machine being shared) and the time outside SQL.

    python bench/profile_ingest.py bench-out/scale/n100000/ChLaw.json [--top 25]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


STATS: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])


def _key(sql: str) -> str:
    s = re.sub(r"\s+", " ", sql).strip()
    return s[:90]


class Timed:
    """A DuckDB connection whose statements are timed (CPU and wall)."""

    def __init__(self, con) -> None:
        self._con = con

    def _timed(self, name: str, key: str, *args, **kw):
        c0, w0 = _cpu(), time.perf_counter()
        out = getattr(self._con, name)(*args, **kw)
        st = STATS[key]
        st[0] += _cpu() - c0
        st[1] += time.perf_counter() - w0
        st[2] += 1
        return self if out is self._con else out

    def execute(self, sql, *a, **kw):
        return self._timed("execute", _key(sql), sql, *a, **kw)

    def executemany(self, sql, *a, **kw):
        return self._timed("executemany", "many: " + _key(sql), sql, *a, **kw)

    def register(self, name, obj):
        return self._timed("register", f"register {name}", name, obj)

    def __getattr__(self, name):
        return getattr(self._con, name)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dump", type=Path)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=1, help="runs; the minimum of each figure is printed")
    ap.add_argument(
        "--threads",
        type=int,
        default=None,
        help="DuckDB threads (default: the ingest's, curate.ingest_settings.ingest_threads())",
    )
    args = ap.parse_args()
    c_imp = _cpu()
    import curate.ingest as ci
    from curate import ingest_settings
    from provenance import db
    from sources.law_moj import DEFAULT_ALLOW_LIST, LawMojSource

    c_imp = _cpu() - c_imp
    best: dict[str, list[float]] = {}
    totals = []
    for _ in range(args.repeat):
        STATS.clear()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "p.duckdb"
            con0 = db.connect(path)  # schema migrations (not part of an ingest into an existing catalogue)
            con0.close()
            c0, w0 = _cpu(), time.perf_counter()
            # the connection as curate.ingest.ingest opens it
            con = Timed(db.PandasFreeConnection(db.connect(path, memory_limit=ingest_settings.ingest_memory_limit())))
            con.execute(f"SET threads = {args.threads or ingest_settings.ingest_threads()}")
            src = LawMojSource([args.dump], scope="all", allow_list=DEFAULT_ALLOW_LIST, known_fsc_pcodes=set())
            rep = ci._Ingestor(con, src, ci.ErrorPolicy.QUARANTINE, None).run()
            con.close()
            cpu, wall = _cpu() - c0, time.perf_counter() - w0
        sql = sum(v[0] for v in STATS.values())
        totals.append((cpu, wall, sql))
        for k, v in STATS.items():
            best[k] = [min(a, b) for a, b in zip(best[k], v, strict=True)] if k in best else list(v)
        print(f"run: {wall:.2f} s wall, {cpu:.2f} CPU-s (SQL {sql:.2f}), load average {os.getloadavg()[0]:.1f}")
    cpu, wall, sql = min(totals)
    n = rep.records_new
    print(f"records {n:,}; best ingest {wall:.2f} s wall, {cpu:.2f} CPU-s ({n / cpu:,.0f}/CPU-s)")
    print(f"imports {c_imp:.2f} CPU-s; SQL {sql:.2f}, outside SQL {cpu - sql:.2f} (best run)")
    for k, (c, w, n) in sorted(best.items(), key=lambda kv: -kv[1][0])[: args.top]:
        print(f"{c:7.2f} CPU-s {w:7.2f} s  x{n:<4} {k}")


if __name__ == "__main__":
    main()
