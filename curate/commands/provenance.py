"""``curate provenance``: withdrawal and reinstatement of sources and records."""

from __future__ import annotations

import click

from curate.commands._common import JSON_OPTION, actor, echo_json, no_personal_data, settings

provenance = click.Group("provenance", help="Provenance changes: withdraw or reinstate sources or records.")


@provenance.command("withdraw")
@click.option("--source", "source_id", default=None, help="Withdraw every record of this source.")
@click.option("--record", "record_id", default=None, help="Withdraw this record.")
@click.option("--reason", required=True, help="Why (recorded in the ledger).", callback=no_personal_data)
@JSON_OPTION
def withdraw_cmd(source_id: str | None, record_id: str | None, reason: str, as_json: bool) -> int:
    """Mark a source's or a record's records, and every version derived from them, withdrawn."""
    from provenance.dbnew import connect_existing
    from provenance.withdraw import withdraw

    con = connect_existing(settings().db_path, "`curate provenance withdraw`")
    try:
        res = withdraw(con, source_id=source_id, record_id=record_id, reason=reason, actor=actor())
    finally:
        con.close()
    if as_json:
        echo_json(
            {
                "scope": res.scope,
                "target": res.target,
                "records": res.records,
                "seq": res.seq,
                "released": res.released,
                "label_studio_tasks": res.label_studio_tasks,
            }
        )
    else:
        click.echo(
            f"withdrew {res.records} records of {res.scope} `{res.target}` (ledger seq {res.seq}); "
            "see `curate audit withdrawn` for past exports that contained them"
        )
        if res.label_studio_tasks:
            click.echo(
                f"{res.label_studio_tasks} Label Studio tasks show these records: the next `curate annotate push` or "
                "`pull` of their bank deletes the ones nobody annotated (`curate audit withdrawn` lists them)"
            )
        if res.released:
            click.echo(
                f"{res.released} duplicates or near duplicates of the withdrawn records released (active again, or"
                " unlinked); run `curate run dedup`"
                " (after the stages they have not passed) to cluster them with the records active now"
            )
    return 0


@provenance.command("reinstate")
@click.option("--source", "source_id", default=None, help="Lift the withdrawal of this source.")
@click.option("--record", "record_id", default=None, help="Lift the withdrawal of this record (and its versions).")
@click.option("--reason", required=True, help="Why (recorded in the ledger).", callback=no_personal_data)
@JSON_OPTION
def reinstate_cmd(source_id: str | None, record_id: str | None, reason: str, as_json: bool) -> int:
    """Lift a withdrawal: records get back their earlier status; later ingests are no longer withdrawn."""
    from provenance.dbnew import connect_existing
    from provenance.withdraw import reinstate

    con = connect_existing(settings().db_path, "`curate provenance reinstate`")
    try:
        res = reinstate(con, source_id=source_id, record_id=record_id, reason=reason, actor=actor())
    finally:
        con.close()
    if as_json:
        echo_json(
            {
                "scope": res.scope,
                "target": res.target,
                "records": res.records,
                "seq": res.seq,
                "superseded": res.superseded,
            }
        )
    else:
        # an older text of a document made active while its newer one was withdrawn (a stale duplicate released)
        older = f", superseding {res.superseded} older active version(s) of their documents" if res.superseded else ""
        click.echo(f"reinstated {res.records} records of {res.scope} `{res.target}`{older} (ledger seq {res.seq})")
    return 0
