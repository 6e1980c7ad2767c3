"""Benchmark: law.moj ingest of a full-size synthetic bulk dump, and the hygiene stage.

Generates ~12k laws / ~250k articles in the official ChLaw.json shape (UTF-8 with BOM, wrapper
object, random Traditional Chinese text), then measures in child processes (so peak RSS is per
measurement): ingest articles/s (one process, one core) and peak memory; hygiene `clean()`
MB/s on one core; and the whole `curate run hygiene` on 1 worker.

    .venv/bin/python bench/bench_law_moj.py [--laws 12000] [--articles 21]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-out" / "law_moj"
POOL = (
    "銀行保險證券期貨金融控股公司業務主管機關應依本法規定辦理申請許可登記變更存款放款信託投資資產負債"
    "準備金資本適足率董事監察人股東會利害關係人授信擔保品主管機關核准命令處罰罰鍰新臺幣元以上以下得並"
)
PUNCT = "，。；、"


def make_dump(path: Path, laws: int, articles: int, seed: int = 7) -> tuple[int, int]:
    rng = random.Random(seed)
    n_art = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('\ufeff{"UpdateDate": "2024/10/11 上午 12:00:00", "Laws": [')
        for i in range(laws):
            arts = [{"ArticleType": "C", "ArticleNo": "", "ArticleContent": "   第 一 章 總則"}]
            k = max(1, int(rng.gauss(articles, articles / 3)))
            for a in range(1, k + 1):
                body = "".join(
                    rng.choice(POOL) if rng.random() > 0.06 else rng.choice(PUNCT) for _ in range(rng.randint(60, 260))
                )
                arts.append(
                    {
                        "ArticleType": "A",
                        "ArticleNo": f"第 {a} 條",
                        "ArticleContent": body + "。\r\n" + body[:40] + "。",
                    }
                )
            n_art += k
            cat = "行政＞金融監督管理委員會＞銀行目" if i % 3 else "行政＞金融監督管理委員會＞證券暨期貨管理目  "
            law = {
                "LawLevel": "命令",
                "LawName": f"合成法規{i:05d}",
                "LawURL": f"https://law.moj.gov.tw/LawClass/LawAll.aspx?pcode=G{i:07d}",
                "LawCategory": cat,
                "LawModifiedDate": "20240101",
                "LawEffectiveDate": "",
                "LawEffectiveNote": "",
                "LawAbandonNote": "",
                "LawHasEngVersion": "N",
                "EngLawName": "",
                "LawAttachements": [],
                "LawHistories": "",
                "LawForeword": "",
                "LawArticles": arts,
            }
            fh.write(("," if i else "") + json.dumps(law, ensure_ascii=False))
        fh.write("]}")
    return laws, n_art


def child(mode: str, dump: str, db: str) -> None:
    sys.path.insert(0, str(ROOT))
    t0 = time.perf_counter()
    if mode == "ingest":
        from curate.ingest import ingest
        from sources.law_moj import LawMojSource

        rep = ingest(db, LawMojSource([dump], scope="all"))
        n = rep.records_seen
    elif mode == "clean":
        import duckdb

        from curate.stages.hygiene import clean

        texts = [
            r[0]
            for r in duckdb.connect(db, read_only=True)
            .execute("SELECT text FROM records WHERE stage='ingest' LIMIT 100000")
            .fetchall()
        ]
        t0 = time.perf_counter()
        for t in texts:
            clean(t)
        n = sum(len(t.encode()) for t in texts)
    else:
        from curate.runner import make_stage, run_stage

        rep = run_stage(db, make_stage("hygiene"), workers=1, tasks=1)
        n = rep.inputs
    dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"mode": mode, "n": n, "seconds": dt, "peak_mib": peak}))


def run_child(mode: str, dump: Path, db: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(dump), str(db)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--laws", type=int, default=12000)
    ap.add_argument("--articles", type=int, default=21)
    ap.add_argument("--child", nargs=3)
    a = ap.parse_args()
    if a.child:
        child(*a.child)
        return
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    dump, db = OUT / "ChLaw.json", OUT / "bench.duckdb"
    laws, arts = make_dump(dump, a.laws, a.articles)
    size = dump.stat().st_size
    print(f"dump: {laws} laws, {arts} articles, {size / 2**20:.1f} MiB")
    ing = run_child("ingest", dump, db)
    print(
        f"ingest: {ing['n']} articles in {ing['seconds']:.1f}s = {ing['n'] / ing['seconds']:,.0f} articles/s "
        f"(one process), peak RSS {ing['peak_mib']:.0f} MiB"
    )
    cl = run_child("clean", dump, db)
    print(f"hygiene clean(): {cl['n'] / cl['seconds'] / 1e6:.1f} MB/s on one core")
    hy = run_child("hygiene", dump, db)
    mb = size / 1e6
    print(
        f"curate run hygiene (1 worker, snapshot+datatrove+load): {hy['n']} records in {hy['seconds']:.1f}s "
        f"= {mb / hy['seconds']:.1f} MB/s of dump text, peak RSS {hy['peak_mib']:.0f} MiB"
    )


if __name__ == "__main__":
    main()
