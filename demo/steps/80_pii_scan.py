"""Demo step: scan everything the demo produced for personal data that survived (issue 13).

`curate pii scan` learns the personal values from the raw-text vault and the source name lists and
searches every catalogue table but the vault, the run working files, the exports and the Label
Studio task files written by step 70. The demo stops if anything is found.
"""

from __future__ import annotations


def run(ctx) -> None:
    tasks = sorted(ctx.out.glob("labelstudio-*-tasks.json"))
    args = [a for p in tasks for a in ("--path", str(p))]
    ctx.curate("pii", "scan", *args)
    ctx.notes.append("curate pii scan --json   # no personal value outside the raw-text vault")
