"""Issue 13 figures: PII start-up, whole-process speed vs stock presidio, law-text precision, dev-set P/R.

Every figure is a side-by-side measurement on the same machine in the same run (the bench machine
is shared), printed as a table:

* start-up: wall seconds of a whole `curate pii detect` process on a one-line file, against a stock
  presidio process (bench_pii.py's `stock` worker) on the same line (median of 3);
* whole process on a ~3 MB JSONL file (the dev set's bank texts repeated): `curate pii detect` wall vs
  the stock presidio worker's wall, as chars/s and their ratio (target >= 5x);
* steady state: chars per CPU-second of our analysis loop (bench_pii.py's `ours` worker; >= 500k);
* law text holds no personal data: share of law.moj.gov.tw articles (and their Simplified copies,
  OpenCC t2s) where anything is detected = false-positive rate, precision proxy;
* the synthetic scale corpus (``bench/gen_law_dump.py``: random legal-vocabulary characters, 2 % with an id
  or phone): share of the articles without personal data that get a PERSON span, and labelled names that
  would propagate across the source;
* the dev set scored with the shared scorer.

Usage: python bench/bench_issue13.py [--mb 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CURATE_SHARED", ROOT.parent / "shared"))
if not SHARED.exists():
    SHARED = Path("/work/shared")
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}


def _write(texts: list[str], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for i, t in enumerate(texts):
            fh.write(json.dumps({"id": str(i), "text": t}, ensure_ascii=False) + "\n")


def _wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=ENV, cwd=ROOT)
    return time.perf_counter() - t0


def _ours(inp: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "curate.cli", "-q", "pii", "detect", "--input", str(inp), "--output", str(out)]


def _stock(inp: Path) -> list[str]:
    return [sys.executable, str(ROOT / "bench" / "bench_pii.py"), "--worker", "stock", "--input", str(inp)]


def _bank() -> list[str]:
    path = SHARED / "eval-dev" / "pii_dev.jsonl"
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _law() -> list[str]:
    out = []
    for p in sorted((SHARED / "fixtures" / "law_moj").rglob("*.json")):
        raw = p.read_text(encoding="utf-8-sig", errors="replace")
        for m in re.finditer(r'"ArticleContent"\s*:\s*"((?:[^"\\]|\\.)*)"', raw):
            t = json.loads(f'"{m.group(1)}"').strip()
            if t:
                out.append(t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=3.0, help="size of the whole-process input in MB (UTF-8)")
    ap.add_argument(
        "--precision-only", action="store_true", help="only the law-text, synthetic-corpus and dev-set figures"
    )
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp())
    if not args.precision_only:
        _speed(args, tmp)
    _precision(tmp)


def _speed(args, tmp: Path) -> None:
    bank = _bank()

    # start-up
    one = tmp / "one.jsonl"
    _write(["客戶王小明手機0912345678"], one)
    ours_s = statistics.median(_wall(_ours(one, tmp / "one.out")) for _ in range(3))
    stock_s = statistics.median(_wall(_stock(one)) for _ in range(3))
    print("\n## start-up (whole process, one line; median of 3)")
    print(f"ours  `curate pii detect`  {ours_s:6.2f} s   (target <= 3 s)")
    print(f"stock presidio worker    {stock_s:6.2f} s")

    # whole process on ~N MB
    per = sum(len(t.encode()) for t in bank)
    texts = bank * max(1, round(args.mb * 1e6 / per))
    big = tmp / "big.jsonl"
    _write(texts, big)
    chars = sum(len(t) for t in texts)
    size = big.stat().st_size / 1e6
    w_ours = _wall(_ours(big, tmp / "big.out"))
    t0 = time.perf_counter()
    proc = subprocess.run(_stock(big), check=True, capture_output=True, text=True, env=ENV, cwd=ROOT)
    w_stock = time.perf_counter() - t0
    stock_cpu = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"\n## whole process, {size:.1f} MB JSONL, {chars:,} chars (bank texts of the dev set)")
    print(f"ours   {w_ours:7.2f} s  {chars / w_ours:>10,.0f} chars/s")
    print(f"stock  {w_stock:7.2f} s  {chars / w_stock:>10,.0f} chars/s")
    print(f"ratio ours/stock (whole process) = {w_stock / w_ours:.1f}x   (target >= 5x)")

    # steady state per core
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_pii.py"), "--worker", "ours", "--input", str(big)],
        check=True,
        capture_output=True,
        text=True,
        env=ENV,
        cwd=ROOT,
    )
    ours_cpu = json.loads(proc.stdout.strip().splitlines()[-1])
    print("\n## steady state (analysis loop, chars per CPU-second = per core)")
    print(f"ours   {ours_cpu['chars_per_cpu_s']:>10,}   (target >= 500k)")
    print(f"stock  {stock_cpu['chars_per_cpu_s']:>10,}")
    print(f"ratio  {ours_cpu['chars_per_cpu_s'] / stock_cpu['chars_per_cpu_s']:.1f}x")


def _precision(tmp: Path) -> None:
    # law text: no personal data, so every detection is a false positive
    import opencc

    from curate.pii.engine import PiiDetector

    det = PiiDetector()
    law = _law()
    simp = [opencc.OpenCC("t2s").convert(t) for t in law]
    print("\n## law text (no personal data): records with any detection")
    for name, corpus in (("Traditional", law), ("Simplified (t2s)", simp)):
        found = det.analyze_many(corpus)
        flagged = sum(1 for s in found if s)
        persons = sum(1 for s in found if any(x.entity_type == "PERSON" for x in s))
        print(
            f"{name:18s} {len(corpus):>6} records  flagged {flagged:>4} ({flagged / len(corpus):.2%})"
            f"  PERSON {persons:>4} ({persons / len(corpus):.2%})"
        )

    # the scale benchmark's synthetic corpus: character soup, no names
    sys.path.insert(0, str(ROOT / "bench"))
    from gen_law_dump import article_texts

    from curate.pii.labels import LABELLED, labelled_spans

    arts = list(article_texts(5000, seed=17))
    plain = [t for kind, t in arts if kind != "pii"]
    found = det.analyze_many(plain)
    person = sum(1 for s in found if any(x.entity_type == "PERSON" for x in s))
    flagged = sum(1 for s in found if s)
    learned = sum(1 for t in plain for *_, r in labelled_spans(t) if r == LABELLED)
    print("\n## synthetic scale corpus (gen_law_dump, 5,000 articles; those without personal data)")
    print(
        f"{len(plain):>6} records  flagged {flagged:>4} ({flagged / len(plain):.2%})  PERSON {person:>4}"
        f" ({person / len(plain):.2%})  labelled names that would propagate: {learned}"
    )

    # dev set
    pred = tmp / "pred.jsonl"
    with open(pred, "w", encoding="utf-8") as fh:
        gold = [json.loads(line) for line in open(SHARED / "eval-dev" / "pii_dev.jsonl", encoding="utf-8")]
        for rec, spans in zip(gold, det.analyze_many([g["text"] for g in gold]), strict=True):
            fh.write(json.dumps({"id": rec["id"], "spans": [s.to_dict() for s in spans]}) + "\n")
    out = subprocess.run(
        [
            sys.executable,
            str(SHARED / "eval-dev" / "score.py"),
            "pii",
            str(SHARED / "eval-dev" / "pii_dev.jsonl"),
            str(pred),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    print("\n## dev set (eval-dev/pii_dev.jsonl, shared scorer)")
    print("\n".join(line for line in out.splitlines() if line.startswith("SCORE")))


if __name__ == "__main__":
    main()
