"""law.moj ingest of the same articles split into files of K laws: the cost of a file, by path and code version.

The synthetic dump (:mod:`bench.gen_law_dump`, ~20 articles a law) is split into directories of files of K laws
each (official wrapper, UTF-8 with BOM); each directory is ingested in a fresh process (``curate ingest law-moj
DIR --scope all`` under ``/usr/bin/time``) with the default routing, with every file forced through the SQL path
(``CURATE_INGEST_BULK_MIN_BYTES=0``) and through the Python path (``CURATE_INGEST_FAST=0``), and with ``--before
REPO`` also by an older checkout, one after the other, so the ratios compare runs of the same minute.

    python bench/bench_ingest_files.py --articles 20000 --laws-per-file 1,10,50,200,1000 [--before /tmp/old]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench")]

from gen_law_dump import write_dump  # noqa: E402

MODES = {
    "default": {},
    "sql": {"CURATE_INGEST_BULK_MIN_BYTES": "0"},
    "python": {"CURATE_INGEST_FAST": "0"},
}


def split(dump: Path, out: Path, per: int) -> int:
    """Write the dump's laws as files of ``per`` laws under ``out``; returns the number of files."""
    data = json.loads(dump.read_text(encoding="utf-8-sig"))
    laws = data["Laws"]
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for i in range(0, len(laws), per):
        body = json.dumps({"UpdateDate": data["UpdateDate"], "Laws": laws[i : i + per]}, ensure_ascii=False)
        (out / f"laws_{n:05d}.json").write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
        n += 1
    return n


def run(repo: Path, src: Path, work: Path, env: dict[str, str]) -> tuple[float, float, int, int]:
    """Wall s, CPU s, peak RSS KiB and records of one ingest of ``src`` by the code at ``repo``."""
    db = work / "c.duckdb"
    for p in work.glob("c.duckdb*"):
        p.unlink() if p.is_file() else shutil.rmtree(p)
    cmd = ["/usr/bin/time", "-f", "%e %U %S %M", sys.executable, "-m", "curate.cli", "-q", "--db", str(db)]
    cmd += ["ingest", "law-moj", str(src), "--scope", "all"]
    full_env = {**os.environ, "PYTHONPATH": str(repo), **env}
    res = subprocess.run(cmd, cwd=repo, env=full_env, capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"ingest failed ({repo}, {env}): {res.stderr[-800:]}")
    wall, user, sys_, rss = res.stderr.strip().splitlines()[-1].split()
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        n = con.execute("SELECT count(*) FROM records").fetchone()[0]
    finally:
        con.close()
    return float(wall), float(user) + float(sys_), int(rss), int(n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=20_000)
    ap.add_argument("--laws-per-file", default="1,10,50,200,1000")
    ap.add_argument("--before", type=Path, help="an older checkout to run side by side (default routing only)")
    ap.add_argument("--max-files", type=int, default=200, help="ingest at most this many files of each split")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-files-") as tmp:
        tmp_path = Path(tmp)
        dump = tmp_path / "ChLaw.json"
        write_dump(dump, args.articles)
        work = tmp_path / "work"
        work.mkdir()
        print("| laws per file | files | articles | run | wall s | CPU s | peak MiB | ms per file |")
        print("|---|---|---|---|---|---|---|---|")
        for per in (int(x) for x in args.laws_per_file.split(",")):
            d = tmp_path / f"per{per}"
            split(dump, d, per)
            files = sorted(d.glob("*.json"))
            for extra in files[args.max_files :]:
                extra.unlink()
            n_files = min(len(files), args.max_files)
            runs = [(name, ROOT, env) for name, env in MODES.items()]
            if args.before:
                runs.append(("before (default)", args.before, {}))
            for name, repo, env in runs:
                wall, cpu, rss, n = run(repo, d, work, env)
                print(
                    f"| {per:,} | {n_files:,} | {n:,} | {name} | {wall:.2f} | {cpu:.2f} | {rss / 1024:.0f}"
                    f" | {1000 * wall / n_files:.0f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
