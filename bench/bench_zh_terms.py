"""Issue 13, zh vocabulary: exact match and CER on a self-written Simplified financial corpus and on the dev set.

    PYTHONPATH=. python bench/bench_zh_terms.py [--corpus bench/data/zh_terms_eval.tsv] [--show 10]

bench/data/zh_terms_eval.tsv is written for this bench (not taken from the dev set): fully Simplified
sentences across IT, privacy, contract, banking channels, payments, securities, insurance and general
office text, each with a hand-authored Taiwan reference. Scores: bare OpenCC s2twp, then ``normalise``
(s2twp + terminology layer + context-decided pairs). The dev set (shared/eval-dev/zh_dev.jsonl) is scored
the same way, per kind. Misses are printed for review.

    --speed-against REV   also time ``normalise`` on the corpus sentences joined into ~2 KB documents with
                          the tables of git revision REV and with the working tree's tables, interleaved in
                          one process (same code, same corpus; best of --repeat, CPU time of this process so that other jobs on the machine count less), against bare s2twp.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CURATE_SHARED", ROOT.parent / "shared"))


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def score(pairs: list[tuple[str, str, str]], convert) -> tuple[dict[str, tuple[int, int, int, int]], list]:
    """Per group: (n, exact, edits, reference chars); and the misses."""
    acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    misses = []
    for group, src, ref in pairs:
        out = convert(src)
        for g in (group, "ALL"):
            a = acc[g]
            a[0] += 1
            a[1] += out == ref
            a[2] += levenshtein(out, ref)
            a[3] += len(ref)
        if out != ref:
            misses.append((src, ref, out))
    return {g: tuple(v) for g, v in acc.items()}, misses


def report(title: str, results: dict[str, dict]) -> None:
    names = list(results)
    print(f"\n{title}")
    print(f"  {'group':<22}{'n':>5}" + "".join(f"{n + ' exact':>18}{n + ' CER':>14}" for n in names))
    groups = sorted({g for r in results.values() for g in r}, key=lambda g: (g == "ALL", g))
    for g in groups:
        row = f"  {g:<22}{next(iter(results.values()))[g][0]:>5}"
        for r in results.values():
            n, ex, ed, ch = r[g]
            row += f"{ex / n:>18.3f}{ed / ch:>14.4f}"
        print(row)


def speed(rev: str, texts: list[str], repeat: int) -> None:
    """Interleaved timing of normalise with the tables of ``rev`` and of the working tree."""
    import opencc

    import curate.zh.terms as terms
    from curate.zh import normalise

    names = ("terminology.tsv", "context_terms.tsv")
    old = {
        n: subprocess.run(
            ["git", "show", f"{rev}:schemas/zh/{n}"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        for n in names
    }
    current = terms._schema_text

    def use(tables):
        terms._schema_text = (lambda name: tables[name]) if tables else current  # type: ignore[assignment]
        terms.terminology.cache_clear()
        terms.context_terms.cache_clear()
        sys.modules["curate.zh.normalise"]._engine.cache_clear()
        normalise(texts[0])  # build the engine outside the timing

    s2twp = opencc.OpenCC("s2twp").convert
    best = {"s2twp": 1e9, rev: 1e9, "working tree": 1e9}
    for _ in range(repeat):
        t0 = time.process_time()
        for t in texts:
            s2twp(t)
        best["s2twp"] = min(best["s2twp"], time.process_time() - t0)
        for name, tables in ((rev, old), ("working tree", None)):
            use(tables)
            t0 = time.process_time()
            for t in texts:
                normalise(t)
            best[name] = min(best[name], time.process_time() - t0)
    use(None)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    print(f"\nspeed on {len(texts)} documents, {mb:.2f} MB of fully Simplified text (best of {repeat}, interleaved)")
    for name, sec in best.items():
        print(f"  {name:<16}{mb / sec:>8.2f} MB/s   {best['s2twp'] / sec:>6.2f}x bare s2twp")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "bench" / "data" / "zh_terms_eval.tsv")
    ap.add_argument("--dev", type=Path, default=SHARED / "eval-dev" / "zh_dev.jsonl")
    ap.add_argument("--show", type=int, default=10)
    ap.add_argument("--speed-against", metavar="REV")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--mb", type=float, default=0.5)
    args = ap.parse_args(argv)

    import opencc

    from curate.zh import normalise
    from curate.zh.terms import charmap

    cmap = charmap()
    s2twp = opencc.OpenCC("s2twp").convert
    systems = {"s2twp": lambda s: s2twp(s).translate(cmap), "curate": lambda s: normalise(s).text}

    pairs = []
    for line in args.corpus.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            _id, dom, src, ref = line.split("\t")
            pairs.append((dom, src, ref))
    res, misses = {}, []
    for name, fn in systems.items():
        res[name], m = score(pairs, fn)
        if name == "curate":
            misses = m
    report(f"self-written corpus {args.corpus.name} ({len(pairs)} fully Simplified sentences)", res)
    n, ex, ed, ch = res["curate"]["ALL"]
    print(f"SCORE corpus exact={ex / n:.3f} cer={ed / ch:.4f}")
    print(f"\nmisses of curate ({len(misses)}), first {args.show}:")
    for src, ref, out in misses[: args.show]:
        print(f"  in : {src}\n  ref: {ref}\n  out: {out}")

    if args.dev.exists():
        dev = [json.loads(x) for x in args.dev.open(encoding="utf-8")]
        dpairs = [(r["kind"], r["text"], r["expected"]) for r in dev]
        dres = {"curate": score(dpairs, systems["curate"])[0]}
        report(f"dev set {args.dev.name} ({len(dpairs)} records)", dres)
        n, ex, ed, ch = dres["curate"]["simplified_to_tw"]
        print(f"SCORE dev simplified_to_tw exact={ex / n:.3f} cer={ed / ch:.4f}")
    if args.speed_against:
        docs, doc, size = [], [], 0
        while size < args.mb * 1e6:
            for _g, src, _r in pairs:
                doc.append(src)
                size += len(src.encode())
                if sum(len(x.encode()) for x in doc) >= 2000:
                    docs.append("\n".join(doc))
                    doc = []
        speed(args.speed_against, docs, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
