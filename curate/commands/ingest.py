"""`curate ingest <source> ...`."""

from __future__ import annotations

from pathlib import Path

import click

from curate.commands._common import exit_code, progress, settings


@click.group("ingest")
def ingest() -> None:
    """Ingest a source into the catalogue."""


def report_ingest(report) -> int:
    """Print an ingest report; exit code 3 when something was quarantined."""
    d = report.as_dict()
    click.echo(f"run {d['run_id']}: {d['raw_items']} items read, {d['records_seen']} records "
               f"({d['records_new']} new, {d['versions_new']} new versions, {d['unchanged']} unchanged, "
               f"{d['superseded']} superseded), {d['quarantined']} quarantined, {d['skipped_total']} skipped")
    for reason, n in sorted(d["skipped"].items()):
        click.echo(f"  skipped {n}: {reason}")
    for reason, n in sorted(d["quarantine_reasons"].items()):
        click.echo(f"  quarantined {n}: {reason}")
    if d["quarantined"]:
        click.echo("  see `curate status` and the `quarantine` table for details", err=True)
    return exit_code(d["quarantined"])


@ingest.command("law-moj")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--scope", type=click.Choice(["fsc", "all"]), default="fsc", show_default=True,
              help="fsc: FSC categories, repealed FSC laws and the finance allow-list; all: everything.")
@click.option("--allow", "allow", multiple=True, metavar="PCODE",
              help="Add a PCODE to the finance allow-list (repeatable).")
def law_moj(paths: tuple[Path, ...], scope: str, allow: tuple[str, ...]) -> int:
    """law.moj.gov.tw bulk files: ChLaw/ChOrder/EnLaw .json(.zip), single law JSON, FalVMingLing XML.

    Snapshots are applied in the order given (directories in name order); an older snapshot never
    replaces a newer version (it is kept as history).
    """
    from curate import db
    from curate.ingest import ingest as run_ingest
    from sources.law_moj import DEFAULT_ALLOW_LIST, LawMojSource

    s = settings()
    con = db.connect(s.db_path)
    known = [r[0] for r in con.execute(
        "SELECT DISTINCT json_extract_string(metadata, '$.pcode') FROM records"
        " WHERE source_id = 'law_moj' AND lang = 'zh'").fetchall() if r[0]]
    con.close()
    source = LawMojSource(list(paths), scope=scope, allow_list=(*DEFAULT_ALLOW_LIST, *allow), known_fsc_pcodes=known)
    with progress("ingest law-moj") as update:
        report = run_ingest(s.db_path, source, progress=update)
    return report_ingest(report)


# --- other sources ---
