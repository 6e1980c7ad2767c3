"""`curate init`, `curate status`, `curate sql`."""

from __future__ import annotations

import click

from curate.commands._common import UTF8_TEXT, echo_table, json_keys, settings
from provenance import db


@click.command("init")
def init_cmd() -> int:
    """Create (or migrate) the catalogue."""
    s = settings()
    con = db.connect(s.db_path)
    version = db.schema_version(con)
    con.close()
    click.echo(f"catalogue {s.db_path} ready (schema version {version})")
    return 0


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="JSON lines, each naming its table (`section`).")
def status_cmd(as_json: bool) -> int:
    """Records per source / status / script, recent runs, quarantine counts."""
    from curate.runlive import shown_status
    from provenance.status import StatusSection, quarantine_total, status_sections

    s = settings()
    con = db.connect_readonly(s.db_path)
    try:
        sections = status_sections(con)
        total_q = None if as_json else quarantine_total(con)
    finally:
        con.close()
    for i, sec in enumerate(sections):
        if sec.name == "runs":  # a run killed while running is shown as such (curate/runlive.py)
            rows = [(r, shown_status(s.db_path, r[0], r[1], r[2])) for r in sec.rows]
            sections[i] = (
                StatusSection(sec.name, [*sec.columns, "process"], [(*r, p) for r, (_, p) in rows])
                if as_json
                else StatusSection(sec.name, sec.columns, [(*r[:2], shown, *r[3:]) for r, (shown, _) in rows])
            )
    for sec in sections:
        if as_json:  # each line names its table: records and licence term problem rows both count `records`
            echo_table(["section", *sec.columns], [(sec.name, *r) for r in sec.rows], as_json=True)
            continue
        click.echo(f"\n{sec.name}:")
        if sec.rows:
            echo_table(sec.columns, sec.rows)
        else:
            click.echo("  (none)")
    if not as_json:
        click.echo(f"\ncatalogue: {s.db_path}  quarantined items: {total_q}")
    return 0


@click.command("sql")
@click.argument("query", type=UTF8_TEXT)
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
def sql_cmd(query: str, as_json: bool) -> int:
    """Run one read-only SELECT on the catalogue (anything else, files and sealed tables are refused)."""
    s = settings()
    cols, rows = db.run_readonly_sql(s.db_path, query)
    echo_table(json_keys(cols) if as_json else cols, rows, as_json=as_json)
    return 0
