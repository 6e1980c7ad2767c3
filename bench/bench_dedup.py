"""Benchmark: curate dedup vs datatrove MinHash vs datasketch MinHashLSH, side by side, whole processes.

Every method runs as its own process on the same JSONL file; wall time and peak RSS (wait4) are
measured per process. Quality: the same three processes on the near-duplicate dev set, scored with
``shared/eval-dev/score.py`` (pairwise F1). Speed: a synthetic corpus of ~1,000-character documents
built from the dev set's law sentences (random sentence mixes + 25 % edited / Simplified /
header / whitespace variants of earlier documents).

    python bench/bench_dedup.py --docs 4000 --docs-large 20000 --scale 50000
    python bench/bench_dedup.py --device cuda --signatures-only --docs 200000

datatrove 0.10.1's MinHash needs ``xxhash<4`` and jieba (language ``cmn_Hani``); pass the Python of
an environment that has them with ``--datatrove-python`` (default: ``$DATATROVE_PYTHON`` or this one).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CURATE_SHARED", ROOT.parent / "shared"))
if not SHARED.exists():
    SHARED = Path("/work/shared")
DEV = SHARED / "eval-dev" / "neardup_dev.jsonl"
SCORE = SHARED / "eval-dev" / "score.py"


# --------------------------------------------------------------------------- corpus
def make_corpus(path: Path, n: int, seed: int = 0, length: int = 1000) -> None:
    """~``length``-char documents: random mixes of law sentences + 25 % variants of earlier ones."""
    import random

    import opencc

    rng = random.Random(seed)
    sents: list[str] = []
    for line in DEV.open(encoding="utf-8"):
        text = json.loads(line)["text"]
        sents += [s for s in re.split(r"(?<=[。；])", text) if len(s) > 8]
    sents = sorted(set(sents))
    tw2s = opencc.OpenCC("tw2s")
    docs: list[str] = []
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            if docs and rng.random() < 0.25:
                base = rng.choice(docs[-5000:])
                kind = rng.choice(["simplified", "edit", "header", "space"])
                if kind == "simplified":
                    text = tw2s.convert(base)
                elif kind == "edit":
                    chars = list(base)
                    for _ in range(max(1, len(chars) * rng.choice([1, 2, 3]) // 100)):
                        chars[rng.randrange(len(chars))] = rng.choice("的之法條款項銀行")
                    text = "".join(chars)
                elif kind == "header":
                    text = "（資料擷取日期：2024-10-04）\n" + base + "\n轉載自：法務部全國法規資料庫"
                else:
                    text = base.replace("。", "。 ").replace("\n", "\r\n")
            else:
                parts, size = [], 0
                while size < length:
                    s = rng.choice(sents)
                    parts.append(s)
                    size += len(s)
                text = "".join(parts)
                docs.append(text)
            fh.write(json.dumps({"id": f"b{i:07d}", "text": text}, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------- workers
def worker_curate(inp: Path, out: Path, device: str, threads: int) -> None:
    if device != "cpu" and threads:  # the CPU path (numpy backend) never imports torch
        import torch

        torch.set_num_threads(threads)
    from curate.dedup.config import DedupConfig
    from curate.dedup.jsonl import dedup_jsonl

    tmp = out.with_suffix(".full.jsonl")
    rep = dedup_jsonl(inp, tmp, DedupConfig(device=device))
    with tmp.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for line in src:
            r = json.loads(line)
            dst.write(json.dumps({"id": r["id"], "cluster": r["cluster"]}) + "\n")
    print(json.dumps({"candidates": rep.stats.candidates, "rejected": rep.stats.rejected}), file=sys.stderr)


def worker_datasketch(inp: Path, out: Path) -> None:
    """datasketch MinHashLSH: char 5-grams of the same normalised key, 128 perms, threshold 0.7."""
    from datasketch import MinHash, MinHashLSH

    from curate.dedup.keys import normalise

    lsh = MinHashLSH(threshold=0.7, num_perm=128)
    ids, sigs = [], []
    for line in inp.open(encoding="utf-8"):
        r = json.loads(line)
        t = normalise(r["text"])
        sh = {t[i : i + 5] for i in range(max(1, len(t) - 4))}
        m = MinHash(num_perm=128)
        m.update_batch([s.encode("utf-8") for s in sh])
        lsh.insert(r["id"], m)
        ids.append(r["id"])
        sigs.append(m)
    parent = {i: i for i in ids}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, m in zip(ids, sigs, strict=True):
        for j in lsh.query(m):
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    with out.open("w") as fh:
        for i in ids:
            fh.write(json.dumps({"id": i, "cluster": find(i)}) + "\n")


def worker_datatrove(inp: Path, out: Path, work: Path) -> None:
    """datatrove 0.10.1 MinHash: signatures -> buckets -> cluster -> filter (jieba via cmn_Hani)."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    cfg = MinhashConfig()  # defaults: word 5-grams, 14 x 8
    lang = "cmn_Hani"

    def reader():
        return JsonlReader(str(inp.parent), glob_pattern=inp.name, id_key="id", text_key="text")

    def run(pipeline, name, tasks=1):
        LocalPipelineExecutor(pipeline, tasks=tasks, workers=1, logging_dir=str(work / "logs" / name)).run()

    run([reader(), MinhashDedupSignature(str(work / "sigs"), config=cfg, language=lang)], "sig")
    run([MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=cfg)], "buckets", tasks=cfg.num_buckets)
    run([MinhashDedupCluster(str(work / "buckets"), str(work / "remove"), config=cfg, save_cluster_id=True)], "cluster")
    run(
        [
            reader(),
            MinhashDedupFilter(
                str(work / "remove"),
                load_cluster_ids=True,
                exclusion_writer=JsonlWriter(str(work / "removed"), compression=None),
            ),
            JsonlWriter(str(work / "kept"), compression=None),
        ],
        "filter",
    )
    with out.open("w") as fh:
        for f in sorted((work / "kept").glob("*.jsonl")) + sorted((work / "removed").glob("*.jsonl")):
            for line in f.open(encoding="utf-8"):
                r = json.loads(line)
                c = r["metadata"].get("minhash_cluster_id", -1)
                fh.write(json.dumps({"id": r["id"], "cluster": f"c{c}" if c != -1 else r["id"]}) + "\n")


# --------------------------------------------------------------------------- driver
def run_process(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run a whole process; (wall seconds, peak RSS MiB, CPU seconds user+sys)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"{cmd[3:5]} failed (rc {p.returncode}):\n{err[-3000:]}")
    return wall, ru.ru_maxrss / 1024, ru.ru_utime + ru.ru_stime


def score(pred: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, str(SCORE), "dedup", str(DEV), str(pred)], capture_output=True, text=True, check=True
    ).stdout
    return {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", out.strip().splitlines()[-1])}


def signatures_only(n: int, device: str, work: Path) -> None:
    import torch

    from curate.dedup.config import DedupConfig
    from curate.dedup.engine import make_hasher
    from curate.dedup.keys import normalise_codepoints

    corpus = work / f"corpus-{n}.jsonl"
    if not corpus.exists():
        make_corpus(corpus, n)
    texts = [json.loads(line)["text"] for line in corpus.open(encoding="utf-8")]
    t0 = time.perf_counter()
    cps = [normalise_codepoints(t) for t in texts]
    t_norm = time.perf_counter() - t0
    cfg = DedupConfig(device=device, batch_size=4096 if device == "cuda" else 256)
    hasher = make_hasher(cfg)
    hasher.signatures(cps[:2000])  # warm-up
    if hasher.device == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    hasher.signatures(cps)
    if hasher.device == "cuda":
        torch.cuda.synchronize()
    t_sig = time.perf_counter() - t0
    dev = torch.cuda.get_device_name(0) if hasher.device == "cuda" else f"cpu ({torch.get_num_threads()} threads)"
    print(
        f"signatures only on {dev}: {n} docs, mean {sum(map(len, cps)) / n:.0f} key chars, "
        f"{cfg.num_perm} perms: {n / t_sig:,.0f} docs/s (normalisation on CPU: {n / t_norm:,.0f} docs/s)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10000, help="documents in the side-by-side speed run")
    ap.add_argument(
        "--docs-large",
        type=int,
        default=0,
        help="also compare curate and datasketch (not datatrove: too slow) on this many documents",
    )
    ap.add_argument("--scale", type=int, default=0, help="also run curate alone on this many documents")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads for curate (0 = torch default)")
    ap.add_argument("--signatures-only", action="store_true", help="time the signature kernel only")
    ap.add_argument("--skip", action="append", default=[], choices=["datatrove", "datasketch"])
    ap.add_argument("--datatrove-python", default=os.environ.get("DATATROVE_PYTHON", sys.executable))
    ap.add_argument("--work", type=Path, default=ROOT / "bench-out" / "dedup")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker == "curate":
        return worker_curate(a.input, a.output, a.device, a.threads)
    if a.worker == "datasketch":
        return worker_datasketch(a.input, a.output)
    if a.worker == "datatrove":
        return worker_datatrove(a.input, a.output, a.output.parent / (a.output.stem + "-work"))
    a.work.mkdir(parents=True, exist_ok=True)
    if a.signatures_only:
        return signatures_only(a.docs, a.device, a.work)

    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    methods = [("curate", sys.executable, ["--device", a.device, "--threads", str(a.threads)])]
    if "datasketch" not in a.skip:
        methods.append(("datasketch", sys.executable, []))
    if "datatrove" not in a.skip:
        methods.append(("datatrove", a.datatrove_python, []))
    corpus = a.work / f"corpus-{a.docs}.jsonl"
    if not corpus.exists():
        make_corpus(corpus, a.docs)
    import shutil

    rows = []
    for name, py, extra in methods:
        res = {"method": name}
        for label, inp in (("dev", DEV), ("speed", corpus)):
            out = a.work / f"{name}-{label}.jsonl"
            shutil.rmtree(a.work / f"{name}-{label}-work", ignore_errors=True)
            cmd = [
                py,
                str(Path(__file__).resolve()),
                "--worker",
                name,
                "--input",
                str(inp),
                "--output",
                str(out),
                *extra,
            ]
            wall, rss, cpu = run_process(cmd, env)
            n = sum(1 for _ in inp.open(encoding="utf-8"))
            if label == "dev":
                res.update({f"dev_{k}": v for k, v in score(out).items()})
                res["dev_s"] = round(wall, 2)
            else:
                res.update(
                    {
                        "docs": n,
                        "wall_s": round(wall, 2),
                        "cpu_s": round(cpu, 2),
                        "docs_per_s": round(n / wall, 1),
                        "docs_per_cpu_s": round(n / cpu, 1),
                        "peak_rss_mib": round(rss),
                    }
                )
        rows.append(res)
        print(json.dumps(res), flush=True)
    base, base_cpu = rows[0]["docs_per_s"], rows[0]["docs_per_cpu_s"]
    for r in rows[1:]:
        print(
            f"curate vs {r['method']}: {base / r['docs_per_s']:.1f}x docs/s (wall), "
            f"{base_cpu / r['docs_per_cpu_s']:.1f}x docs per CPU-second; "
            f"dev F1 {rows[0]['dev_pair_f1']:.4f} vs {r['dev_pair_f1']:.4f}"
        )
    if a.docs_large:
        corpus = a.work / f"corpus-{a.docs_large}.jsonl"
        if not corpus.exists():
            make_corpus(corpus, a.docs_large)
        large = []
        for name, py, extra in methods:
            if name == "datatrove":
                continue
            out = a.work / f"{name}-large.jsonl"
            wall, rss, cpu = run_process(
                [
                    py,
                    str(Path(__file__).resolve()),
                    "--worker",
                    name,
                    "--input",
                    str(corpus),
                    "--output",
                    str(out),
                    *extra,
                ],
                env,
            )
            large.append(
                {
                    "method": name,
                    "docs": a.docs_large,
                    "wall_s": round(wall, 1),
                    "cpu_s": round(cpu, 1),
                    "docs_per_s": round(a.docs_large / wall, 1),
                    "docs_per_cpu_s": round(a.docs_large / cpu, 1),
                    "peak_rss_mib": round(rss),
                }
            )
            print(json.dumps(large[-1]), flush=True)
        for r in large[1:]:
            print(
                f"[{a.docs_large} docs] curate vs {r['method']}: "
                f"{large[0]['docs_per_s'] / r['docs_per_s']:.1f}x docs/s (wall), "
                f"{large[0]['docs_per_cpu_s'] / r['docs_per_cpu_s']:.1f}x docs per CPU-second"
            )
    if a.scale:
        corpus = a.work / f"corpus-{a.scale}.jsonl"
        if not corpus.exists():
            make_corpus(corpus, a.scale)
        out = a.work / f"curate-scale-{a.scale}.jsonl"
        wall, rss, cpu = run_process(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--worker",
                "curate",
                "--input",
                str(corpus),
                "--output",
                str(out),
                "--device",
                a.device,
                "--threads",
                str(a.threads),
            ],
            env,
        )
        print(
            json.dumps(
                {
                    "method": "curate-scale",
                    "docs": a.scale,
                    "wall_s": round(wall, 1),
                    "cpu_s": round(cpu, 1),
                    "docs_per_s": round(a.scale / wall, 1),
                    "docs_per_cpu_s": round(a.scale / cpu, 1),
                    "peak_rss_mib": round(rss),
                }
            )
        )


if __name__ == "__main__":
    main()
