"""`curate init`, `curate status`, `curate sql`."""

from __future__ import annotations

import click

from curate.commands._common import echo_table, settings
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
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status_cmd(as_json: bool) -> int:
    """Records per source / status / script, recent runs, quarantine counts."""
    s = settings()
    con = db.connect_readonly(s.db_path)
    try:
        sections = {
            "records": (
                "SELECT source_id, status, coalesce(script, '-') AS script, count(*) AS records,"
                " sum(length(text)) AS chars FROM records GROUP BY ALL ORDER BY ALL"
            ),
            "runs": (
                "SELECT run_id, command, status, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started,"
                " strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished FROM runs ORDER BY started_at DESC LIMIT 10"
            ),
            "quarantine": (
                "SELECT coalesce(source_id, '-') AS source_id, coalesce(stage, '-') AS stage, reason, count(*) AS items"
                " FROM quarantine GROUP BY ALL ORDER BY items DESC, reason LIMIT 30"
            ),
        }
        for name, sql in sections.items():
            cur = con.execute(sql)
            cols = [d[0] for d in cur.description]
            rows = cur.fetchall()
            if not as_json:
                click.echo(f"\n{name}:")
            if rows or as_json:
                echo_table(cols, rows, as_json=as_json)
            else:
                click.echo("  (none)")
        if not as_json:
            total_q = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
            click.echo(f"\ncatalogue: {s.db_path}  quarantined items: {total_q}")
    finally:
        con.close()
    return 0


@click.command("sql")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
def sql_cmd(query: str, as_json: bool) -> int:
    """Run one read-only SELECT on the catalogue (anything else, files and sealed tables are refused)."""
    s = settings()
    cols, rows = db.run_readonly_sql(s.db_path, query)
    echo_table(cols, rows, as_json=as_json)
    return 0
