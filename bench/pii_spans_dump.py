"""Dump the PII spans of fixed text sets to JSON, to diff two versions of the detector (a speed-up must change none).

Sets: the name-dense lines (``--pii-jsonl``, each line's "text"), every ``tests/pii/heldout_like*.txt`` (marks
removed), the dev set (``$CURATE_SHARED/eval-dev/pii_dev.jsonl``) and every string of the law fixtures under
``$CURATE_SHARED/fixtures/law_moj`` (JSON values and XML element texts). Each span is written as
``[start, end, entity_type, score, recognizer]``.

    PYTHONPATH=$PWD .venv/bin/python bench/pii_spans_dump.py OUT.json [--pii-jsonl LINES.jsonl]
    diff <(python -m json.tool OLD.json) <(python -m json.tool NEW.json)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CURATE_SHARED", ROOT.parent / "shared"))


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def law_texts() -> list[str]:
    from lxml import etree

    out: list[str] = []
    for p in sorted((SHARED / "fixtures" / "law_moj").rglob("*")):
        if p.suffix == ".json":
            try:
                out += _strings(json.loads(p.read_text(encoding="utf-8-sig", errors="replace")))
            except ValueError:
                out.append(p.read_text(encoding="utf-8-sig", errors="replace"))
        elif p.suffix == ".xml":
            root = etree.fromstring(p.read_bytes(), etree.XMLParser(recover=True))
            if root is not None:
                out += [t for t in root.itertext() if t.strip()]
    return out


def sets(pii_jsonl: str | None) -> dict[str, list[str]]:
    sys.path.insert(0, str(ROOT))
    from tests.helpers.marked_set import items

    out: dict[str, list[str]] = {}
    if pii_jsonl:
        out["pii_jsonl"] = [json.loads(line)["text"] for line in open(pii_jsonl, encoding="utf-8") if line.strip()]
    for p in sorted((ROOT / "tests" / "pii").glob("heldout_like*.txt")):
        out[p.name] = [t for t, _ in items(p)]
    dev = SHARED / "eval-dev" / "pii_dev.jsonl"
    out["pii_dev"] = [json.loads(line)["text"] for line in dev.read_text(encoding="utf-8").splitlines() if line]
    out["law_moj"] = law_texts()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--pii-jsonl", default=None, help='a JSONL file of {"text": ...} lines to add (optional)')
    args = ap.parse_args()
    from curate.pii.engine import PiiDetector

    det = PiiDetector()
    dump = {}
    for name, texts in sets(args.pii_jsonl).items():
        dump[name] = [
            [[s.start, s.end, s.entity_type, round(s.score, 6), s.source] for s in det.analyze(t)] for t in texts
        ]
        print(name, len(texts), "texts", sum(map(len, dump[name])), "spans", file=sys.stderr)
    Path(args.out).write_text(json.dumps(dump, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
