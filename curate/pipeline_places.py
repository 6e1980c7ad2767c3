"""Where a pipeline file reads and writes, checked against the catalogue before its first step
(:func:`curate.pipeline.check_outputs`, for the run and the dry run alike).

* An ``[[ingest]]`` path may not be, hold or lie in the catalogue's files (the DuckDB file, its WAL, its ``.curate``
  work folder) nor a folder an export of this catalogue was written to: an export read back as a source takes its
  records in again under that batch's licence (a consortium-only text ingested as open data ships in a public export
  as the stand-in of its own original), and the work folder holds stage files and logs of text not yet through PII.
* An ``[[export]]`` folder that its export would refuse (a file, a link, a folder holding anything but an earlier
  export of this catalogue, a non-empty one with ``overwrite = false``) is refused now, not after every ingest batch
  and stage has run (hours on a real corpus), and the dry run says so instead of what the export would hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from curate.pipeline_checks import overlaps
from provenance.errors import ConfigError, UsageError, WorkbenchError


def _export_folders(db_path: str | Path) -> list[tuple[str, Path]]:
    """``(export_id, folder)`` of every export of the catalogue at ``db_path`` that names its folder."""
    from provenance import db
    from provenance.dbnew import holds_no_catalogue

    if holds_no_catalogue(db_path):  # a 0-byte file or an empty database too: an ingest makes it a catalogue
        return []

    con = db.connect_readonly(db_path)
    try:
        rows = con.execute(
            "SELECT export_id, out_dir FROM exports WHERE out_dir IS NOT NULL GROUP BY ALL ORDER BY min(export_seq)"
        ).fetchall()
    finally:
        con.close()
    return [(export_id, Path(out)) for export_id, out in rows]


def refuse_catalogue_inputs(pipe: Any, db_path: str | Path) -> None:
    """No ``[[ingest]]`` path of ``pipe`` (a :class:`curate.pipeline.Pipeline`) may overlap the catalogue's files or
    an earlier export's folder (module docstring)."""
    exports = _export_folders(db_path) if pipe.ingest else []
    for i, step in enumerate(pipe.ingest, 1):
        if problem := catalogue_input_problem(step.paths, db_path, exports):
            raise ConfigError(f"{pipe.path}: [[ingest]] #{i}: {problem}")


def refuse_ingest_paths(paths: list[Path], db_path: str | Path) -> None:
    """``curate ingest SOURCE PATH...``: the pipeline's check (:func:`refuse_catalogue_inputs`) for the paths given on
    the command line, a usage error (exit 2) before the ingest opens the catalogue for writing."""
    if problem := catalogue_input_problem(paths, db_path, _export_folders(db_path)):
        raise UsageError(problem)


def catalogue_input_problem(paths: list[Path], db_path: str | Path, exports: list[tuple[str, Path]]) -> str | None:
    """Why one of ``paths`` may not be read by an ingest into the catalogue at ``db_path`` (``exports``: its
    :func:`_export_folders`), or None."""
    from provenance.export_out import catalogue_paths

    catalogue = catalogue_paths(db_path)
    for path in paths:
        for own in catalogue:
            if overlaps(path, own):
                return (
                    f"`{path}` overlaps the catalogue's files (`{own}`): the batch would read the catalogue, its"
                    " ledger or its work files (stage files of text not yet through PII) as source material; name the"
                    " source's own files or folder"
                )
        for export_id, out in exports:
            if overlaps(path, out):
                return (
                    f"`{path}` overlaps `{out}`, the folder of export {export_id}: an export read back as a source"
                    " takes its records in again under this batch's licence, whatever theirs; ingest the original"
                    " source instead"
                )
    return None


def refuse_unusable_export_folders(pipe: Any, db_path: str | Path) -> None:
    """Each ``[[export]]`` folder is one its export will take: new, empty, or (with ``overwrite``) an earlier export of
    this catalogue holding nothing else (:func:`provenance.export_out.earlier_export`). A folder where an interrupted
    export left its staging files is left to the export, which settles them first."""
    from provenance import db
    from provenance.export_out import earlier_export
    from provenance.export_stage import PREVIOUS, STAGING

    for i, step in enumerate(pipe.exports, 1):
        where, out = f"{pipe.path}: [[export]] #{i}", step.out
        if out.is_symlink():
            raise UsageError(f"{where}: `out` `{out}` is a symbolic link; give the folder it points to")
        if out.exists() and not out.is_dir():
            raise UsageError(f"{where}: `out` `{out}` exists and is not a folder; give a new or empty folder")
        try:
            entries = [p.name for p in out.iterdir()] if out.is_dir() else []
        except OSError as exc:
            raise UsageError(
                f"{where}: `out` `{out}` cannot be listed ({exc.strerror}); choose a readable folder"
            ) from None
        if not entries or any(n.startswith((STAGING, PREVIOUS)) for n in entries):
            continue
        if not step.overwrite:
            raise UsageError(
                f"{where}: `out` `{out}` is not empty and `overwrite = false`; choose an empty or new folder, or set"
                " `overwrite = true` to replace an earlier export of this catalogue there"
            )
        if not Path(db_path).exists():
            raise UsageError(
                f"{where}: `out` `{out}` is not empty and the catalogue `{db_path}` does not exist yet, so it holds no"
                " earlier export of it; choose an empty or new folder"
            )
        con = db.connect_readonly(db_path)
        try:
            earlier_export(con, out.resolve())
        except WorkbenchError as exc:
            raise UsageError(f"{where}: {exc}") from exc
        finally:
            con.close()
