"""One `curate export dataset --json` for training, non-commercial, with the PII gate at ``expected``: its summary
and its ``blocked.csv`` rows (the licence tests that compare what each audience gets)."""

from __future__ import annotations

import csv
import json
from pathlib import Path


def export_for(cli, out: Path, audience: str) -> tuple[dict, list[dict]]:
    code, stdout, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", audience, "--non-commercial",
        "--pii-gate", "expected", "--out", str(out), "--json",
    )  # fmt: skip
    assert code == 0, err
    with (out / "blocked.csv").open(encoding="utf-8", newline="") as fh:
        return json.loads(stdout), list(csv.DictReader(fh))
