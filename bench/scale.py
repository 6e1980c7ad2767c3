"""Scale benchmark: the whole pipeline on a synthetic law dump of N articles, time and peak RSS per step.

For each N: generate the dump (:mod:`bench.gen_law_dump`, cached), then run in fresh processes,
each measured by ``/usr/bin/time -v`` (wall time, CPU %, peak RSS of the largest process):

    ingest law-moj -> run hygiene -> run pii -> run normalise -> run dedup -> export dataset

plus two side-by-side references in the same run, so ratios stay meaningful on a shared machine:

* ``duckdb_bulk``: DuckDB's own bulk path on the same file (``read_json`` + ``unnest`` + ``sha256``
  in SQL + insert into a keyed table), the ingest target's yardstick;
* ``--compare-workers [STAGES]``: each of hygiene, pii, normalise and dedup (or the STAGES given) with
  1 and 2 workers (the `--ray-stages`, hygiene by default, also on Ray with 2 workers) on copies of the catalogue as the pipeline reaches
  that stage, one after the other. Besides wall time and the load average, each prints the CPU seconds
  of every phase (``run_stats``: snapshot, execute, finalize, load) and the speed-up Amdahl's law allows
  2 workers: only ``execute`` runs in parallel, everything else (start-up, snapshot, finalize, load)
  is serial. On a shared machine the CPU split is the figure to trust; the wall ratio needs a quiet one.

Results accumulate in ``docs/bench-raw/scale.json`` (one entry per N, newest wins); the table with
per-step growth exponents (log-log least squares over N) goes to stdout and, with ``--write-docs``,
between the ``scale-table`` markers of docs/benchmarks.md; the chart goes to docs/img/scale.png and
the HTML report of the largest N's catalogue, with a scale section (``curate report --scale-results``),
to bench-out/scale/report.html.

    python bench/scale.py --n 25000 [--n 100000 ...] [--compare-workers [hygiene,pii,...]] [--write-docs]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from gen_law_dump import write_dump  # noqa: E402

from curate.reporting.scale import exponent  # noqa: E402

OUT = ROOT / "bench-out" / "scale"
RAW = ROOT / "docs" / "bench-raw" / "scale.json"
CHART = ROOT / "docs" / "img" / "scale.png"
DOCS = ROOT / "docs" / "benchmarks.md"
STEPS = ("ingest", "hygiene", "pii", "normalise", "dedup", "export")
#: stages ``--compare-workers`` runs with 1 and 2 workers (each on a copy of the catalogue as the pipeline reaches it)
COMPARED = ("hygiene", "pii", "normalise", "dedup")
PII_KEY = "5c" * 32  # a fixed benchmark key (never a real one)
CURATE = [sys.executable, "-m", "curate.cli"]


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT), CURATE_PII_KEY=PII_KEY, HF_DATASETS_OFFLINE="1")


def timed(cmd: list[str], env: dict[str, str] | None = None) -> dict:
    """Run ``cmd`` under GNU time; wall seconds, CPU % and peak RSS (MiB) of its largest process."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env or _env(), cwd=str(ROOT)
    )
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 3):
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-6000:])
        raise SystemExit(f"step failed ({proc.returncode}): {' '.join(cmd)}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    cpu = re.search(r"Percent of CPU this job got: (\d+)%", proc.stderr)
    user = re.search(r"User time \(seconds\): ([\d.]+)", proc.stderr)
    system = re.search(r"System time \(seconds\): ([\d.]+)", proc.stderr)
    return {
        "seconds": round(wall, 2),
        # CPU seconds of the step and its workers: steadier than wall time on a shared machine
        "cpu_s": round(float(user.group(1)) + float(system.group(1)), 2) if user and system else None,
        "peak_mib": round(int(rss.group(1)) / 1024, 1) if rss else None,
        "cpu_pct": int(cpu.group(1)) if cpu else None,
    }


def _curate(db: Path, *args: str) -> list[str]:
    return [*CURATE, "--db", str(db), *args]


BULK_REF = """
import sys, time, duckdb
dump, db = sys.argv[1], sys.argv[2]
con = duckdb.connect(db)
con.execute("SET enable_progress_bar = false")
con.execute("CREATE TABLE ref (record_id VARCHAR PRIMARY KEY, doc_key VARCHAR, text VARCHAR, content_sha256 VARCHAR,"
            " metadata JSON)")
t0 = time.perf_counter()
con.execute(f'''
INSERT INTO ref
SELECT sha256(concat_ws(chr(31), 'law_moj', pcode || '/zh/' || a.ArticleNo, a.ArticleContent)),
       'law_moj:' || pcode || ':zh:' || a.ArticleNo, a.ArticleContent, sha256(a.ArticleContent),
       json_object('pcode', pcode, 'law_name', LawName, 'article_no', a.ArticleNo)
FROM (SELECT regexp_extract(l.LawURL, 'pcode=([A-Z][0-9]{{7}})', 1) AS pcode, l.LawName,
             unnest(l.LawArticles) AS a
      FROM (SELECT unnest(Laws) AS l FROM read_json('{dump}', maximum_object_size=2000000000)))
WHERE a.ArticleType = 'A'
''')
n = con.execute("SELECT count(*) FROM ref").fetchone()[0]
con.close()  # the checkpoint is part of the work (ingest's time includes its own)
print(n, time.perf_counter() - t0)
"""


def _phases(db: Path) -> dict:
    """Wall and CPU seconds per phase of the (only) stage run in ``db``, from ``run_stats``."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT metric, key, value FROM run_stats WHERE metric IN ('seconds', 'cpu_seconds')"
        ).fetchall()
    finally:
        con.close()
    out: dict = {"phase_seconds": {}, "cpu_seconds": {}}
    for metric, key, value in rows:
        out["phase_seconds" if metric == "seconds" else metric][key] = value
    return out


def _load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def compare_stage(db: Path, work: Path, stage: str, *, ray: bool) -> dict:
    """``run STAGE`` with 1 and 2 workers (and Ray, 2 workers) on copies of ``db``, one after the other."""
    variants = [("w1", ["--workers", "1"]), ("w2", ["--workers", "2"])]
    if ray:
        variants.append(("ray2", ["--executor", "ray", "--workers", "2"]))
    out: dict = {}
    for name, opts in variants:
        copy = work / f"{stage}_{name}.duckdb"
        shutil.copy(db, copy)
        shutil.rmtree(work / ".curate" / copy.name, ignore_errors=True)
        load = _load_average()
        r = timed(_curate(copy, "--quiet", "run", stage, *opts))
        r["load_average"] = round((load + _load_average()) / 2, 2)
        r.update(_phases(copy))
        out[name] = r
        print(
            f"    {stage:<10} {name:<5} {r['seconds']:>7.1f} s  {r['cpu_s']:>6.1f} CPU-s  {r['peak_mib']:>6.0f} MiB"
            f"  load {r['load_average']:.1f}",
            flush=True,
        )
        copy.unlink()
        shutil.rmtree(work / ".curate" / copy.name, ignore_errors=True)
    return out


def amdahl(w1: dict) -> dict:
    """Serial and parallel CPU seconds of a 1-worker run and the speed-up 2 workers can reach at best.

    Parallel: the ``execute`` phase (the ranks). Serial: everything else the process spent CPU on
    (start-up and imports, snapshot, finalize, load, the summary); 2 workers halve the parallel part only.
    """
    total = w1.get("cpu_s") or 0.0
    par = (w1.get("cpu_seconds") or {}).get("execute", 0.0)
    ser = max(total - par, 0.0)
    return {"serial_cpu_s": ser, "parallel_cpu_s": par, "predicted": (ser + par) / (ser + par / 2) if total else None}


def workers_table(results: list[dict]) -> str:
    """Per stage and N: 1 vs 2 workers (wall ratio, load average), serial/parallel CPU, Amdahl's prediction."""
    lines = [
        "| N | stage | 1 worker | 2 workers | speed-up (wall) | load average | serial CPU-s | parallel CPU-s"
        " | predicted 2-worker speed-up | snapshot / execute / finalize / load CPU-s (1 worker) | Ray 2 workers |",
        "|---" * 11 + "|",
    ]
    for r in sorted(results, key=lambda r: r["n"]):
        for stage, v in (r.get("workers") or {}).items():
            w1, w2, ray = v.get("w1"), v.get("w2"), v.get("ray2")
            if not (w1 and w2):
                continue
            a = amdahl(w1)
            ph = w1.get("cpu_seconds") or {}
            phases = " / ".join(f"{ph.get(k, 0.0):.1f}" for k in ("snapshot", "execute", "finalize", "load"))
            ray_cell = f"{ray['seconds']:.1f} s ({ray['seconds'] / w2['seconds']:.2f}x local)" if ray else "–"
            lines.append(
                f"| {r['n']:,} | {stage} | {w1['seconds']:.1f} s ({w1['cpu_pct']}% CPU) | {w2['seconds']:.1f} s"
                f" ({w2['cpu_pct']}% CPU) | {w1['seconds'] / w2['seconds']:.2f}x | {w1['load_average']:.1f} /"
                f" {w2['load_average']:.1f} | {a['serial_cpu_s']:.1f} | {a['parallel_cpu_s']:.1f} |"
                f" {a['predicted']:.2f}x | {phases} | {ray_cell} |"
            )
    return "\n".join(lines) if len(lines) > 2 else ""


def run_n(
    n: int,
    *,
    compare_workers: tuple[str, ...],
    workers: int | None,
    steps: tuple[str, ...],
    ray_stages: tuple[str, ...] = ("hygiene",),
) -> dict:
    work = OUT / f"n{n}"
    dump = work / "ChLaw.json"
    if not dump.exists():
        write_dump(dump, n)
    db = work / "bench.duckdb"
    for p in (db, Path(f"{db}.wal"), work / ".curate", work / "export", work / "ref.duckdb"):
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    res: dict = {"n": n, "dump_mib": round(dump.stat().st_size / 2**20, 1), "steps": {}, "workers": {}}
    wopt = ["--workers", str(workers)] if workers else []
    for step in steps:
        if step == "ingest":
            cmd = _curate(db, "ingest", "law-moj", str(dump), "--scope", "all")
        elif step == "export":
            cmd = _curate(
                db,
                "export",
                "dataset",
                "--purpose",
                "training",
                "--audience",
                "consortium",
                "--non-commercial",
                "--out",
                str(work / "export"),
                "--overwrite",
            )
        else:
            if step in compare_workers:
                res["workers"][step] = compare_stage(db, work, step, ray=step in ray_stages)
            cmd = _curate(db, "run", step, *wopt)
        r = timed(cmd)
        res["steps"][step] = r
        print(
            f"  n={n:>8} {step:<10} {r['seconds']:>8.1f} s  {r['peak_mib']:>7.0f} MiB  {r['cpu_pct']}% CPU", flush=True
        )
    if "ingest" in steps:
        import resource

        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(
            [sys.executable, "-c", BULK_REF, str(dump), str(work / "ref.duckdb")],
            capture_output=True,
            text=True,
            check=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        rows, secs = out.stdout.strip().splitlines()[-1].split()
        cpu_s = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        res["steps"]["duckdb_bulk"] = {"seconds": round(float(secs), 2), "rows": int(rows), "cpu_s": round(cpu_s, 2)}
        ing = res["steps"]["ingest"]["seconds"]
        print(f"  n={n:>8} ingest {n / ing:,.0f} articles/s; DuckDB bulk reference {int(rows) / float(secs):,.0f}/s")
        (work / "ref.duckdb").unlink(missing_ok=True)
    return res


def machine() -> str:
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, AttributeError):
        pass
    return f"{platform.machine()} {os.cpu_count()} cores{mem}, Python {platform.python_version()}"


def table(results: list[dict]) -> str:
    results = sorted(results, key=lambda r: r["n"])
    steps = [s for s in STEPS if any(s in r["steps"] for r in results)]
    lines = [
        "| N articles | " + " | ".join(steps) + " | ingest articles/s | DuckDB bulk rows/s |",
        "|---" * (len(steps) + 3) + "|",
    ]
    for r in results:
        cells = []
        for s in steps:
            m = r["steps"].get(s)
            cpu = f" ({m['cpu_s']:.0f} CPU-s)" if m and m.get("cpu_s") else ""
            cells.append(f"{m['seconds']:.1f} s{cpu} / {m['peak_mib'] / 1024:.2f} GiB" if m else "–")
        ing, ref = r["steps"].get("ingest"), r["steps"].get("duckdb_bulk")
        rate = f"{r['n'] / ing['seconds']:,.0f}" if ing else "–"
        bulk = f"{ref['rows'] / ref['seconds']:,.0f}" if ref else "–"
        if ing and ing.get("cpu_s") and ref and ref.get("cpu_s"):
            rate += f" ({r['n'] / ing['cpu_s']:,.0f} per CPU-s)"
            bulk += f" ({ref['rows'] / ref['cpu_s']:,.0f} per CPU-s, whole process)"
        lines.append(f"| {r['n']:,} | " + " | ".join(cells) + f" | {rate} | {bulk} |")
    if len(results) > 1:
        te, me = [], []
        for s in steps:
            t = exponent([(r["n"], r["steps"][s]["seconds"]) for r in results if s in r["steps"]])
            m = exponent([(r["n"], r["steps"][s]["peak_mib"]) for r in results if s in r["steps"]])
            te.append(f"{t:.2f}" if t is not None else "–")
            me.append(f"{m:.2f}" if m is not None else "–")
        lines.append("| time exponent | " + " | ".join(te) + " | | |")
        lines.append("| memory exponent | " + " | ".join(me) + " | | |")
    for r in results:
        w1, w2, ray = (r["steps"].get(k) for k in ("hygiene_w1", "hygiene_w2", "hygiene_ray2"))
        if w1 and w2:
            line = (
                f"\nAt {r['n']:,}: `run hygiene` 1 worker {w1['seconds']:.1f} s ({w1['cpu_pct']}% CPU), "
                f"2 workers {w2['seconds']:.1f} s ({w2['cpu_pct']}% CPU): speed-up {w1['seconds'] / w2['seconds']:.2f}x"
            )
            if ray:
                line += f"; Ray, 2 workers {ray['seconds']:.1f} s ({ray['cpu_pct']}% CPU, {ray['seconds'] / w2['seconds']:.2f}x local)"
            lines.append(line + ".")
    wt = workers_table(results)
    if wt:
        lines += ["", wt]
    return "\n".join(lines)


def chart(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = sorted(results, key=lambda r: r["n"])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for s in STEPS:
        pts = [(r["n"], r["steps"][s]) for r in results if s in r["steps"]]
        if not pts:
            continue
        ax1.plot([p[0] for p in pts], [p[1]["seconds"] for p in pts], "o-", label=s)
        ax2.plot([p[0] for p in pts], [p[1]["peak_mib"] for p in pts], "o-", label=s)
    for ax, title, unit in ((ax1, "time per step", "seconds"), (ax2, "peak RSS per step", "MiB")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("articles (N)")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
    ax1.legend(fontsize=8)
    fig.suptitle(f"curate scale benchmark ({machine()})", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def write_docs(text: str) -> None:
    doc = DOCS.read_text(encoding="utf-8")
    start, end = "<!-- scale-table:start -->", "<!-- scale-table:end -->"
    if start not in doc:
        raise SystemExit(f"{DOCS} has no `{start}` marker (the Issue 17 section)")
    head, rest = doc.split(start, 1)
    _, tail = rest.split(end, 1)
    DOCS.write_text(f"{head}{start}\n{text}\n{end}{tail}", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, action="append", help="articles (repeatable; default 25000)")
    ap.add_argument("--steps", default=",".join(STEPS))
    ap.add_argument("--workers", type=int, default=None, help="--workers for the stages (default: cores)")
    ap.add_argument(
        "--compare-workers",
        nargs="?",
        const=",".join(COMPARED),
        default="",
        metavar="STAGES",
        help=f"also run these stages with 1 and 2 workers on copies of the catalogue (default {','.join(COMPARED)};"
        " those in --ray-stages also with Ray)",
    )
    ap.add_argument(
        "--ray-stages",
        default="hygiene",
        metavar="STAGES",
        help="of the compared stages, those also run with `--executor ray --workers 2` (default hygiene)",
    )
    ap.add_argument("--no-ray", action="store_true", help="leave Ray out of --compare-workers")
    ap.add_argument("--write-docs", action="store_true", help="write the table into docs/benchmarks.md")
    ap.add_argument("--results", type=Path, default=RAW)
    ap.add_argument("--chart", type=Path, default=CHART)
    ap.add_argument(
        "--report",
        type=Path,
        default=OUT / "report.html",
        help="HTML report (`curate report --scale-results`) of the largest N's catalogue with the scale section",
    )
    a = ap.parse_args()
    steps = tuple(s for s in a.steps.split(",") if s)
    bad = set(steps) - set(STEPS)
    if bad:
        raise SystemExit(f"unknown steps {sorted(bad)}; valid: {', '.join(STEPS)}")
    compare = tuple(x for x in a.compare_workers.split(",") if x)
    if set(compare) - set(COMPARED):
        raise SystemExit(f"--compare-workers: unknown stages {sorted(set(compare) - set(COMPARED))}; valid: {COMPARED}")
    ray_stages = () if a.no_ray else tuple(x for x in a.ray_stages.split(",") if x)
    if set(ray_stages) - set(COMPARED):
        raise SystemExit(f"--ray-stages: unknown stages {sorted(set(ray_stages) - set(COMPARED))}; valid: {COMPARED}")
    print(f"machine: {machine()}")
    stored = json.loads(a.results.read_text()) if a.results.exists() else {"results": []}
    for n in a.n or [25_000]:
        r = run_n(n, compare_workers=compare, workers=a.workers, steps=steps, ray_stages=ray_stages)
        r["machine"] = machine()
        r["date"] = time.strftime("%Y-%m-%d")
        stored["results"] = [x for x in stored["results"] if x["n"] != n] + [r]
    a.results.parent.mkdir(parents=True, exist_ok=True)
    a.results.write_text(json.dumps(stored, indent=1, ensure_ascii=False) + "\n")
    text = table(stored["results"])
    print(text)
    chart(stored["results"], a.chart)
    print(f"chart: {a.chart}")
    if a.write_docs:
        write_docs(text)
    biggest = OUT / f"n{max(a.n or [25_000])}" / "bench.duckdb"
    if biggest.exists():
        cmd = _curate(biggest, "report", "--scale-results", str(a.results), "--out", str(a.report))
        subprocess.run(cmd, check=True, env=_env(), cwd=str(ROOT))
        print(f"report: {a.report}")


if __name__ == "__main__":
    main()
