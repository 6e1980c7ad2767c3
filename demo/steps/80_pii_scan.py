"""Demo step: scan everything the demo produced for personal data that survived (issue 13).

`curate pii scan` learns the personal values from the raw-text vault and the source name lists and
searches every catalogue table but the vault, the run working files, the recorded exports, the Label
Studio task files written by step 70 (recorded in `annotation_task_files`) and, when step 70 pushed
to a running Label Studio, the tasks held there. The demo stops if anything is found.
"""

from __future__ import annotations


def run(ctx) -> None:
    ctx.curate("pii", "scan")
    ctx.notes.append("curate pii scan --json   # no personal value outside the raw-text vault")
