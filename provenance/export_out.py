"""Where an export goes: ``--out`` checked against the catalogue's own files and made ready."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from provenance.errors import UsageError

#: what marks a folder as an earlier export (written by every export): ``--overwrite`` replaces only such a folder
EXPORT_MARKER = "manifest.jsonl"


def catalogue_files(con: duckdb.DuckDBPyConnection) -> list[Path]:
    """The catalogue file of ``con`` (with its WAL and the work folder beside it), resolved; none in memory."""
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    if not row or not row[0]:
        return []
    db_file = Path(row[0]).resolve()
    return [db_file, db_file.with_name(db_file.name + ".wal"), db_file.parent / ".curate"]


def prepare_out(out_dir: Path, overwrite: bool, protected: list[Path] = ()) -> Path | None:
    """Check ``--out`` and make it ready: refused when it is, holds or lies inside the catalogue, its WAL or its work
    folder; a non-empty folder is replaced only with ``overwrite`` and only when it holds an earlier export (its
    :data:`EXPORT_MARKER`), never another folder (an ``--out`` of the catalogue's own folder once deleted it).

    The earlier export is moved aside (``.<name>.previous-<pid>`` beside it), not deleted: returns that path, for
    :func:`settle_previous` once the new export has succeeded or failed."""
    if out_dir.is_symlink():
        raise UsageError(f"--out `{out_dir}` is a symbolic link; pass the folder it points to")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out `{out_dir}` exists and is not a directory")
    target = out_dir.resolve()
    for path in protected:
        if target == path or path.is_relative_to(target) or target.is_relative_to(path):
            raise UsageError(
                f"--out `{out_dir}` overlaps the catalogue's files (`{path}`); choose a folder outside them"
            )
    if out_dir.exists() and any(out_dir.iterdir()):
        if not overwrite:
            raise UsageError(f"--out `{out_dir}` is not empty; choose an empty directory or pass --overwrite")
        if not (out_dir / EXPORT_MARKER).is_file():
            raise UsageError(
                f"--out `{out_dir}` is not empty and holds no earlier export (no {EXPORT_MARKER}); --overwrite replaces"
                " only an export folder: choose an empty or new directory"
            )
        if Path.cwd().resolve().is_relative_to(target):
            raise UsageError(f"--out `{out_dir}` is (or holds) the current directory; run the export from elsewhere")
        previous = target.with_name(f".{target.name}.previous-{os.getpid()}")
        shutil.rmtree(previous, ignore_errors=True)
        target.rename(previous)
    else:
        previous = None
    try:
        (out_dir / "data").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        settle_previous(out_dir, previous, ok=False)
        raise UsageError(
            f"--out `{out_dir}`: cannot create the folder ({exc.strerror}); choose a writable folder"
        ) from exc
    return previous


def settle_previous(out_dir: Path, previous: Path | None, *, ok: bool) -> None:
    """After the export: the earlier one (moved aside by :func:`prepare_out`) is removed when the new one succeeded,
    else put back in place of what the failed one left."""
    if previous is None:
        return
    if ok:
        shutil.rmtree(previous, ignore_errors=True)
        return
    shutil.rmtree(out_dir, ignore_errors=True)
    previous.rename(out_dir)
