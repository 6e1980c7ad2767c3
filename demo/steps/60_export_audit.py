"""Demo step: licence catalogue check, licence-gated export, and the auditor's read-only view."""

from __future__ import annotations

import json
import subprocess
import sys


def _curate_json(ctx, *args: str) -> object:
    cmd = [sys.executable, "-m", "curate.cli", "--db", str(ctx.db), "--quiet", *args, "--json"]
    print("$ curate " + " ".join(args) + " --json", flush=True)
    proc = subprocess.run(cmd, cwd=ctx.root, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"demo step failed: curate {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def run(ctx) -> None:
    ctx.curate("licences", "check")
    ctx.curate("licences", "list")
    out = ctx.out / "export-training-consortium"
    # the banks train a commercial model: a stated choice, so non-commercial (CC-BY-NC) text stays out
    res = _curate_json(
        ctx,
        "export",
        "dataset",
        "--commercial",
        "--purpose",
        "training",
        "--audience",
        "consortium",
        "--out",
        str(out),
        "--overwrite",
    )
    print(f"export {res['export_id']}: {res['records']} records, {res['blocked']} blocked -> {out}")
    public = ctx.out / "export-redistribution-public"
    ctx.curate(
        "--quiet",
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        "redistribution",
        "--audience",
        "public",
        "--out",
        str(public),
        "--overwrite",
    )
    ctx.curate("audit", "verify")
    ctx.curate("audit", "licences")
    ctx.curate("audit", "export", res["export_id"])
    manifest = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    if manifest:
        rid = json.loads(manifest[0])["record_id"]
        ctx.curate("audit", "record", rid)
        ctx.notes.append(f"curate audit record {rid} --json")
    ctx.notes.append(f"python -c \"import datasets; print(datasets.load_dataset('{out}'))\"")
    ctx.notes.append(f"cat {out}/NOTICE.md {out}/blocked.csv")
    ctx.notes.append("curate provenance withdraw --source SOURCE --reason '...' && curate audit withdrawn")
    ctx.notes.append('curate audit sql "SELECT export_id, purpose, audience, records, blocked FROM exports"')
