"""Demo step: hand scrubbed, licence-cleared records to Label Studio (or to a tasks file).

Pushes when a Label Studio is configured and answering (`make labelstudio`, or LABEL_STUDIO_URL /
LABEL_STUDIO_API_KEY); otherwise writes the tasks JSON for a manual import and says so.
"""

from __future__ import annotations

BANK = "DEMO-BANK"
PROJECTS = ("topic", "pii", "proofread")


def _label_studio_url() -> str | None:
    from annotation.config import resolve
    from annotation.server import is_up
    from provenance.errors import ConfigError

    try:
        cfg = resolve(BANK)
    except ConfigError:
        return None
    return cfg.url if is_up(cfg.url) else None


def run(ctx) -> None:
    url = _label_studio_url()
    if url:
        print(f"Label Studio answers at {url}: pushing the demo records for bank {BANK}")
        for project in PROJECTS:
            ctx.curate("--quiet", "annotate", "push", "--project", project, "--bank", BANK)
        ctx.curate("--quiet", "annotate", "pull", "--bank", BANK)
        ctx.notes.append(
            f"open {url}, annotate a task in 'FinLLM {BANK} 校對 (proofread)', then: curate annotate pull --bank {BANK}"
        )
    else:
        print("No Label Studio running (start one with `make labelstudio`): writing tasks files to import by hand")
        for project in PROJECTS:
            out = ctx.out / f"labelstudio-{project}-tasks.json"
            ctx.curate("--quiet", "annotate", "push", "--project", project, "--bank", BANK, "--output", str(out))
        ctx.notes.append(f"make labelstudio && curate annotate push --project proofread --bank {BANK}")
