"""`curate run <stage>`: run a processing stage over the catalogue."""

from __future__ import annotations

import click

from curate.commands._common import parse_key_values, printable, refuse_no_catalogue, settings


def _stage_names() -> list[str]:
    from curate.stages import STAGES

    return sorted(STAGES)


def _fmt(value) -> str:
    if isinstance(value, tuple):
        return ",".join(":".join(map(str, v)) if isinstance(v, tuple) else str(v) for v in value)
    return str(value)


class _RunCommand(click.Command):
    """`curate run --help` ends with every stage's --set options and their defaults (loaded lazily)."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        import dataclasses

        from curate.stages import get_config_class

        for name in _stage_names():
            cfg_cls = get_config_class(name)  # without importing the stage (and datatrove)
            if cfg_cls is None or not dataclasses.is_dataclass(cfg_cls):
                continue
            default = cfg_cls()
            with formatter.section(f"--set options of {name}"):
                formatter.write_dl(
                    [
                        (f.name, f"default {_fmt(getattr(default, f.name)) or '(none)'}")
                        for f in dataclasses.fields(default)
                    ]
                )
                policy = getattr(cfg_cls, "POLICY_HELP", None)
                if policy:
                    formatter.write_paragraph()
                    formatter.write_text(policy)


@click.command("run", cls=_RunCommand)
@click.argument("stage", type=click.Choice(_stage_names()))
@click.option(
    "--executor",
    type=click.Choice(["local", "ray", "slurm"]),
    default="local",
    show_default=True,
    help="datatrove executor.",
)
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Parallel workers (default: CPU cores).")
@click.option("--tasks", type=click.IntRange(min=1), default=None, help="Shards of the snapshot (default: workers).")
@click.option("--ray-address", default=None, help="Address of an existing Ray cluster (default: start a local one).")
@click.option("--slurm-partition", default=None, help="Slurm partition (with --executor slurm).")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Override a field of the stage's config.")
def run(
    stage: str,
    executor: str,
    workers: int | None,
    tasks: int | None,
    ray_address: str | None,
    slurm_partition: str | None,
    sets: tuple[str, ...],
) -> int:
    """Run STAGE (hygiene, normalise, pii, dedup) on the active records it has not yet processed.

    An interrupted run is resumed by running the same command again.
    """
    from curate.runfailed import failed_on_out_of_memory
    from curate.runner import make_stage, run_stage
    from curate.snapshot import capped_note, pii_wait_note

    s = settings()
    st = make_stage(stage, parse_key_values(sets))
    refuse_no_catalogue(s.db_path, f"`curate run {stage}`")
    slurm = {"partition": slurm_partition} if slurm_partition else None
    with failed_on_out_of_memory(s.db_path, st):
        first = run_stage(
            s.db_path,
            st,
            executor=executor,
            workers=workers,
            tasks=tasks,
            ray_address=ray_address,
            slurm_options=slurm,
            verbose=s.debug,
            progress=not s.quiet,
        )
    from curate.stats import stale_note

    for report in (first, *first.followed_by):  # a PII run's followers took the raw duplicates it released
        note = capped_note(report.inputs, workers, tasks)
        if report.status != "finished":
            click.echo(report.message)
            return 0
        c = report.counts
        click.echo(
            f"run {report.run_id}{' (resumed)' if report.resumed else ''}: stage {stage}: {report.inputs} records in, "
            f"{c.get('new_versions', 0)} new versions, {c.get('status_changes', 0)} status changes, "
            f"{c.get('events', 0)} events{stale_note(c)}"
        )
        if note:
            click.echo("  " + note)
        if not s.quiet:
            _summary(s.db_path, report.run_id)
    if waiting := pii_wait_note(s.db_path, st):  # counted, never silent (shown under --quiet too)
        click.echo(waiting)
    return 0


def _summary(db_path, run_id: str) -> None:
    """The finished run's summary lines; a catalogue another process holds past the lock wait skips them with a note
    (the run is finished and recorded: the exit status stays 0)."""
    from curate.stats import run_summary, summary_lines
    from provenance import db
    from provenance.errors import CatalogueBusyError

    try:
        con = db.connect_readonly(db_path)
    except CatalogueBusyError:
        click.echo(
            f"  (no summary: another process holds the catalogue; the run is finished and recorded, and"
            f" `curate runs show {run_id}` shows it later)"
        )
        return
    try:
        for line in summary_lines(run_summary(con, run_id)):
            click.echo("  " + printable(line, keep_breaks=False))
    finally:
        con.close()
