"""PII: detect and scrub a user's JSONL file, then run the PII stage on the catalogue."""

from __future__ import annotations

import os
import secrets


def run(ctx) -> None:
    if not (os.environ.get("CURATE_PII_KEY") or os.environ.get("CURATE_PII_KEY_FILE")):
        key_file = ctx.out / "pii.key"  # demo only: a fresh key in the scratch folder, never the repo
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32) + "\n")
            key_file.chmod(0o600)
        os.environ["CURATE_PII_KEY_FILE"] = str(key_file)
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
    ctx.curate("run", "pii")
    ctx.notes.append(f"curate pii scrub --input {src} --output /tmp/scrubbed.jsonl   # typed placeholders")
    ctx.notes.append(f"cat {ctx.out / 'pii_scrubbed.jsonl'}   # keyed pseudonyms; spans carry HMAC digests only")
    ctx.notes.append('curate sql "SELECT pii_state, count(*) FROM records GROUP BY ALL"')
