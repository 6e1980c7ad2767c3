"""Demo: exact + near-duplicate removal, standalone on a JSONL file and as a catalogue stage."""

from __future__ import annotations

import json


def run(ctx) -> None:
    sample = ctx.sample / "dedup" / "articles.jsonl"
    out = ctx.out / "dedup_decisions.jsonl"
    # one line of the sample is deliberately broken: reported, counted, exit code 3
    ctx.curate("dedup", "--input", str(sample), "--output", str(out), ok_codes=(3,))
    for line in out.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        mark = (
            "keep"
            if r["survivor"]
            else f"duplicate of {r['duplicate_of']} ({r['match']}, rule {r['rule']}, J={r['jaccard']})"
        )
        print(f"  {r['id']:<22} {mark}")
    # the stage ran over the catalogue in the pipeline; what it decided:
    ctx.curate("sql", "SELECT status, count(*) AS n FROM records GROUP BY status ORDER BY status")
    ctx.notes.append(f"curate dedup --input {sample} --output /tmp/d.jsonl --set threshold=0.8")
    ctx.notes.append(
        "curate sql \"SELECT record_id, detail->>'survivor' AS survivor, detail->>'rule' AS rule "
        "FROM provenance_events WHERE action = 'duplicate_of'\""
    )
