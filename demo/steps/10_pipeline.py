"""Demo step: the whole catalogue pipeline from one file (demo/pipeline.toml).

First a dry run (what each step would do; nothing written), then the run itself: seven ingest
batches, hygiene -> pii -> normalise -> dedup on datatrove, two exports and the HTML report.
"""


def run(ctx) -> None:
    pipe = ctx.root / "demo" / "pipeline.toml"
    ctx.curate("init")
    ctx.curate("pipeline", "run", str(pipe), "--dry-run")
    ctx.curate("pipeline", "run", str(pipe), ok_codes=(0, 3))  # exit 3: some input was quarantined
    ctx.curate("runs", "list", "--limit", "8")
    ctx.notes.append(f"curate pipeline run {pipe} --dry-run")
    ctx.notes.append("curate runs show latest      # statistics of the last run")
