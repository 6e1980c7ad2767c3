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


audit = click.Group(
    "audit", help="Read-only auditor queries: ledger (verify, anchor), records, exports, licences, withdrawals."
)


@audit.command("verify")
@click.option(
    "--anchor",
    "anchor_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Anchor file (from `curate audit anchor --append`): every head in it must still be in the chain.",
)
@JSON_OPTION
def verify_cmd(anchor_file: str | None, as_json: bool) -> int:
    """Check the ledger chain and the tables against it; exit 1 naming what is broken.

    Without --anchor, events cut off the end of the chain are noticed only while a later run,
    export or withdrawal still points at them; keep anchors outside the database to prove more.
    """
    from provenance import audit as lib
    from provenance.crosscheck import read_anchors

    anchors = read_anchors(anchor_file) if anchor_file else None
    con = connect_readonly(settings().db_path)
    try:
        res = lib.verify_all(con, anchors)
    finally:
        con.close()
    if as_json:
        echo_json(res.as_dict())
        return 0 if res.ok else 1
    c = res.chain
    seq, head = res.head
    if c.ok:
        click.echo(f"ledger ok: {c.checked} events verified (head seq {seq}, hash {head[:16]}…)")
    else:
        click.echo(
            f"ledger BROKEN at event seq {c.first_bad_seq} (event_id {c.first_bad_event_id}): "
            f"{c.reason}; {c.checked} events checked"
        )
    x = res.cross
    checked = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in x.checked.items())
    if x.ok:
        click.echo(f"cross-checks ok: {checked}")
    else:
        click.echo(f"cross-checks FAILED ({checked}):")
        for problem, n in x.problems.items():
            click.echo(f"  {n} x {problem}")
        for f in x.findings:
            click.echo(f"    {f.check}: {f.subject}: {f.problem}")
    for note in x.notes:
        click.echo(f"note: {note}")
    if anchors is not None:
        if res.anchor_problems:
            click.echo(f"anchors FAILED ({len(anchors)} checked):")
            for p in res.anchor_problems:
                click.echo(f"  {p}")
        else:
            click.echo(f"anchors ok: {len(anchors)} anchored heads still in the chain")
    else:
        click.echo(
            "note: no --anchor given; truncation of the newest events is caught only while a run, export or withdrawal points past them"
        )
    return 0 if res.ok else 1


@audit.command("anchor")
@click.option(
    "--append",
    "append_to",
    type=click.Path(dir_okay=False),
    default=None,
    help="Append the head as a JSON line to this file (keep it outside the catalogue's reach).",
)
@JSON_OPTION
def anchor_cmd(append_to: str | None, as_json: bool) -> int:
    """Print the ledger head (seq, hash, count), or append it to an anchor file for `verify --anchor`."""
    from provenance.crosscheck import append_anchor, current_anchor

    db_path = settings().db_path
    con = connect_readonly(db_path)
    try:
        a = current_anchor(con, str(db_path))
    finally:
        con.close()
    if append_to:
        append_anchor(append_to, a)
    if as_json:
        echo_json(a.as_dict())
    else:
        click.echo(
            f"head seq {a.seq} hash {a.hash} ({a.count} events) at {a.at}"
            + (f"; appended to {append_to}" if append_to else "")
        )
    return 0


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
