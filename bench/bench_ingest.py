"""Benchmark of the ingest sources: document pages/s and corpus MB/s per core, peak memory.

Each measurement runs in a fresh single-threaded subprocess (one core), so peak RSS
(``ru_maxrss``) belongs to that measurement alone. Corpus sizes are doubled to show that peak
memory does not grow with the corpus (streaming). Targets (issue 4): text PDFs and DOCX >= 20
pages/s per core; JSONL/Parquet >= 30 MB/s per core.

Usage: ``python bench/bench_ingest.py [--small]`` (``--small``: quick smoke sizes).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "sources")]

SENTENCE = "本行應依洗錢防制法之規定，建立內部控制與稽核制度，並定期檢討客戶審查程序與交易監控。"


def _env() -> dict[str, str]:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        OMP_NUM_THREADS="1",
        RAYON_NUM_THREADS="1",
        HF_DATASETS_OFFLINE="1",
        ARROW_NUM_THREADS="1",
    )
    return env


def make_inputs(work: Path, pages: int, corpus_mb: list[int]) -> dict[str, Path]:
    import builders

    out: dict[str, Path] = {}
    lines = [SENTENCE[:24], SENTENCE[24:]] * 15
    page_list = [[f"第{p + 1}頁"] + lines for p in range(pages)]
    out["pdf"] = builders.make_pdf(work / "bench.pdf", page_list, header="台灣金融研訓院　講義", page_numbers=True)
    blocks: list[tuple[str, str]] = []
    for _ in range(pages):
        blocks += [("p", SENTENCE)] * 12 + [("pagebreak", "")]
    out["docx"] = builders.make_docx(work / "bench.docx", blocks[:-1])
    import pyarrow as pa
    import pyarrow.parquet as pq

    for mb in corpus_mb:
        path = work / f"corpus_{mb}mb.jsonl"
        row_n = 0
        with path.open("w", encoding="utf-8") as fh:
            while fh.tell() < mb * 1024 * 1024:
                text = (SENTENCE * 70)[: 300 + (row_n * 397) % 2700]  # 300..3000 chars
                fh.write(
                    json.dumps(
                        {
                            "id": f"r{row_n}",
                            "title": f"文件{row_n}",
                            "text": text,
                            "來源網站": f"[https://example.gov.tw/{row_n}]",
                            "agency": "數位發展部",
                            "tokens": len(text),
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
                row_n += 1
        out[f"jsonl_{mb}"] = path
        # same rows as Parquet, written in row groups (streamed, never one table in memory)
        ppath = work / f"corpus_{mb}mb.parquet"
        writer = None
        batch: list[dict] = []
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                batch.append(json.loads(line))
                if len(batch) == 2_000:  # row groups of 2,000 rows
                    t = pa.Table.from_pylist(batch)
                    writer = writer or pq.ParquetWriter(ppath, t.schema)
                    writer.write_table(t)
                    batch = []
        if batch:
            t = pa.Table.from_pylist(batch)
            writer = writer or pq.ParquetWriter(ppath, t.schema)
            writer.write_table(t)
        writer.close()
        out[f"parquet_{mb}"] = ppath
    return out


def measure(kind: str, path: str) -> dict:
    """Runs inside the subprocess: time one extraction / corpus pass."""
    from sources.documents import extract

    t0 = time.perf_counter()
    if kind in ("pdf", "docx"):
        doc = extract(Path(path))
        dt = time.perf_counter() - t0
        return {
            "kind": kind,
            "pages": doc.pages,
            "seconds": dt,
            "pages_per_s": doc.pages / dt,
            "segments": len(doc.segments),
            "maxrss_mb": _maxrss(),
        }
    from sources.base import RawItem, Record
    from sources.moda import ModaSource

    src = ModaSource([path], licence="OGDL-Taiwan-1.0", batch_size=2000)
    n = chars = 0
    first = None
    for item in src.iter_raw():
        if first is None:
            first = time.perf_counter() - t0
        if isinstance(item, RawItem):
            for rec in src.to_records(item):
                if isinstance(rec, Record):
                    n += 1
                    chars += len(rec.text)
    dt = time.perf_counter() - t0
    # MB of corpus = the JSONL form of the same rows (Parquet files are compressed)
    size = Path(path).with_suffix(".jsonl").stat().st_size / 1e6
    return {
        "kind": kind,
        "mb": round(size, 1),
        "file_mb": round(Path(path).stat().st_size / 1e6, 1),
        "records": n,
        "seconds": dt,
        "mb_per_s": size / dt,
        "startup_s": first,
        "steady_mb_per_s": size / (dt - first),
        "maxrss_mb": _maxrss(),
    }


def _maxrss() -> float:
    """Peak RSS of this process image in MB (VmHWM; ru_maxrss would include the parent before exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_sub(kind: str, path: Path) -> dict:
    cmd = [sys.executable, __file__, "--measure", kind, str(path)]
    out = subprocess.run(cmd, env=_env(), capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) >= 4 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3])))
        return
    small = "--small" in sys.argv
    pages = 20 if small else 120
    sizes = [2, 4] if small else [16, 48]
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        inputs = make_inputs(work, pages, sizes)
        print(
            f"inputs built in {time.perf_counter() - t0:.1f}s: PDF/DOCX {pages} pages; corpus {sizes} MB "
            f"(JSONL; Parquet of the same rows is {[round(inputs[f'parquet_{m}'].stat().st_size / 1e6, 1) for m in sizes]} MB)"
        )
        print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; each line one single-threaded process")
        for kind in ("pdf", "docx"):
            r = run_sub(kind, inputs[kind])
            ok = "meets" if r["pages_per_s"] >= 20 else "MISSES"
            print(
                f"{kind:8s} {r['pages']:5d} pages  {r['seconds']:6.2f}s  {r['pages_per_s']:7.1f} pages/s/core "
                f"({ok} >= 20)  peak RSS {r['maxrss_mb']:.0f} MB"
            )
        for fmt in ("jsonl", "parquet"):
            rss = []
            for mb in sizes:
                r = run_sub(fmt, inputs[f"{fmt}_{mb}"])
                rss.append(r["maxrss_mb"])
                ok = "meets" if r["steady_mb_per_s"] >= 30 else "MISSES"
                print(
                    f"{fmt:8s} {r['mb']:6.1f} MB ({r['file_mb']:5.1f} MB file) {r['records']:7d} rows  "
                    f"{r['seconds']:6.2f}s (startup {r['startup_s']:.2f}s)  {r['mb_per_s']:6.1f} MB/s/core overall, "
                    f"{r['steady_mb_per_s']:6.1f} after startup ({ok} >= 30)  peak RSS {r['maxrss_mb']:.0f} MB"
                )
            print(
                f"{fmt:8s} peak RSS ratio {sizes[-1]}MB/{sizes[0]}MB corpus: {rss[-1] / rss[0]:.2f} "
                f"(input ratio {sizes[-1] / sizes[0]:.1f})"
            )


if __name__ == "__main__":
    main()
