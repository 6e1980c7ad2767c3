"""``curate audit``: read-only auditor commands (verify, record, export, licences, withdrawn, sql).

Every command opens the catalogue read-only; nothing here can write.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import click

from curate.commands._common import JSON_OPTION, echo_json, format_table, settings
from provenance.db import connect_readonly

#: widest cell of an audit table, in terminal columns (longer values end in ``...``)
MAX_CELL = 80


def _section(title: str, rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    rows = list(rows)
    click.echo(f"\n{title} ({len(rows)})")
    if rows:
        click.echo(format_table(columns, rows, max_width=MAX_CELL))


audit = click.Group("audit", help="Read-only auditor queries: ledger, records, exports, licences, withdrawals.")


@audit.command("verify")
@JSON_OPTION
def verify_cmd(as_json: bool) -> int:
    """Check the whole hash-chained ledger; exit 1 naming the first broken event."""
    from provenance import audit as lib

    con = connect_readonly(settings().db_path)
    try:
        res = lib.verify(con)
    finally:
        con.close()
    if as_json:
        echo_json(
            {
                "ok": res.ok,
                "checked": res.checked,
                "first_bad_seq": res.first_bad_seq,
                "first_bad_event_id": res.first_bad_event_id,
                "reason": res.reason,
            }
        )
    elif res.ok:
        click.echo(f"ledger ok: {res.checked} events verified")
    else:
        click.echo(
            f"ledger BROKEN at event seq {res.first_bad_seq} (event_id {res.first_bad_event_id}): "
            f"{res.reason}; {res.checked} events checked"
        )
    return 0 if res.ok else 1


@audit.command("record")
@click.argument("record_id")
@JSON_OPTION
def record_cmd(record_id: str, as_json: bool) -> int:
    """Source, licence, every event, derived versions and exports of RECORD_ID."""
    from provenance import audit as lib

    con = connect_readonly(settings().db_path)
    try:
        rep = lib.record_report(con, record_id)
    finally:
        con.close()
    if as_json:
        echo_json(rep)
        return 0
    r, s = rep["record"], rep["source"] or {}
    click.echo(
        f"record   {r['record_id']}\nstatus   {r['status']} (stage {r['stage']}, pii_state {r['pii_state']})\n"
        f"source   {r['source_id']} ({s.get('kind')}) from {s.get('origin')}\nlocator  {r['locator']}\n"
        f"licence  {r['licence_id']}\nsha256   {r['content_sha256']}"
    )
    _section("versions", rep["versions"], ["record_id", "version_of", "stage", "status", "licence_id", "pii_state"])
    _section("events", rep["events"], ["seq", "created_at", "record_id", "stage", "action", "actor", "detail"])
    _section("exports", rep["exports"], ["export_id", "record_id", "purpose", "audience", "created_at"])
    return 0


@audit.command("export")
@click.argument("export_id")
@JSON_OPTION
def export_cmd(export_id: str, as_json: bool) -> int:
    """Licence breakdown and blocked counts of export EXPORT_ID."""
    from provenance import audit as lib

    con = connect_readonly(settings().db_path)
    try:
        rep = lib.export_report(con, export_id)
    finally:
        con.close()
    if as_json:
        echo_json(rep)
        return 0
    click.echo(f"export {rep['export_id']}: {rep['records']} records, {rep['blocked_total']} blocked")
    _section(
        "runs",
        rep["runs"],
        ["export_seq", "created_at", "purpose", "audience", "commercial", "as_of", "format", "run_id", "out_dir"],
    )
    _section("licences", rep["licences"], ["licence_id", "source_id", "records", "characters", "withdrawn_since"])
    _section("blocked", [{"reason": k, "records": v} for k, v in rep["blocked"].items()], ["reason", "records"])
    return 0


@audit.command("licences")
@JSON_OPTION
def licences_cmd(as_json: bool) -> int:
    """Active records and characters per licence per source (unknown licences flagged)."""
    from provenance import audit as lib

    con = connect_readonly(settings().db_path)
    try:
        rows = lib.licences_report(con)
    finally:
        con.close()
    if as_json:
        echo_json(rows)
    else:
        for r in rows:
            r["flag"] = "" if r["known"] else "UNKNOWN: never exported"
        click.echo(format_table(["licence_id", "source_id", "records", "characters", "flag"], rows, max_width=MAX_CELL))
    return 0


@audit.command("withdrawn")
@JSON_OPTION
def withdrawn_cmd(as_json: bool) -> int:
    """Past exports that contained records withdrawn since (tell their recipients)."""
    from provenance import audit as lib

    con = connect_readonly(settings().db_path)
    try:
        rows = lib.withdrawn_report(con)
    finally:
        con.close()
    if as_json:
        echo_json(rows)
    elif not rows:
        click.echo("no past export contains withdrawn records")
    else:
        click.echo(
            format_table(
                ["export_id", "exported_at", "purpose", "audience", "withdrawn_records", "sources", "out_dir"],
                rows,
                max_width=MAX_CELL,
            )
        )
    return 0


@audit.command("sql")
@click.argument("query")
@JSON_OPTION
def sql_cmd(query: str, as_json: bool) -> int:
    """Run one read-only QUERY (writes and raw PII tables are refused)."""
    from provenance import audit as lib

    cols, rows = lib.sql(settings().db_path, query)
    if as_json:
        echo_json([dict(zip(cols, r, strict=True)) for r in rows])
    else:
        click.echo(format_table(cols, rows, max_width=MAX_CELL))
    return 0
