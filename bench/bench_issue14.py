"""Benchmark (issue 14): terms-only corrections, the per-source dedup policy, JSON vs XML law versions.

Usage: PYTHONPATH=. python bench/bench_issue14.py [--files 120] [--repeat 3]

1. Licence-terms correction of a textbook manifest of FILES DOCX files: first ingest (extraction),
   re-ingest after correcting every row's terms (new versions without re-extraction,
   ``curate.ingest_terms``), the same correction forced through extraction (stored versions without
   ``file_sha256``, as in catalogues from before this change), and an unchanged re-ingest.
2. Dedup clustering of every article of the real law fixtures plus textbook copies, with the
   per-document policy for law_moj and without it (``per_document=()``): time and outcome.
3. JSON then FalVMingLing XML of the same law versions: new versions (must be 0) and ingest time.

Prints figures; side-by-side ratios matter on a shared machine, not absolute times.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "sources"))

from curate.dedup.config import DedupConfig  # noqa: E402
from curate.dedup.engine import DedupDoc, dedup_texts  # noqa: E402
from curate.ingest import ingest  # noqa: E402
from provenance import db  # noqa: E402
from sources.base import ErrorPolicy, RawItem, Record  # noqa: E402
from sources.law_moj import LawMojSource  # noqa: E402
from sources.textbooks import TextbooksSource  # noqa: E402

SHARED = Path(os.environ.get("CURATE_SHARED", ROOT.parent / "shared")) / "fixtures" / "law_moj"
COLUMNS = ["path", "title", "licensor", "licence_id", "agreement_id", "audience", "purposes", "attribution"]
PARA = "銀行辦理授信應注意借款人之信用狀況、資金用途、還款來源、債權保障及未來展望，並留存徵信紀錄。"


def _manifest(folder: Path, n: int, attribution: str) -> Path:
    path = folder / "manifest.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for i in range(n):
            w.writerow(
                [f"book{i:04d}.docx", f"教材{i}", "金融出版社", "LicenseRef-Written-Agreement", "PUB-1", "consortium",
                 "training;evaluation", attribution]
            )  # fmt: skip
    return path


def _timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t, out


def bench_terms(files: int, repeat: int) -> dict:
    import builders

    runs: dict[str, list[float]] = {"first": [], "terms_reuse": [], "terms_extract": [], "unchanged": []}
    versions = {}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp) / "books"
            d.mkdir()
            for i in range(files):
                blocks = [("h1", f"第{i}章 授信")] + [("p", f"{PARA}（{i}-{j}）") for j in range(20)]
                builders.make_docx(d / f"book{i:04d}.docx", blocks)
            cat = Path(tmp) / "c.duckdb"
            m = _manifest(d, files, "")
            t, rep = _timed(ingest, cat, TextbooksSource([m]), on_error=ErrorPolicy.RAISE)
            runs["first"].append(t)
            versions["records"] = rep.records_new
            _manifest(d, files, "© 金融出版社")
            t, rep = _timed(ingest, cat, TextbooksSource([m]), on_error=ErrorPolicy.RAISE)
            runs["terms_reuse"].append(t)
            versions["terms_reuse"] = rep.terms_changed
            t, rep = _timed(ingest, cat, TextbooksSource([m]), on_error=ErrorPolicy.RAISE)
            runs["unchanged"].append(t)
            versions["unchanged_new"] = rep.versions_new
            # the same correction where the stored versions predate file_sha256: extraction path
            con = db.connect(cat)
            con.execute("UPDATE records SET metadata = json_merge_patch(metadata, '{\"file_sha256\": null}')")
            con.close()
            _manifest(d, files, "© 金融出版社 2025")
            t, rep = _timed(ingest, cat, TextbooksSource([m]), on_error=ErrorPolicy.RAISE)
            runs["terms_extract"].append(t)
            versions["terms_extract"] = rep.terms_changed
    med = {k: statistics.median(v) for k, v in runs.items()}
    return {"files": files, "median_s": med, "versions": versions}


def _law_docs() -> list[DedupDoc]:
    src = LawMojSource(sorted((SHARED / "chlaw_json" / "ch").glob("*.json")), scope="all")
    docs = []
    for raw in src.iter_raw():
        if isinstance(raw, RawItem):
            for r in src.to_records(raw):
                if isinstance(r, Record) and r.text.strip() != "（刪除）":
                    docs.append(DedupDoc(r.locator, r.text, "law_moj", document=r.container))
    # a textbook quoting every 20th article with a short remark
    docs += [DedupDoc(f"book/{d.id}", d.text + "（引自法規）", "textbooks", document="book") for d in docs[::20]]
    return docs


def bench_dedup(repeat: int) -> dict:
    docs = _law_docs()
    out = {"documents": len(docs)}
    for name, cfg in (
        ("per_document", DedupConfig(device="cpu")),
        ("global", DedupConfig(device="cpu", per_document=())),
    ):
        times, verdicts = [], []
        for _ in range(repeat):
            t, verdicts = _timed(dedup_texts, docs, cfg)
            times.append(t)
        removed = [v for v in verdicts if not v.survivor]
        out[name] = {
            "median_s": statistics.median(times),
            "removed_law": sum(1 for v in removed if not v.id.startswith("book/")),
            "removed_textbook": sum(1 for v in removed if v.id.startswith("book/")),
            "near_links": sum(1 for v in verdicts if v.near_duplicate_of),
        }
    return out


def bench_formats(repeat: int) -> dict:
    pairs = [
        (SHARED / "chlaw_json/ch/G0380001.json", SHARED / "falvmingling_xml/ch/G0380001.xml"),
        (
            SHARED / "history/G0380131/chlaw_json/G0380131_20240731.json",
            SHARED / "history/G0380131/falvmingling_xml/G0380131_20240731.xml",
        ),
    ]
    t_json, t_xml, new = [], [], 0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            cat = Path(tmp) / "c.duckdb"
            t, _ = _timed(ingest, cat, LawMojSource([p[0] for p in pairs], scope="all"))
            t_json.append(t)
            t, rep = _timed(ingest, cat, LawMojSource([p[1] for p in pairs], scope="all"))
            t_xml.append(t)
            new = rep.versions_new + rep.records_new
    return {"json_s": statistics.median(t_json), "xml_after_json_s": statistics.median(t_xml), "new_versions": new}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=120)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    res = {"terms": bench_terms(a.files, a.repeat), "dedup": bench_dedup(a.repeat), "formats": bench_formats(a.repeat)}
    print(json.dumps(res, indent=2, ensure_ascii=False))
    t = res["terms"]["median_s"]
    print(
        f"terms correction: {res['terms']['files']} files, first ingest {t['first']:.2f}s, terms-only re-ingest"
        f" {t['terms_reuse']:.2f}s ({t['first'] / t['terms_reuse']:.1f}x faster), via extraction"
        f" {t['terms_extract']:.2f}s, unchanged {t['unchanged']:.2f}s"
    )
    d = res["dedup"]
    print(
        f"dedup {d['documents']} docs: per-document {d['per_document']['median_s']:.2f}s vs global"
        f" {d['global']['median_s']:.2f}s (ratio {d['per_document']['median_s'] / d['global']['median_s']:.2f});"
        f" law articles removed {d['per_document']['removed_law']} vs {d['global']['removed_law']}"
    )


if __name__ == "__main__":
    main()
