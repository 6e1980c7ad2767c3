"""PII detection on one large record: time against the record's size, this checkout against an old one.

Review 7 (finding 3) found detection slowing with the square of the values in one record (200k characters:
80 s). The record is the reviewer's: ``客戶王志明的手機09XXXXXXXX，銀行應確保資金安全。`` repeated (a new phone
in each sentence) up to each size. Each checkout runs in its own process, one size at a time, with a time limit;
the spans of both must be the same (their sha256 is printed).

Usage: python bench/bench_pii_large.py --old /tmp/wtOldPii [--sizes 50000,100000,200000,400000] [--limit 300]
(the old checkout: ``git worktree add --detach /tmp/wtOldPii main``)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "客戶王志明的手機{}，銀行應確保資金安全。"


def record(size: int) -> str:
    """The reviewer's record: sentences with a new phone each, cut to ``size`` characters."""
    rng = random.Random(7)
    parts, n = [], 0
    while n < size:
        parts.append(SENTENCE.format(f"09{rng.randrange(10**8):08d}"))
        n += len(parts[-1])
    return "".join(parts)[:size]


def worker(size: int) -> dict:
    from curate.pii.engine import PiiDetector

    det = PiiDetector()
    det.analyze(SENTENCE.format("0912345678"))  # start-up (patterns) outside the timing
    text = record(size)
    wall, cpu = time.perf_counter(), time.process_time()
    spans = det.analyze(text)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    digest = hashlib.sha256(json.dumps([s.to_dict() for s in spans]).encode()).hexdigest()[:12]
    return {"chars": len(text), "spans": len(spans), "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "sha": digest}


def run(checkout: Path, size: int, limit: float) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(size)]
    try:
        out = subprocess.run(cmd, env=env, cwd=checkout, capture_output=True, text=True, timeout=limit, check=True)
    except subprocess.TimeoutExpired:
        return {"chars": size, "wall_s": f"> {limit:.0f}", "cpu_s": "-", "spans": "-", "sha": "-"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", type=Path, help="checkout of the code before the fix")
    ap.add_argument("--sizes", default="50000,100000,200000,400000")
    ap.add_argument("--limit", type=float, default=300.0, help="seconds per size and checkout")
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    checkouts = [("new", ROOT)] + ([("old", args.old)] if args.old else [])
    print("| characters | checkout | spans | wall s | CPU s | spans sha256 |\n|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        for name, checkout in checkouts:
            r = run(checkout, size, args.limit)
            print(f"| {r['chars']:,} | {name} | {r['spans']} | {r['wall_s']} | {r['cpu_s']} | {r['sha']} |", flush=True)


if __name__ == "__main__":
    main()
