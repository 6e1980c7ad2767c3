"""PII: detect and scrub a user's JSONL file (the PII stage on the catalogue ran in the pipeline)."""

from __future__ import annotations


def run(ctx) -> None:
    src = ctx.sample / "pii" / "customers.jsonl"
    ctx.curate(
        "-q", "pii", "detect", "--input", str(src), "--output", str(ctx.out / "pii_spans.jsonl"), ok_codes=(0, 3)
    )
    ctx.curate(
        "-q",
        "pii",
        "scrub",
        "--mode",
        "pseudonym",
        "--input",
        str(src),
        "--output",
        str(ctx.out / "pii_scrubbed.jsonl"),
        ok_codes=(0, 3),
    )
    ctx.notes.append(f"curate pii scrub --input {src} --output /tmp/scrubbed.jsonl   # typed placeholders")
    ctx.notes.append(f"cat {ctx.out / 'pii_scrubbed.jsonl'}   # keyed pseudonyms; spans carry HMAC digests only")
    ctx.notes.append('curate sql "SELECT pii_state, count(*) FROM records GROUP BY ALL"')
