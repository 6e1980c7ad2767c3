"""Dedup growth with N: signatures and clustering CPU time on the synthetic law articles, with and without
the signature pre-filter, and whether both give the same verdicts.

CPU time (``time.process_time``) of one process is reported beside wall time, because the
development machine is shared (wall times there are noisy). Growth exponents are least-squares
slopes on log-log axes.

    python bench/bench_dedup_scale.py [--n 25000 --n 100000 ...] [--compare-at 25000]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("OMP_NUM_THREADS", "1")

from gen_law_dump import article_texts  # noqa: E402

from curate.dedup.config import DedupConfig  # noqa: E402
from curate.dedup.engine import ClusterStats, DedupDoc, cluster, make_hasher, sign  # noqa: E402

PHRASES = (
    "主管機關",
    "應依本法規定",
    "辦理",
    "新臺幣",
    "萬元以上",
    "萬元以下罰鍰",
    "並得按次處罰",
    "前項",
    "第一項",
    "之規定",
    "銀行",
    "保險業",
    "證券商",
    "金融控股公司",
    "董事",
    "監察人",
    "股東會",
    "利害關係人",
    "授信",
    "擔保品",
    "申請許可",
    "登記",
    "變更",
    "存款",
    "放款",
    "信託",
    "投資",
    "資產",
    "負債",
    "準備金",
    "資本適足率",
    "內部控制",
    "稽核制度",
    "客戶資料",
    "洗錢防制",
    "交易監控",
    "不在此限",
    "但書",
    "經營範圍",
    "命令",
    "處罰",
    "核准",
    "得",
    "並",
    "或",
    "及",
    "其",
    "者",
    "之",
    "於",
)


def phrase_texts(n: int, seed: int = 11):
    """Articles built from shared legal phrases (like real law text: many common n-grams across unrelated
    articles, so LSH buckets collide), with 8 % edited copies of an earlier article."""
    import random

    rng = random.Random(seed)
    recent: list[str] = []
    for _ in range(n):
        if recent and rng.random() < 0.08:
            t = list(rng.choice(recent))
            for _ in range(max(1, len(t) // 40)):
                t[rng.randrange(len(t))] = rng.choice("，。；、")
            yield "near", "".join(t)
            continue
        parts, size = [], rng.randint(100, 300)
        while sum(map(len, parts)) < size:
            parts.append(rng.choice(PHRASES) if rng.random() < 0.8 else rng.choice("，。；、"))
        text = "".join(parts)
        recent.append(text) if len(recent) < 5000 else recent.__setitem__(rng.randrange(5000), text)
        yield "base", text


def run(n: int, margin: float | None, corpus: str = "dump") -> tuple[dict, list]:
    gen = article_texts(n) if corpus == "dump" else phrase_texts(n)
    docs = [DedupDoc(f"d{i:08d}", t) for i, (_, t) in enumerate(gen)]
    cfg = DedupConfig(device="cpu") if margin is None else DedupConfig(device="cpu", prefilter_margin=margin)
    hasher = make_hasher(cfg)
    c0, w0 = time.process_time(), time.perf_counter()
    signed = sign(docs, cfg, hasher=hasher)
    c1 = time.process_time()
    stats = ClusterStats()
    fetched = [0]

    def fetch(rows: list[int]) -> list[str]:
        fetched[0] += len(rows)
        return [docs[r].text for r in rows]

    verdicts = cluster(signed, cfg, fetch, hasher=hasher, stats=stats)
    c2, w2 = time.process_time(), time.perf_counter()
    return {
        "n": n,
        "margin": cfg.prefilter_margin,
        "sign_cpu_s": round(c1 - c0, 2),
        "cluster_cpu_s": round(c2 - c1, 2),
        "wall_s": round(w2 - w0, 2),
        "candidates": stats.candidates,
        "prefiltered": stats.prefiltered,
        "verified_pairs": stats.verified,
        "texts_fetched": fetched[0],
        "duplicates": sum(not v.survivor for v in verdicts),
    }, sorted((v.id, v.cluster, v.survivor) for v in verdicts)


def slope(points: list[tuple[float, float]]) -> float | None:
    pts = [(math.log(x), math.log(y)) for x, y in points if y > 0]
    if len(pts) < 2:
        return None
    mx, my = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sum((p[0] - mx) ** 2 for p in pts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, action="append")
    ap.add_argument("--compare-at", type=int, default=25_000, help="N at which to run without the pre-filter too")
    ap.add_argument(
        "--corpus",
        choices=("dump", "phrases"),
        default="dump",
        help="dump: the scale benchmark's articles; phrases: articles built from shared legal phrases",
    )
    a = ap.parse_args()
    rows = []
    for n in a.n or [25_000, 50_000, 100_000, 200_000]:
        r, verdicts = run(n, None, a.corpus)
        rows.append(r)
        print(json.dumps(r), flush=True)
        if n == a.compare_at:
            full, full_verdicts = run(n, 1.0, a.corpus)
            print(json.dumps(full), flush=True)
            print(
                f"N={n}: verify-every-candidate cluster CPU {full['cluster_cpu_s']} s vs pre-filtered "
                f"{r['cluster_cpu_s']} s ({full['cluster_cpu_s'] / max(r['cluster_cpu_s'], 1e-9):.1f}x); "
                f"texts fetched {full['texts_fetched']} vs {r['texts_fetched']}; "
                f"same verdicts: {full_verdicts == verdicts}"
            )
    for key in ("sign_cpu_s", "cluster_cpu_s", "candidates"):
        e = slope([(r["n"], r[key]) for r in rows])
        print(f"growth exponent of {key}: {e:.2f}" if e is not None else f"{key}: one point")
    tot = slope([(r["n"], r["sign_cpu_s"] + r["cluster_cpu_s"]) for r in rows])
    if tot is not None:
        print(f"growth exponent of dedup CPU time (sign + cluster): {tot:.2f}")


if __name__ == "__main__":
    main()
