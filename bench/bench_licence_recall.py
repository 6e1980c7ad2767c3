"""What the licence recall costs `curate audit licences` / `audit exports`: past exports the current licence rules
refuse records of (:func:`provenance.licence_recall.licence_refused`).

Builds a catalogue of N records under CC-BY-4.0, exported for training/consortium once with ``--commercial`` and
(with ``--exports 2``) once with ``--non-commercial``, then a correction of half of them to CC-BY-NC-4.0 (new
versions, the exported ones superseded, as ``ingest moda --licence`` leaves them). Times the recall on a read-only
connection beside `audit withdrawn`'s query (the withdrawal recall) on the same catalogue, and checks the figures:
N/2 records named in the commercial export, none in the other.

    python bench/bench_licence_recall.py [N ...] [--exports 1|2]     # default 10000 100000, 2 exports
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "helpers"))

import catalogue_builder  # noqa: E402

from provenance import db  # noqa: E402
from provenance.audit import exports_report, withdrawn_report  # noqa: E402
from provenance.licence_recall import licence_refused  # noqa: E402

_EXPORT = (
    "INSERT INTO exports (export_seq, export_id, created_at, purpose, audience, commercial, as_of, format, out_dir,"
    " state_hash, manifest_sha256, records, blocked) VALUES (?, ?, now(), 'training', 'consortium', ?,"
    " current_date, 'parquet', ?, 'x', 'x', ?, 0)"
)


def build(path: Path, n: int, exports: int) -> None:
    con = db.connect(path)
    catalogue_builder.add_source(con, "open", licence_id="CC-BY-4.0", title="t", origin="bench")
    rows = [
        {
            "source_id": "open",
            "locator": f"a{i}",
            "text": f"第{i}條 銀行應依規定辦理存款業務，並保障存款人權益。" * 8,
            "licence_id": "CC-BY-4.0",
            "pii_state": "clean",
        }
        for i in range(n)
    ]
    catalogue_builder.add_records(con, rows)
    for k, commercial in enumerate((True, False)[:exports]):
        eid = f"bench{k}"
        con.execute(_EXPORT, [10**9 + k, eid, commercial, f"/out/{eid}", n])
        con.execute("INSERT INTO export_items SELECT ?, record_id, content_sha256, licence_id FROM records", [eid])
    # the correction: half the documents re-licensed as new versions, the exported ones superseded
    con.execute("CREATE TEMP TABLE corrected AS SELECT record_id FROM records WHERE hash(record_id) % 2 = 0")
    con.execute(
        "INSERT INTO records BY NAME SELECT * REPLACE (sha256(record_id || 'relicensed') AS record_id,"
        " record_id AS version_of, 'CC-BY-NC-4.0' AS licence_id, 'ingest' AS stage)"
        " FROM records WHERE record_id IN (SELECT record_id FROM corrected)"
    )
    con.execute("UPDATE records SET status = 'superseded' WHERE record_id IN (SELECT record_id FROM corrected)")
    con.close()


def best(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main(sizes: list[int], exports: int) -> None:
    print(f"exports: {exports} (each holding every record)")
    print(
        "| exported records | named | withdrawal recall (audit withdrawn) | licence recall | audit exports | Python peak (recall) |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "c.duckdb"
            build(path, n, exports)
            con = db.connect_readonly(path)
            old, _ = best(lambda con=con: withdrawn_report(con))
            new, found = best(lambda con=con: licence_refused(con))
            listed, _ = best(lambda con=con: exports_report(con))
            tracemalloc.start()
            licence_refused(con)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            con.close()
            named = {e["export_id"]: e["refused_records"] for e in found}
            assert set(named) == {"bench0"} and abs(named["bench0"] - n / 2) < n / 10, named
            print(
                f"| {n:,} | {named['bench0']:,} | {old * 1000:.0f} ms | {new * 1000:.0f} ms | {listed * 1000:.0f} ms"
                f" | {peak:.0f} MB |"
            )


if __name__ == "__main__":
    args = sys.argv[1:]
    n_exports = 2
    if "--exports" in args:
        i = args.index("--exports")
        n_exports = int(args[i + 1])
        del args[i : i + 2]
    main([int(a) for a in args] or [10_000, 100_000], n_exports)
