"""What the licence gate adds to every `curate annotate push`/`pull`: finding the tasks to take out of Label Studio.

Before, a push or pull looked up the tasks of withdrawn records only (one SQL statement); now it also runs the
licence and hold gates (:mod:`annotation.eligibility`) on every live task's current version
(:func:`annotation.retract._refused_tasks`). Builds a catalogue of N records with a task each (no Label Studio
needed: the lookup reads the catalogue alone), half under a written agreement, and times both side by side.

    python bench/bench_retract.py [N ...]      # default 10000 100000
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "helpers"))

import catalogue_builder  # noqa: E402

from annotation.retract import _refused_tasks  # noqa: E402
from provenance import db  # noqa: E402

OLD = (
    "SELECT t.record_id, t.ls_task_id FROM annotation_tasks t JOIN records r USING (record_id)"
    " WHERE t.instance = ? AND t.bank = ? AND t.project = ? AND t.ls_project_id = ? AND t.retracted_at IS NULL"
    " AND r.status = 'withdrawn' ORDER BY t.ls_task_id"
)
TERMS = {
    "agreement_id": "A1",
    "licensor": "TABF",
    "audience": "consortium",
    "purposes": ["training"],
    "expiry": "2099-12-31",
    "attribution": "台灣金融研訓院 授權使用",
}
WHERE = ["bench", "CTBC", "topic", 1]


def build(path: Path, n: int) -> None:
    con = db.connect(path)
    catalogue_builder.add_source(con, "open", licence_id="CC-BY-4.0", title="t", origin="bench")
    catalogue_builder.add_source(
        con,
        "agr",
        licence_id="LicenseRef-Written-Agreement",
        title="t",
        origin="bench",
        metadata={"licence_terms": TERMS},
    )
    rows = [
        {
            "source_id": "agr" if i % 2 else "open",
            "locator": f"a{i}",
            "text": f"第{i}條 銀行應依規定辦理存款業務。",
            "licence_id": "LicenseRef-Written-Agreement" if i % 2 else "CC-BY-4.0",
            "pii_state": "scrubbed",
        }
        for i in range(n)
    ]
    catalogue_builder.add_records(con, rows)
    con.execute(
        "INSERT INTO annotation_tasks (record_id, doc_key, bank, project, instance, ls_project_id, ls_task_id,"
        " pushed_at) SELECT record_id, doc_key, 'CTBC', 'topic', 'bench', 1, row_number() OVER (), now()"
        " FROM records"
    )
    con.close()


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(sizes: list[int]) -> None:
    print("| tasks | withdrawn only (before) | withdrawn + licence and hold gates (now) | ratio |")
    print("| --- | --- | --- | --- |")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "c.duckdb"
            build(path, n)
            con = db.connect(path)
            old = best(lambda con=con: con.execute(OLD, WHERE).fetchall())
            new = best(lambda con=con: _refused_tasks(con, *WHERE))
            assert _refused_tasks(con, *WHERE) == ([], [])  # every task still allowed, none taken out
            con.close()
            print(f"| {n:,} | {old * 1000:.1f} ms | {new * 1000:.1f} ms | {new / old:.1f}x |")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
