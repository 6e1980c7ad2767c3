"""`curate ingest moda|fsc|tabf|textbooks`: the corpus, sanction-case and licensed-document sources.

:func:`register` adds the commands to the ``ingest`` group of :mod:`curate.commands.ingest`.
Each command builds one :class:`sources.base.Source` and calls :func:`curate.ingest.ingest`;
exit code 3 when anything was quarantined (``curate status`` lists the reasons).
"""

from __future__ import annotations

from pathlib import Path

import click

from curate.commands._common import progress, settings

__all__ = ["register"]

_PATHS = click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))


def _run(source, label: str) -> int:
    from curate.commands.ingest import report_ingest
    from curate.ingest import ingest as run_ingest

    s = settings()
    with progress(label) as update:
        report = run_ingest(s.db_path, source, progress=update)
    return report_ingest(report)


@click.command("moda")
@_PATHS
@click.option("--licence", "licence", required=True, metavar="ID",
              help="Licence of these files: OGDL-Taiwan-1.0 (open data) or the AI-training-only licence id.")
@click.option("--text-field", default=None, help="Column holding the text (default: text/content/內容/...).")
@click.option("--id-field", default=None, help="Column holding a stable row id (default: id/uuid/...).")
@click.option("--title-field", default=None, help="Column holding the title (default: title/標題/...).")
@click.option("--url-field", default=None, help="Column holding the source URL (default: url/來源網站/...).")
@click.option("--date-field", default=None, help="Column holding the date (default: date/日期/...).")
@click.option("--dataset", default=None, help="Dataset id recorded in metadata (default: the folder name).")
@click.option("--source-id", default=None, help="Catalogue source id (default: moda).")
def moda_cmd(paths, licence, text_field, id_field, title_field, url_field, date_field, dataset, source_id) -> int:
    """MODA sovereign-AI corpus: JSONL/JSON/CSV/Parquet, Hugging Face dataset folders, PDFs.

    Unmapped columns are kept in metadata.fields; a JSONL line that is not JSON is quarantined
    with its line number and the rest is ingested.
    """
    from sources.moda import ModaSource

    source = ModaSource(list(paths), licence=licence, text_field=text_field, id_field=id_field,
                        title_field=title_field, url_field=url_field, date_field=date_field,
                        dataset=dataset, source_id=source_id)
    return _run(source, "ingest moda")


@click.command("fsc")
@_PATHS
@click.option("--licence", "licence", default=None, metavar="ID",
              help="Licence id (default: LicenseRef-TW-Copyright-Art9, official documents).")
def fsc_cmd(paths, licence) -> int:
    """FSC sanction cases: RSS/XML feed, saved list and case pages (HTML), CSV; one record per case.

    The source is marked pii_expected: its records cannot be exported or annotated before the
    PII stage has run.
    """
    from sources.fsc import FscSource

    return _run(FscSource(list(paths), licence=licence), "ingest fsc")


def _manifest_command(name: str, class_path: str, what: str) -> click.Command:
    @click.command(name, help=f"""{what} listed in MANIFEST.csv (PDF, DOCX, EPUB, HTML, text).

    Manifest columns: path (relative to the manifest), title, licensor, licence_id (required,
    must be a known licence), agreement_id, audience, edition, isbn, purposes, expiry,
    attribution; other columns are kept as metadata. Files not listed and rows whose file is
    missing are reported, never ingested.""")
    @click.argument("manifests", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--max-uncompressed-mb", type=click.IntRange(1), default=256, show_default=True,
                  help="Refuse EPUB/DOCX files that uncompress to more than this (zip bombs).")
    @click.option("--source-id", default=None, help=f"Catalogue source id (default: {name}).")
    def cmd(manifests, max_uncompressed_mb, source_id) -> int:
        import importlib

        module, cls = class_path.split(":")
        source_cls = getattr(importlib.import_module(module), cls)
        source = source_cls(list(manifests), max_uncompressed_bytes=max_uncompressed_mb * 1024 * 1024,
                            source_id=source_id)
        return _run(source, f"ingest {name}")

    return cmd


COMMANDS = (
    moda_cmd,
    fsc_cmd,
    _manifest_command("tabf", "sources.tabf:TabfSource", "台灣金融研訓院 (TABF) material"),
    _manifest_command("textbooks", "sources.textbooks:TextbooksSource", "University textbooks"),
)


def register(group: click.Group) -> None:
    """Add ``moda``, ``fsc``, ``tabf`` and ``textbooks`` to ``group`` (idempotent)."""
    for command in COMMANDS:
        if command.name not in group.commands:
            group.add_command(command)
