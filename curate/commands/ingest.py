"""`curate ingest <source> ...`: one sub-command per entry of the source registry.

The list of sources is :data:`sources.SOURCES`; this module only says how each one's options look
on the command line. A registry entry without a command here is reported by the tests.
Each command builds one :class:`sources.base.Source` and calls :func:`curate.ingest.ingest`;
exit code 3 when anything was quarantined (``curate status`` lists the reasons).
"""

from __future__ import annotations

from pathlib import Path

import click

from curate.cli import SuggestingGroup
from curate.commands._common import exit_code, no_catalogue_at, note_new_catalogue, progress, settings

__all__ = ["ingest", "report_ingest"]


def report_ingest(report) -> int:
    """Print an ingest report, naming every skipped, rejected and warned item; exit 3 when quarantined."""
    d = report.as_dict()
    click.echo(
        f"run {d['run_id']}: {d['raw_items']} items read, {d['records_seen']} records "
        f"({d['records_new']} new, {d['versions_new']} new versions"
        + (f" of which {d['terms_changed']} licence terms changed" if d["terms_changed"] else "")
        + f", {d['unchanged']} unchanged, {d['superseded']} superseded), {d['quarantined']} quarantined, "
        f"{d['skipped_total']} skipped"
        + (f", {d['terms_notices']} with licence term problems (kept; --strict rejects)" if d["terms_notices"] else "")
        + (f", {other} warnings (below)" if (other := d["notices_total"] - d["terms_notices"]) else "")
        + (
            f", {d['licence_held']} records held from export (their file's manifest rows disagree or state no licence that holds)"
            if d["licence_held"]
            else ""
        )
        + (f", {d['licence_released']} released from a licence hold" if d["licence_released"] else "")
    )
    if d["absent"]:  # one line, no text: records of earlier dumps of the datasets read that this one lacks
        click.echo(
            f"  {d['absent']} records of earlier dumps not in this one: "
            + (d["absent_note"] or "still active with their licence; `--complete` marks them removed_from_source")
        )
    if d["absent_returned"] or d["absent_other_licence"]:  # rows --complete removed, in this dump again
        click.echo(
            f"  {d['absent_returned']} records removed by an earlier --complete are in this dump again: active again"
            + (
                f"; {d['absent_other_licence']} more stay removed (read under another licence than theirs)"
                if d["absent_other_licence"]
                else ""
            )
        )
    for line in report.detail_lines():
        click.echo("  " + line)
    if d["quarantined"]:
        click.echo("  see `curate status` and the `quarantine` table for details", err=True)
    return exit_code(d["quarantined"])


def _licence_id(_ctx, _param, value: str | None) -> str | None:
    """``--licence`` as the licence catalogue's own id: an alias stored as typed made a later ingest under the id
    new versions with ``licence_terms_changed`` events for one and the same licence. An id the licence catalogue
    does not hold is a usage error (exit 2, as README's other not-found ids; the source's own check exited 1)."""
    if not value:
        return value
    from provenance.errors import UsageError
    from provenance.licences import canonical_licence_id
    from sources.manifest import known_licence_ids

    if value not in (known := known_licence_ids()):
        fsc = getattr(_ctx, "info_name", None) == "fsc"  # FSC's own message also said how to leave the option out
        raise UsageError(
            f"--licence `{value}`: unknown licence id{' for FSC cases' if fsc else ''}; known: "
            f"{', '.join(sorted(known))} (`curate licences list`)"
            + (", or give none (no --licence) for LicenseRef-TW-Copyright-Art9" if fsc else "")
        )
    return canonical_licence_id(value)


_PATHS = click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))


def _run(source, label: str) -> int:
    from curate.ingest import ingest as run_ingest
    from curate.pipeline_places import refuse_ingest_paths
    from provenance.errors import UsageError

    s = settings()
    refuse_ingest_paths(source.paths, s.db_path)  # its work files or an earlier export read back as a source
    new = no_catalogue_at(s.db_path)
    try:
        with progress(label) as update:
            report = run_ingest(s.db_path, source, progress=update)
        return report_ingest(report)
    except UsageError:  # a refusal (exit 2) stays its one line
        new = False
        raise
    finally:  # a mistyped --db (or $CURATE_DB) made a catalogue of its own: said, never silent, an error too (review 13)
        if new:
            note_new_catalogue(s.db_path, "ingest")


@click.command("moda")
@_PATHS
@click.option(
    "--licence",
    "licence",
    required=True,
    metavar="ID",
    callback=_licence_id,
    help="Licence of these files: OGDL-Taiwan-1.0 (open data) or the AI-training-only licence id.",
)
@click.option("--text-field", default=None, help="Column holding the text (default: text/content/內容/...).")
@click.option("--id-field", default=None, help="Column holding a stable row id (default: id/uuid/...).")
@click.option("--title-field", default=None, help="Column holding the title (default: title/標題/...).")
@click.option("--url-field", default=None, help="Column holding the source URL (default: url/來源網站/...).")
@click.option("--date-field", default=None, help="Column holding the date (default: date/日期/...).")
@click.option(
    "--dataset",
    default=None,
    help="Dataset id recorded in metadata (default: the folder name; refused if another folder has it).",
)
@click.option("--source-id", default=None, help="Catalogue source id (default: moda).")
@click.option(
    "--pii-expected",
    is_flag=True,
    help="These records may name people: ids and digests are keyed (needs CURATE_PII_KEY) and nothing is "
    "exported or annotated before the PII stage. Once set for a source it stays set.",
)
@click.option(
    "--expiry",
    default=None,
    metavar="YYYY-MM-DD",
    help="The grant's last day (a licence granted per applicant, e.g. the AI-training licence): exports after it "
    "refuse these records (expired). `none`: the grant no longer ends (needed once records hold an expiry).",
)
@click.option(
    "--licensee",
    default=None,
    metavar="AUDIENCE",
    help="Who holds the grant: consortium (the default of the AI-training licence) or member:BANK for one bank's own "
    "grant; it is not transferable, so exports to any other audience refuse these records.",
)
@click.option(
    "--complete",
    is_flag=True,
    help="These inputs are the whole of each dataset they hold: its active records not in them are marked "
    "removed_from_source (superseded, one ledger row each); nothing is marked when an item was quarantined.",
)
def moda_cmd(
    paths,
    licence,
    text_field,
    id_field,
    title_field,
    url_field,
    date_field,
    dataset,
    source_id,
    pii_expected,
    expiry,
    licensee,
    complete,
) -> int:
    """MODA sovereign-AI corpus: JSONL/JSON/CSV/Parquet, Hugging Face dataset folders, PDFs.

    Unmapped columns are kept in metadata.fields; a JSONL line that is not JSON is quarantined
    with its line number and the rest is ingested.
    """
    from curate.ingest_rows import moda_dataset_options
    from sources.moda import ModaSource
    from sources.moda_grants import held_grant_terms

    sid = source_id or ModaSource.name
    held = {} if dataset else moda_dataset_options(settings().db_path, sid, pii_expected=pii_expected)
    held["held_terms"] = held_grant_terms(settings().db_path, sid, licence)  # never dropped by leaving them out
    source = ModaSource(
        list(paths),
        licence=licence,
        text_field=text_field,
        id_field=id_field,
        title_field=title_field,
        url_field=url_field,
        date_field=date_field,
        dataset=dataset,
        source_id=source_id,
        pii_expected=pii_expected,
        expiry=expiry,
        licensee=licensee,
        complete=complete,
        **held,
    )
    return _run(source, "ingest moda")


@click.command("fsc")
@_PATHS
@click.option(
    "--licence",
    "licence",
    default=None,
    metavar="ID",
    callback=_licence_id,
    help="Licence id (default: LicenseRef-TW-Copyright-Art9, official documents).",
)
def fsc_cmd(paths, licence) -> int:
    """FSC sanction cases: RSS/XML feed, saved list and case pages (HTML), CSV; one record per case.

    The source is marked pii_expected: its records cannot be exported or annotated before the
    PII stage has run.
    """
    from sources.fsc import FscSource

    # a list row never replaces a case held in full: the ingest reads them (FscSource.know_catalogue)
    return _run(FscSource(list(paths), licence=licence), "ingest fsc")


def _manifest_command(name: str, what: str) -> click.Command:
    @click.command(
        name,
        help=f"""{what} listed in MANIFEST.csv (PDF, DOCX, EPUB, HTML, text).

    Manifest columns: path (relative to the manifest), title, licensor, licence_id (required,
    must be a known licence), agreement_id, audience, edition, isbn, purposes (separated by ;),
    commercial (yes/no), expiry (YYYY-MM-DD), attribution; other columns are kept as metadata.
    Files not listed and rows whose file is missing are named, never ingested. Rows whose
    licence terms exports would refuse are named by line with the allowed values and kept
    (--strict: rejected). A change of terms alone makes new versions (licence_terms_changed).
    Check a manifest first with `curate manifest check MANIFEST.csv`.""",
    )
    @click.argument("manifests", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--max-uncompressed-mb",
        type=click.IntRange(1),
        default=256,
        show_default=True,
        help="Refuse EPUB/DOCX files that uncompress to more than this (zip bombs).",
    )
    @click.option("--source-id", default=None, help=f"Catalogue source id (default: {name}).")
    @click.option(
        "--strict",
        is_flag=True,
        help="Reject (quarantine) rows whose licence terms are incomplete or invalid instead of warning.",
    )
    @click.option(
        "--pii-expected",
        is_flag=True,
        help="These documents may name people: keyed ids (needs CURATE_PII_KEY), PII stage before export. Sticks.",
    )
    def cmd(manifests, max_uncompressed_mb, source_id, strict, pii_expected) -> int:
        from sources import get_source_class

        source_cls = get_source_class(name)
        source = source_cls(
            list(manifests),
            max_uncompressed_bytes=max_uncompressed_mb * 1024 * 1024,
            source_id=source_id,
            strict=strict,
            pii_expected=pii_expected,
        )
        return _run(source, f"ingest {name}")

    return cmd


@click.command("law-moj")
@_PATHS
@click.option(
    "--scope",
    type=click.Choice(["fsc", "all"]),
    default="fsc",
    show_default=True,
    help="fsc: FSC categories, repealed FSC laws and the finance allow-list; all: everything.",
)
@click.option(
    "--allow", "allow", multiple=True, metavar="PCODE", help="Add a PCODE to the finance allow-list (repeatable)."
)
def law_moj(paths: tuple[Path, ...], scope: str, allow: tuple[str, ...]) -> int:
    """law.moj.gov.tw bulk files: ChLaw/ChOrder/EnLaw .json(.zip), single law JSON, FalVMingLing XML.

    Snapshots are applied in the order given (directories in name order); an older snapshot never
    replaces a newer version (it is kept as history).
    """
    from sources.law_moj import DEFAULT_ALLOW_LIST, LawMojSource

    # the FSC laws the catalogue holds are read by the ingest (LawMojSource.know_catalogue)
    source = LawMojSource(list(paths), scope=scope, allow_list=(*DEFAULT_ALLOW_LIST, *allow))
    return _run(source, "ingest law-moj")


_COMMANDS: dict[str, click.Command] = {
    "law_moj": law_moj,
    "moda": moda_cmd,
    "fsc": fsc_cmd,
    "tabf": _manifest_command("tabf", "台灣金融研訓院 (TABF) material"),
    "textbooks": _manifest_command("textbooks", "University textbooks"),
}


class _SourceGroup(SuggestingGroup):
    """Sub-commands are the registry's sources (``law_moj`` is spelt ``law-moj``)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from sources import SOURCES

        return sorted(name.replace("_", "-") for name in SOURCES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from sources import SOURCES

        key = cmd_name.replace("-", "_")
        return _COMMANDS.get(key) if key in SOURCES else None


@click.group("ingest", cls=_SourceGroup)
def ingest() -> None:
    """Ingest a source into the catalogue."""
