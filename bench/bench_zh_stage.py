"""`curate run normalise` (the whole stage) vs bare OpenCC s2twp on the same fully Simplified records.

    CURATE_SHARED=../shared PYTHONPATH=. python bench/bench_zh_stage.py [--mb 0.3] [--repeat 2]

For each corpus (docs-simp: ~2 KB Simplified documents; sentences: one Simplified sentence per record) a fresh
catalogue is built (ingest, not timed), then timed side by side, interleaved:

* ``opencc``: ``OpenCC("s2twp").convert`` over every record's text, in-process (CPU seconds, and wall
  seconds for the ``run`` ratio);
* ``worker``: the stage's own work in-process, in CPU seconds: ``NormaliseStage.process_batch`` on the
  records in the stage's batches (``batch_size`` records, ``batch_chars`` characters) and the rank's results
  table (``runner._results_to_table``, the JSON the ledger gets);
* ``run``: ``run_stage(db, normalise, workers=1)`` on a copy of the catalogue, wall seconds (DuckDB uses
  threads): snapshot, datatrove, the load with its ledger rows (hash chain) and new versions.

Records either passed PII (``pii_state`` clean: edits with their text) or not (NULL: offsets and lengths only).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_zh import DEFAULT_DEV, corpus  # noqa: E402


def _source(texts: list[str]):
    from sources.base import RawItem, Record, Source, SourceInfo

    class BenchSource(Source):
        name = "bench_zh"
        licence_id = "CC-BY-4.0"

        def source_infos(self) -> list[SourceInfo]:
            return [SourceInfo("bench_zh", kind="bench", licence_id=self.licence_id)]

        def iter_raw(self) -> Iterator[RawItem]:
            for i, t in enumerate(texts):
                yield RawItem(locator=str(i), payload=t)

        def to_records(self, raw: RawItem):
            yield Record(
                doc_key=f"bench/{raw.locator}",
                locator=raw.locator,
                text=raw.payload,
                source_id="bench_zh",
                licence_id=self.licence_id,
            )

    return BenchSource([])


def build(db_path: Path, texts: list[str], pii_state: str | None) -> None:
    from curate.ingest import ingest
    from provenance import db
    from sources.base import ErrorPolicy

    ingest(db_path, _source(texts), on_error=ErrorPolicy.RAISE)
    if pii_state:
        con = db.connect(db_path)
        con.execute("UPDATE records SET pii_state = $s", {"s": pii_state})
        con.close()


def worker(texts: list[str], pii_state: str | None) -> float:
    """CPU seconds of the stage's own work on ``texts`` in this process."""
    from datatrove.data import Document

    from curate.runner import _results_to_table
    from curate.stages.normalise import NormaliseStage

    stage = NormaliseStage()
    docs = [
        Document(text=t, id=f"r{i}", metadata={"source_id": "bench_zh", "pii_state": pii_state})
        for i, t in enumerate(texts)
    ]
    batches: list[list[Document]] = [[]]
    chars = 0
    for d in docs:  # as Stage.run cuts its input
        batches[-1].append(d)
        chars += len(d.text)
        if len(batches[-1]) >= stage.batch_size or (stage.batch_chars is not None and chars >= stage.batch_chars):
            batches.append([])
            chars = 0
    t0 = time.process_time()
    results = []
    for b in batches:
        if b:
            results.extend(stage.process_batch(b))
    _results_to_table(results, stage.name, 0)
    return time.process_time() - t0


def run(db_src: Path, tmp: Path, i: int) -> float:
    from curate.runner import make_stage, run_stage

    db_path = tmp / f"run{i}.duckdb"
    shutil.copy(db_src, db_path)
    t0 = time.perf_counter()
    report = run_stage(db_path, make_stage("normalise"), workers=1)
    took = time.perf_counter() - t0
    assert report.status == "finished", report
    return took


def bare(texts: list[str], clock=time.process_time) -> float:
    import opencc

    conv = opencc.OpenCC("s2twp").convert
    t0 = clock()
    for t in texts:
        conv(t)
    return clock() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=0.3)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    ap.add_argument("--no-run", action="store_true", help="skip the whole-run measurement")
    args = ap.parse_args()
    os.environ.setdefault("CURATE_PII_KEY", "5c" * 32)  # a fixed benchmark key (never a real one)
    rows = [json.loads(x) for x in args.dev.read_text(encoding="utf-8").split("\n") if x.strip()]
    simp = {"simplified_to_tw"}
    from curate.zh import normalise

    normalise("预热")
    print(
        f"# load average {os.getloadavg()[0]:.2f}; median (range) of {args.repeat} repeats; worker: CPU seconds,"
        " run: wall seconds"
    )
    print(f"{'corpus':<11}{'pii':>6}{'records':>9}{'MB':>6}{'opencc MB/s':>13}{'worker ratio':>20}{'run ratio':>22}")
    for name, doc in (("docs-simp", 2000), ("sentences", 0)):
        texts = corpus(rows, simp, args.mb, doc)
        mb = sum(len(t.encode()) for t in texts) / 1e6
        for pii in ("clean", None):
            with tempfile.TemporaryDirectory() as d:
                tmp = Path(d)
                src = tmp / "src.duckdb"
                if not args.no_run:
                    build(src, texts, pii)
                tb, tbw, tw, tr = [], [], [], []
                for i in range(args.repeat):
                    tb.append(bare(texts))
                    tw.append(worker(texts, pii))
                    if not args.no_run:
                        tbw.append(bare(texts, time.perf_counter))
                        tr.append(run(src, tmp, i))
                wr = sorted(b / w for b, w in zip(tb, tw, strict=True))
                rr = sorted(b / r for b, r in zip(tbw, tr, strict=True)) or [float("nan")]
                print(
                    f"{name:<11}{pii or 'NULL':>6}{len(texts):>9}{mb:>6.2f}{mb / statistics.median(tb):>13.2f}"
                    f"{statistics.median(wr):>8.2f} ({wr[0]:.2f}-{wr[-1]:.2f})"
                    f"{statistics.median(rr):>9.3f} ({rr[0]:.3f}-{rr[-1]:.3f})"
                )
    print(f"# load average after: {os.getloadavg()[0]:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
