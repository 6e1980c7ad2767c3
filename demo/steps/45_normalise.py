"""Demo step: Simplified -> Taiwan Traditional on a user file (the catalogue was normalised by the pipeline)."""

from __future__ import annotations


def run(ctx) -> None:
    sample = ctx.sample / "zh" / "mixed.jsonl"
    out = ctx.out / "zh_converted.jsonl"
    ctx.curate("--quiet", "zh", "convert", "--input", str(sample), "--output", str(out))
    for line in out.read_text(encoding="utf-8").splitlines():
        print("  " + line[:160])
    ctx.notes.append(f"curate zh convert --input {sample} --output out.jsonl --config s2tw")
    ctx.notes.append(
        "curate sql \"SELECT action, count(*) FROM provenance_events WHERE stage = 'normalise' GROUP BY ALL\""
    )
