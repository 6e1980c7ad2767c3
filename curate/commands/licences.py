"""``curate licences``: list, show and check the licence catalogue."""

from __future__ import annotations

from pathlib import Path

import click

from curate.commands._common import JSON_OPTION, echo_json, format_table, settings

CATALOGUE_OPTION = click.option(
    "--catalogue",
    "licence_catalogue_file",
    type=click.Path(path_type=Path),  # a folder is refused in one line by the catalogue reader
    default=None,
    help="Licence catalogue TOML (default: the shipped one).",
)

licences = click.Group("licences", help="The licence catalogue: permitted purposes, audience, obligations.")


@licences.command("list")
@CATALOGUE_OPTION
@JSON_OPTION
def list_cmd(licence_catalogue_file: Path | None, as_json: bool) -> int:
    """List every licence with its permissions."""
    from provenance.licences import load_licence_catalogue

    cat = load_licence_catalogue(licence_catalogue_file)
    rows = [lic.as_dict() for lic in sorted(cat.licences.values(), key=lambda x: -x.rank)]
    if as_json:
        echo_json(rows)
        return 0
    for r in rows:
        r["purposes"] = ",".join(r["purposes"]) or "(per agreement)"
        r["audience"] = ",".join(r["audience"])
        r["commercial"] = "yes" if r["commercial"] else "no"
        r["attribution"] = "yes" if r["attribution_required"] else "no"
        r["share_alike"] = "yes" if r["share_alike"] else "no"
        r["sublicensable"] = "yes" if r["sublicensable"] else "no"
        r["transferable"] = "yes" if r["transferable"] else "no"
        r["template"] = "agreement" if r["template"] else ""
    click.echo(
        format_table(
            [
                "id",
                "purposes",
                "audience",
                "commercial",
                "attribution",
                "share_alike",
                "sublicensable",
                "transferable",
                "expiry",
                "template",
                "rank",
            ],
            rows,
        )
    )
    return 0


@licences.command("show")
@click.argument("licence_id")
@CATALOGUE_OPTION
@JSON_OPTION
def show_cmd(licence_id: str, licence_catalogue_file: Path | None, as_json: bool) -> int:
    """Show one licence (id or alias) in full."""
    from provenance.errors import UsageError
    from provenance.licences import load_licence_catalogue

    cat = load_licence_catalogue(licence_catalogue_file)
    lic = cat.get(licence_id)
    if lic is None:  # an id given on the command line that the catalogue does not hold: usage (exit 2)
        raise UsageError(
            f"licence `{licence_id}`: not in the licence catalogue; known: {', '.join(sorted(cat.licences))}"
            " (aliases too: `curate licences list --json`)"
        )
    data = lic.as_dict()
    if as_json:
        echo_json(data)
        return 0
    for k, v in data.items():
        if k == "attribution" and v:
            click.echo("attribution:")
            for line in str(v).splitlines():
                click.echo(f"    {line}")
            continue
        click.echo(f"{k}: {', '.join(v) if isinstance(v, list) else v}")
    return 0


@licences.command("check")
@CATALOGUE_OPTION
@JSON_OPTION
def check_cmd(licence_catalogue_file: Path | None, as_json: bool) -> int:
    """Validate the catalogue (JSON schema, SPDX ids, obligations); exit 1 naming each bad entry.

    If the catalogue database exists, also counts records whose licence is not in the catalogue
    (they are kept but never exported).
    """
    from provenance.db import connect_readonly
    from provenance.licences import check_licence_catalogue, licence_catalogue_path, load_licence_catalogue
    from provenance.status import active_records_per_licence

    path = licence_catalogue_file or licence_catalogue_path()
    problems = check_licence_catalogue(path)
    flagged: list[dict] = []
    db = settings().db_path
    if not problems and Path(db).exists():
        cat = load_licence_catalogue(path)
        con = connect_readonly(db)
        try:
            rows = active_records_per_licence(con)
        finally:
            con.close()
        flagged = [{"licence_id": lid, "records": n} for lid, n in rows if cat.get(lid) is None]
    if as_json:
        echo_json(
            {"catalogue": str(path), "ok": not problems, "problems": problems, "unknown_licence_records": flagged}
        )
    else:
        for p in problems:
            click.echo(f"{path}: {p}", err=True)
        if not problems:
            click.echo(f"licence catalogue ok: {path}")
        for f in flagged:
            click.echo(
                f"warning: {f['records']} active records carry licence `{f['licence_id']}` that is not in the "
                "catalogue; they are kept but never exported"
            )
    return 1 if problems else 0
