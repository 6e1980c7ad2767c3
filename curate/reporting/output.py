"""Where the curation report goes: never over the catalogue's files, nor over a file that is no earlier report.

``curate report --out`` and a pipeline file's ``[report] out`` check the path before the report is built
(:func:`check_out`) and write it whole or not at all (:func:`write`).
"""

from __future__ import annotations

import os
from pathlib import Path

from provenance.errors import OutputError, UsageError
from provenance.export_out import refuse_inside_export, refuse_overlap

#: written into every report's ``<head>`` (``templates/report.html.j2``): a file holding it may be replaced
REPORT_MARK = '<meta name="generator" content="curate report">'
#: reports written before the mark: the default title of :func:`curate.reporting.html.render`
_OLD_TITLE = "<title>FinLLM 語料整理報告 Curation report</title>"
#: how much of an existing file is read to recognise a report (the mark and title are in the head)
_HEAD = 4096


def is_report(path: Path) -> bool:
    """Whether ``path`` holds a curation report written earlier (its head carries :data:`REPORT_MARK`)."""
    with path.open("rb") as fh:
        head = fh.read(_HEAD).decode("utf-8", "replace")
    return REPORT_MARK in head or (head.lstrip().lower().startswith("<!doctype html>") and _OLD_TITLE in head)


def check_out(out: Path, catalogue: list[Path], *, option: str = "--out") -> None:
    """Refuse ``out`` when it is one of the ``catalogue``'s files (:func:`provenance.export_out.catalogue_paths`) or
    an existing file other than an empty one or an earlier report: the report replaces only those. Refused too inside
    an export's folder (:func:`provenance.export_out.refuse_inside_export`): the steward's report (sources, PII,
    quarantine, every export) shipped with that export to its recipients; a pipeline file refused it for its own
    exports only."""
    refuse_overlap(out, catalogue, option=option, kind="file")
    refuse_inside_export(out, option=option)
    if not out.exists():
        return
    if not out.is_file():
        raise UsageError(f"{option} `{out}` exists and is not a file; name the report's HTML file")
    if out.stat().st_size and not is_report(out):
        raise UsageError(
            f"{option} `{out}` exists and is not a curation report; a report replaces only an earlier one:"
            " choose a new file name or move that file"
        )


def write(out: Path, html: str, *, option: str = "--out") -> None:
    """Write the report at ``out`` (through a link, at its target) whole: a temporary file beside it, renamed over
    it, so a full disk leaves the earlier report in place rather than half a page."""
    target = out.resolve()
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        raise OutputError(
            f"{option} `{out}`: the report could not be written ({exc.strerror or exc}); free space there or"
            " choose another place"
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
