"""``curate runs``: the runs of the catalogue and their statistics (read-only)."""

from __future__ import annotations

import click

from curate.commands._common import UTF8_TEXT, actor, echo_table, json_line, no_personal_data, printable, settings


@click.group("runs")
def runs() -> None:
    """List runs and show what each did (counts, statistics, quarantine)."""


@runs.command("list")
@click.option("--limit", type=click.IntRange(0, 2**63 - 1), default=20, show_default=True, help="Newest N runs.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
def list_cmd(limit: int, as_json: bool) -> int:
    """Newest runs with status and, for stage runs, records in/out/dropped/rewritten/flagged."""
    from curate.runlive import shown_status
    from curate.stats import HEADLINE, fmt_number, headlines, recent_runs
    from provenance import db

    db_path = settings().db_path
    con = db.connect_readonly(db_path)
    try:
        rows = recent_runs(con, limit)
        heads = headlines(con, [r[0] for r in rows])
    finally:
        con.close()
    cols = ["run_id", "command", "status", "started", "finished", *HEADLINE, "seconds"]
    out = []
    for r in rows:
        h = heads.get(r[0], {})
        extra = [h.get(k) for k in (*HEADLINE, "seconds")]
        shown, process = shown_status(db_path, r[0], r[1], r[2])  # a killed run is no longer running
        row = [*r[:2], r[2] if as_json else shown, *r[3:]]
        out.append([*row, *(v if as_json or v is None else fmt_number(v) for v in extra)])
        if as_json:
            out[-1].append(process)
    if as_json:
        cols.append("process")
    echo_table(cols, out, as_json=as_json)
    return 0


@runs.command("show")
@click.argument("run", default="latest", type=UTF8_TEXT)
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
def show_cmd(run: str, as_json: bool) -> int:
    """Parameters, counts and stage statistics of RUN (an id, an unambiguous prefix, or `latest`)."""
    from curate.runlive import shown_status
    from curate.stats import run_summary, summary_lines
    from provenance import db

    db_path = settings().db_path
    con = db.connect_readonly(db_path)
    try:
        summary = run_summary(con, run)
    finally:
        con.close()
    r = summary.run
    shown, process = shown_status(db_path, r["run_id"], r["command"] or "", r["status"])
    if as_json:
        obj = {
            "run": r,
            "process": process,
            "stage": summary.stage,
            "stats": summary.metrics,
            "quarantine": summary.quarantine,
        }
        click.echo(json_line(obj, indent=2))  # a quarantined file's name may hold C1 or bidi controls
        return 0
    v = {k: printable(f"{x}", keep_breaks=False) for k, x in r.items()}  # one value per line, each escaped on its own
    click.echo(f"run       {v['run_id']}\ncommand   {v['command']}\nstatus    {printable(shown)}")
    if process == "gone":
        click.echo(
            f"          its process ended without marking it (killed?): rerun `curate {v['command']}` to resume it,"
            f" or `curate runs abandon {v['run_id']}` to end it"
        )
    click.echo(f"started   {v['started_at']}\nfinished  {v['finished_at']}\ncode      {v['code_version']}")
    click.echo(f"params    {v['params']}\ncounts    {v['counts']}")
    lines = summary_lines(summary, quarantine=False)
    if lines:
        click.echo("\nstatistics:")
        for line in lines:
            click.echo("  " + printable(line, keep_breaks=False))
    if summary.quarantine:
        click.echo("\nquarantine:")
        echo_table(
            ["reason", "locator", "items"], [[q["reason"], q["locator"], q["items"]] for q in summary.quarantine]
        )
    return 0


@runs.command("abandon")
@click.argument("run_id")
@click.option(
    "--reason",
    default="abandoned by the operator",
    show_default=True,
    help="Recorded in the ledger.",
    callback=no_personal_data,
)
def abandon_cmd(run_id: str, reason: str) -> int:
    """End the unfinished RUN_ID for good: its work files (pre-PII text) are deleted, a ledger event says why.

    Refused while the run's process is alive. A resumable run is otherwise resumed by rerunning its command.
    """
    from curate.workfiles import abandon_run

    res = abandon_run(settings().db_path, run_id, reason, actor=actor())
    click.echo(
        f"run {res['run_id']} ({res['command']}, was {res['previous_status']}) abandoned; its work files are deleted"
    )
    return 0
