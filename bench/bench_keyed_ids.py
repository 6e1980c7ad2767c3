"""Issue 13, leak 5: what keyed record ids and content digests cost an ingest of a pii_expected source.

Side by side in one process on the same generated input (the bench machine is shared, so compare the
ratio, not the seconds):

* **FSC** (``curate ingest fsc`` on a CSV of N sanction cases) and **MODA** (JSONL of N lines, ingested
  as a ``pii_expected`` source): the keyed path (HMAC-SHA256 of the plain id and digest, computed in
  Python per record) against the code path before issue 13 (ids and digests in DuckDB SQL), switched
  on by replacing ``curate.ingest.keyed_ids``. Everything else (the leak-4 identifier guard included)
  is the same in both columns.
* **MODA as a plain source** (not ``pii_expected``), for scale: what a law-like source pays.

One warm-up ingest first; each measurement ingests into a fresh catalogue, interleaved; best of ``--repeat``.

Usage: PYTHONPATH=$PWD python bench/bench_keyed_ids.py [--records 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("CURATE_PII_KEY", "be" * 32)


def _fsc_csv(path: Path, n: int) -> None:
    lines = ["發文日期,受處分人,主旨,違反事實理由,法令依據,裁罰及處分結果"]
    for i in range(n):
        lines.append(
            f"114/06/{1 + i % 28:02d},第{i}號保險代理人股份有限公司,核處罰鍰 案號{i},"
            f'"該公司業務員於{i % 12 + 1}月間未依規定辦理招攬，情節重大，案號{i}。",保險法第167條之2,新臺幣{(i % 50 + 1) * 10}萬元'
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _moda_jsonl(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = f"第{i}件申訴：客戶表示於{i % 12 + 1}月間接獲催收電話，要求說明帳務明細並更正紀錄。" * 3
            fh.write(json.dumps({"id": f"c{i}", "text": text}, ensure_ascii=False) + "\n")


def _keyed_columns_cost(moda: Path, repeat: int) -> float:
    """Microseconds per record of the keyed columns alone (``keyed_columns``: HMAC of id and digest)."""
    from curate.ingest_rows import keyed_columns
    from curate.pii.keyed_ids import KeyedIds
    from curate.pii.keys import load_key
    from sources.base import Record

    recs = []
    for line in moda.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        recs.append(('{"dataset":"x"}', Record(f"moda:id={d['id']}", f"moda.jsonl#id={d['id']}", d["text"], "moda")))
    keyed = KeyedIds(load_key())
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        keyed_columns(keyed, recs, {"moda"})
        best = min(best, time.perf_counter() - t0)
    return best / len(recs) * 1e6


def _ingest(db: Path, source) -> float:
    from curate.ingest import ingest

    t0 = time.perf_counter()
    rep = ingest(db, source)
    dt = time.perf_counter() - t0
    assert rep.records_new > 0, rep
    return dt


def _best(fn, repeat: int) -> float:
    return min(fn(k) for k in range(repeat))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import curate.ingest as ing
    from sources.fsc import FscSource
    from sources.moda import ModaSource

    class PiiModa(ModaSource):
        pii_expected = True

    keyed_ids = ing.keyed_ids
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        fsc_dir = t / "fsc"
        fsc_dir.mkdir()
        _fsc_csv(fsc_dir / "cases.csv", args.records)
        moda = t / "moda.jsonl"
        _moda_jsonl(moda, args.records)

        def timed(make_source, keyed: bool):
            def run(k: int) -> float:
                ing.keyed_ids = keyed_ids if keyed else (lambda *a: None)
                try:
                    return _ingest(t / f"{id(make_source)}-{keyed}-{k}.duckdb", make_source())
                finally:
                    ing.keyed_ids = keyed_ids

            return run

        def fsc_src():
            return FscSource([fsc_dir])

        def pii_moda():
            return PiiModa([moda], licence="OGDL-Taiwan-1.0")

        def plain_moda():
            return ModaSource([moda], licence="OGDL-Taiwan-1.0")

        timed(fsc_src, True)(-1)  # warm-up: detectors, imports
        for label, plain_fn, keyed_fn in (
            ("FSC CSV", timed(fsc_src, False), timed(fsc_src, True)),
            ("MODA JSONL, pii_expected", timed(pii_moda, False), timed(pii_moda, True)),
        ):
            # interleaved so that machine load hits both alike
            plain, keyed = [], []
            for k in range(args.repeat):
                plain.append(plain_fn(k))
                keyed.append(keyed_fn(k))
            rows.append((label, min(plain), min(keyed)))
        plain_only = min(timed(plain_moda, False)(k) for k in range(args.repeat))
        hmac_us = _keyed_columns_cost(moda, args.repeat)

    n = args.records
    print(f"records per ingest: {n:,}; best of {args.repeat}")
    print("| ingest | plain sha256 ids (s) | keyed HMAC ids (s) | keyed / plain | records/s keyed |")
    print("|---|---:|---:|---:|---:|")
    for label, p, k in rows:
        print(f"| {label} | {p:.2f} | {k:.2f} | {k / p:.2f}× | {n / k:,.0f} |")
    print(f"| MODA JSONL, plain source (not pii_expected) | {plain_only:.2f} | – | – | – |")
    print(f"keyed id + digest alone (HMAC-SHA256 x2 per record, in Python): {hmac_us:.1f} µs per record")


if __name__ == "__main__":
    main()
