"""``curate pipeline``: run a whole pipeline from one TOML file (sources, stages, exports, report)."""

from __future__ import annotations

from pathlib import Path

import click

from curate.commands._common import exit_code, no_catalogue_at, note_new_catalogue, progress, settings


@click.group("pipeline")
def pipeline() -> None:
    """Run a pipeline file: ingest batches, stages in order, exports and the report."""


@pipeline.command("run")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Say what each step would do (counts, blocked, samples); write nothing.")
def run_cmd(file: Path, dry_run: bool) -> int:
    """Run (or with --dry-run, preview) the pipeline in FILE on the catalogue (--db)."""
    from curate import pipeline as lib
    from provenance.errors import UsageError

    s = settings()
    pipe = lib.load(file)
    click.echo(
        f"pipeline {file}: {len(pipe.ingest)} ingest batches, {len(pipe.stages)} stages "
        f"({', '.join(st.name for st in pipe.stages)}), {len(pipe.exports)} exports"
        + (", report" if pipe.report else "")
    )
    if dry_run:
        lib.dry_run(pipe, s.db_path, echo=click.echo)
        click.echo("dry run: nothing was written")
        return 0
    new = no_catalogue_at(s.db_path)
    try:
        done = lib.run(pipe, s.db_path, echo=click.echo, progress=None if s.quiet else progress)
    except UsageError:  # a refusal (exit 2) stays its one line
        new = False
        raise
    finally:  # as `curate ingest` says it (review 13): a mistyped --db made a catalogue of its own
        if new:
            note_new_catalogue(s.db_path, "pipeline run")
    return exit_code(done["quarantined"])


@pipeline.command("stages")
def stages_cmd() -> int:
    """The `set` keys of each stage (for `[[stage]] set = {...}` and `curate run STAGE --set KEY=VALUE`)."""
    from curate.pipeline import stage_fields

    for name, fields in stage_fields().items():
        click.echo(f"{name}:")
        for key, typ, default in fields:
            click.echo(f"  {key} ({typ}, default {default!r})")
        if not fields:
            click.echo("  (no options)")
    return 0
