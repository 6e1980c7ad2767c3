"""``curate export``: licence-gated dataset export."""

from __future__ import annotations

from pathlib import Path

import click

from curate.commands._common import JSON_OPTION, actor, echo_json, progress, settings

export = click.Group("export", help="Export licence-permitted records as a dataset.")


@export.command("dataset")
@click.option("--purpose", required=True, help="training | evaluation | redistribution")
@click.option("--audience", required=True, help="consortium | member:BANK | public")
@click.option(
    "--commercial/--non-commercial",
    "commercial",
    default=None,
    help="Required: whether the recipient uses the data commercially (non-commercial licences such as "
    "CC-BY-NC are left out of a --commercial export). No default.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),  # a file there: one line from provenance.export_out, not click's usage text
    help="Output directory (must be empty unless --overwrite).",
)
@click.option("--format", "fmt", default="parquet", show_default=True, help="parquet | jsonl")
@click.option("--overwrite", is_flag=True, help="Replace the contents of a non-empty --out.")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="Evaluate licence expiry at this date (YYYY-MM-DD; default today in Taiwan, UTC+8); a date before today is"
    " refused when it would ship a record whose licence has ended since, unless an export made on that day with the"
    " same purpose, audience and commercial choice shipped it (reproducing that export).",
)
@click.option(
    "--shard-rows",
    default=50_000,
    show_default=True,
    type=int,
    help="Records per data shard at most (a shard also ends at 32 million characters of text).",
)
@click.option(
    "--pii-gate",
    type=click.Choice(["all", "expected"]),
    default="all",
    show_default=True,
    help=(
        "all: every record must have passed `curate run pii`; expected: only records of sources marked pii_expected"
        " and annotators' corrections."
    ),
)
@click.option(
    "--drop-near-duplicates",
    is_flag=True,
    help="Leave out near duplicates that the dedup policy keeps in the catalogue (e.g. parallel provisions of "
    "different laws); the catalogue is not changed.",
)
@click.option(
    "--include-deleted-stubs",
    is_flag=True,
    help="Keep the （刪除） (English: Deleted.) placeholders of repealed articles (left out by default).",
)
@click.option(
    "--catalogue",
    "licence_catalogue_file",
    type=click.Path(path_type=Path),  # a folder is refused in one line by the catalogue reader
    default=None,
    help="Licence catalogue TOML (default: the shipped one).",
)
@JSON_OPTION
def dataset_cmd(
    purpose: str,
    audience: str,
    commercial: bool | None,
    out_dir: Path,
    fmt: str,
    overwrite: bool,
    as_of: str | None,
    shard_rows: int,
    pii_gate: str,
    drop_near_duplicates: bool,
    include_deleted_stubs: bool,
    licence_catalogue_file: Path | None,
    as_json: bool,
) -> int:
    """Write the records whose licences permit PURPOSE for AUDIENCE to --out.

    Writes data/ shards, README.md, manifest.jsonl, blocked.csv, NOTICE.md, croissant.json and
    spdx.jsonld, records the export in the ledger and prints the export id.
    """
    from provenance.db import bulk_memory_limit
    from provenance.dbnew import connect_existing
    from provenance.errors import UsageError
    from provenance.export import ExportParams, export_dataset, load_licence_catalogue_for
    from provenance.licence_terms import iso_day
    from provenance.status import count_records

    if commercial is None:
        raise UsageError(
            "state the use: pass --commercial (the recipient uses the data commercially) or --non-commercial"
        )
    at = None
    if as_of and (at := iso_day(as_of)) is None:  # not 20260601 or a week date either: the day NOTICE names
        raise UsageError(f"--as-of `{as_of}` is not a date (YYYY-MM-DD)")
    params = ExportParams(
        purpose=purpose,
        audience=audience,
        commercial=commercial,
        format=fmt,
        at=at,
        shard_rows=shard_rows,
        pii_gate=pii_gate,
        drop_near_duplicates=drop_near_duplicates,
        include_deleted_stubs=include_deleted_stubs,
    ).validated()
    s = settings()
    cat = load_licence_catalogue_for(licence_catalogue_file)
    con = connect_existing(s.db_path, "`curate export dataset`", memory_limit=bulk_memory_limit())
    try:
        total = None if s.quiet or as_json else count_records(con, ("active", "withdrawn"))
        with progress("exporting", length=total, quiet=as_json) as update:
            res = export_dataset(
                con, out_dir, params, overwrite=overwrite, licence_catalogue=cat, actor=actor(), progress=update
            )
    finally:
        con.close()
    if as_json:
        echo_json(
            {
                "export_id": res.export_id,
                "out_dir": str(res.out_dir),
                "records": res.records,
                "blocked": res.blocked,
                "blocked_by_code": res.blocked_by_code,
                "licences": res.licences,
                "manifest_sha256": res.manifest_sha256,
                "files": list(res.files),
            }
        )
    else:
        click.echo(
            f"export {res.export_id}: {res.records} records to {res.out_dir}, {res.blocked} blocked"
            + (f" ({', '.join(f'{k} {v}' for k, v in res.blocked_by_code.items())})" if res.blocked else "")
        )
    if not res.records:
        why = ", ".join(f"{k} {v}" for k, v in res.blocked_by_code.items()) or "the catalogue has no active records"
        click.echo(
            f"warning: nothing qualified for this export ({why}); it has no data files and cannot be loaded with"
            f" datasets.load_dataset; see {res.out_dir / 'blocked.csv'}",
            err=True,
        )
    return 0
