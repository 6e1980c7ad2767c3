"""GPU check for dedup, in one process: signatures/s on CUDA at scale, bit-identity, end to end.

Run on a machine with CUDA and torch (the `device` tool lends one to some tasks):

    python bench/gpu_dedup.py --docs 1000000 --end-to-end 200000 --out results.json

1. Builds the synthetic corpus of ``bench_dedup.py`` (~1,000-character law-sentence mixes, 25 % variants).
2. Normalises every key on the CPU (timed: it is the CPU share of the GPU path).
3. Signatures of all ``--docs`` documents on CUDA (batch 4,096 and the default 256), after a warm-up.
4. Signatures of the first ``--check`` documents on the CPU (numpy backend, one core): docs/s side by side
   and a bit-for-bit comparison with the CUDA rows.
5. End to end on the first ``--end-to-end`` documents: ``dedup_jsonl`` (sign + band + verify + survivors,
   the engine the ``dedup`` stage runs) with ``device=cpu`` and ``device=cuda``; the two output files
   must be byte-identical.

Prints one JSON line per step and writes them all to ``--out``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_dedup import make_corpus  # noqa: E402

RESULTS: list[dict] = []


def emit(out: Path, **row) -> None:
    RESULTS.append(row)
    print(json.dumps(row, ensure_ascii=False), flush=True)
    out.write_text(json.dumps(RESULTS, ensure_ascii=False, indent=1) + "\n")


def timed_signatures(hasher, cps, torch) -> tuple[float, object]:
    if hasher.device == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    sig, _ = hasher.signatures(cps)
    if hasher.device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - t0, sig


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--check", type=int, default=50_000, help="documents signed on the CPU for bit-identity")
    ap.add_argument("--end-to-end", type=int, default=200_000, help="documents deduplicated cpu vs cuda")
    ap.add_argument("--work", type=Path, default=Path("/tmp/gpu-dedup"))
    ap.add_argument("--out", type=Path, default=Path("gpu_dedup.json"))
    ap.add_argument("--device", default="cuda", help="cuda; cpu runs the torch backend on the CPU (to try the script)")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)

    import numpy as np
    import torch

    from curate.dedup.config import DedupConfig
    from curate.dedup.jsonl import dedup_jsonl
    from curate.dedup.keys import normalise_codepoints
    from curate.dedup.minhash import MinHasher

    emit(
        a.out,
        step="machine",
        gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        torch=torch.__version__,
        python=platform.python_version(),
        cpus=os.cpu_count(),
    )
    corpus = a.work / f"corpus-{a.docs}.jsonl"
    t0 = time.perf_counter()
    make_corpus(corpus, a.docs)
    texts = [json.loads(line)["text"] for line in corpus.open(encoding="utf-8")]
    emit(a.out, step="corpus", docs=len(texts), s=round(time.perf_counter() - t0, 1))

    t0 = time.perf_counter()
    cps = [normalise_codepoints(t) for t in texts]
    t_norm = time.perf_counter() - t0
    del texts
    mean_chars = sum(map(len, cps)) / len(cps)
    emit(a.out, step="normalise (CPU, 1 core)", docs=len(cps), s=round(t_norm, 1), docs_per_s=round(len(cps) / t_norm))

    sigs = {}
    for batch in (4096, 256):
        hasher = MinHasher(device=a.device, backend="torch", batch_size=batch)
        hasher.signatures(cps[:8192])  # warm-up: kernels, buffers
        s, sigs[batch] = timed_signatures(hasher, cps, torch)
        emit(
            a.out,
            step=f"signatures {a.device} batch {batch}",
            docs=len(cps),
            mean_key_chars=round(mean_chars),
            perms=hasher.num_perm,
            s=round(s, 2),
            docs_per_s=round(len(cps) / s),
            peak_gpu_mib=round(torch.cuda.max_memory_allocated() / 2**20) if a.device == "cuda" else None,
        )
    emit(a.out, step=f"{a.device} batch 4096 == batch 256", identical=bool(np.array_equal(sigs[4096], sigs[256])))

    check = cps[: a.check]
    cpu = MinHasher(device="cpu")
    s_cpu, sig_cpu = timed_signatures(cpu, check, torch)
    gpu = MinHasher(device=a.device, backend="torch", batch_size=4096)
    s_gpu, sig_gpu = timed_signatures(gpu, check, torch)
    emit(
        a.out,
        step=f"signatures cpu (numpy, 1 core) vs {a.device}, same documents",
        docs=len(check),
        cpu_docs_per_s=round(len(check) / s_cpu),
        accel_docs_per_s=round(len(check) / s_gpu),
        ratio=round(s_cpu / s_gpu, 1),
        bit_identical=bool(np.array_equal(sig_cpu, sig_gpu)),
        identical_to_full_run=bool(np.array_equal(sig_gpu, sigs[4096][: a.check])),
    )
    del cps, sigs

    if a.end_to_end:
        part = a.work / f"corpus-head-{a.end_to_end}.jsonl"
        with corpus.open(encoding="utf-8") as src, part.open("w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i == a.end_to_end:
                    break
                dst.write(line)
        digests, stats = {}, {}
        for device, backend, batch in ((a.device, "torch", 4096), ("cpu", "numpy", 256)):
            out = a.work / f"dedup-{device}-{backend}.jsonl"
            t0 = time.perf_counter()
            rep = dedup_jsonl(part, out, DedupConfig(device=device, backend=backend, batch_size=batch))
            wall = time.perf_counter() - t0
            digests[backend] = hashlib.sha256(out.read_bytes()).hexdigest()
            stats[backend] = wall
            emit(
                a.out,
                step=f"dedup_jsonl end to end, device {device} ({backend}, batch {batch})",
                docs=a.end_to_end,
                s=round(wall, 1),
                docs_per_s=round(a.end_to_end / wall),
                candidates=rep.stats.candidates,
                exact=rep.stats.exact_duplicates,
                near=rep.stats.near_duplicates,
                output_sha256=digests[backend][:16],
            )
        emit(
            a.out,
            step=f"end to end cpu (numpy) vs {a.device} (torch)",
            speedup=round(stats["numpy"] / stats["torch"], 2),
            byte_identical=digests["numpy"] == digests["torch"],
        )


if __name__ == "__main__":
    main()
