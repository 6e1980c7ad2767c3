"""``curate report``: the curation report as one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path

import click

from curate.commands._common import settings
from curate.commands.licences import CATALOGUE_OPTION


@click.command("report")
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="HTML file to write (all scripts and styles inline; opens offline).",
)
@click.option("--purpose", default="training", show_default=True, help="Purpose for the funnel's exportable step.")
@click.option("--audience", default="consortium", show_default=True, help="Audience for the exportable step.")
@click.option(
    "--commercial/--non-commercial",
    default=False,
    show_default=True,
    help="Whether the exportable step assumes commercial use.",
)
@click.option(
    "--scale-results",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Add the scale benchmark's section from this results file (bench/scale.py, docs/bench-raw/scale.json).",
)
@CATALOGUE_OPTION
def report(
    out: Path,
    purpose: str,
    audience: str,
    commercial: bool,
    scale_results: Path | None,
    licence_catalogue_file: Path | None,
) -> int:
    """Write the curation report: records, stage funnel, PII, duplicates, edits, quarantine, exports, ledger.
    --catalogue: the funnel's exportable step by that licence catalogue (a corrected copy exports are made with)."""
    from curate.reporting import build_report, output
    from curate.reporting import scale as scale_mod
    from curate.reporting.catalogue_label import load_labelled
    from provenance import db
    from provenance.export_out import catalogue_files

    cat, cat_label = load_labelled(licence_catalogue_file)
    scale = scale_mod.load(scale_results) if scale_results else None
    s = settings()
    con = db.connect_readonly(s.db_path)
    try:
        output.check_out(out, catalogue_files(con))  # never over the catalogue, nor a file that is no report
        html = build_report(
            con,
            purpose=purpose,
            audience=audience,
            commercial=commercial,
            catalogue=str(s.db_path),
            scale=scale,
            db_path=s.db_path,
            licence_catalogue=cat,
            licence_label=cat_label,
        )
    finally:
        con.close()
    output.write(out, html)
    click.echo(f"report written to {out} ({len(html.encode()) // 1024:,} KiB, self-contained)")
    return 0
