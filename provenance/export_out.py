"""Where an export goes: ``--out`` checked against the catalogue's own files and made ready."""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from provenance import export_stage
from provenance.errors import OutputError, UsageError
from provenance.export_stage import recorded_export, uninterrupted
from provenance.faults import fault
from provenance.runs import finish_run
from provenance.textshow import hidden, one_line

log = logging.getLogger(__name__)

#: what an export folder holds (every export writes it); ``--overwrite`` looks it up in ``exports``
EXPORT_MARKER = "manifest.jsonl"
#: the files every export writes beside its data shards (``provenance/export.py``, ``_write_documents``)
EXPORT_DOCUMENTS = frozenset({EXPORT_MARKER, "blocked.csv", "NOTICE.md", "README.md", "croissant.json", "spdx.jsonld"})
#: an export's data shards, for exports that predate per-file hashes in their ledger event
_SHARD = re.compile(r"data/train-\d{5}\.(parquet|jsonl)")
#: unexpected files named in a refusal
_SHOWN = 3


@dataclass(frozen=True, slots=True)
class Staged:
    """Where an export is written (:func:`prepare_out`) before :func:`commit_out` puts it in place in ``out``."""

    out: Path
    """``--out``, resolved."""
    staging: Path
    """``<out>/.curate-staging-<token>``: the export is written here, out of sight until it is recorded."""
    previous: frozenset[str] | None
    """The files of the earlier export in ``out`` that ``--overwrite`` replaces; None when there is none."""
    marker: export_stage.Marker
    """The staging folder's marker, locked while the export runs."""
    created: bool = False
    """``out`` did not exist: an export that is not recorded removes it again."""


def catalogue_paths(db_path: str | Path) -> list[Path]:
    """The catalogue file at ``db_path`` with its WAL and the work folder beside it, resolved (they need not exist).

    >>> [p.name for p in catalogue_paths("/data/cat.duckdb")]
    ['cat.duckdb', 'cat.duckdb.wal', '.curate']
    """
    db_file = Path(db_path).resolve()
    return [db_file, db_file.with_name(db_file.name + ".wal"), db_file.parent / ".curate"]


def catalogue_files(con: duckdb.DuckDBPyConnection) -> list[Path]:
    """The catalogue file of ``con`` (with its WAL and the work folder beside it), resolved; none in memory."""
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    if not row or not row[0]:
        return []
    return catalogue_paths(row[0])


def refuse_overlap(out: Path, catalogue: list[Path], *, option: str = "--out", kind: str = "folder") -> None:
    """Refuse an output path that is, holds or lies inside one of the ``catalogue``'s files (:func:`catalogue_files`,
    :func:`catalogue_paths`), also through a link: an export, a report or an anchor file written there would
    overwrite the catalogue or its ledger."""
    target = out.resolve()
    for path in catalogue:
        same = target.exists() and path.exists() and os.path.samefile(target, path)  # a hard link too
        if same or target == path or path.is_relative_to(target) or target.is_relative_to(path):
            raise UsageError(
                f"{option} `{out}` overlaps the catalogue's files (`{path}`); choose a {kind} outside them"
            )


def refuse_inside_export(out: Path, *, option: str = "--out") -> None:
    """Refuse an output folder that lies inside an export's folder (one above it holds an export's
    :data:`EXPORT_MARKER` and ``NOTICE.md``, of this catalogue or another): written there, the one export would ship
    with the other, to the other's recipients (a member bank's export inside the public one). Checked by name and
    through links, before anything is written: the folders above ``out`` as written (a link inside the export's
    folder to a folder elsewhere ships what it points to with the export: ``zip -r`` and ``cp -rL`` follow it) and
    above the folder it resolves to."""
    lexical = Path(os.path.abspath(out)).parents
    for folder in dict.fromkeys([*out.resolve().parents, *lexical]):
        if (folder / EXPORT_MARKER).is_file() and (folder / "NOTICE.md").is_file():
            raise UsageError(
                f"{option} `{out}` lies inside the export folder `{folder}` (it holds {EXPORT_MARKER} and NOTICE.md):"
                " whoever receives that export would receive this one too; choose a folder outside every export"
            )


def refuse_non_utf8(
    path: Path, option: str, kind: str, held_by: str = "the catalogue and the export record it as"
) -> None:
    r"""Refuse a path that is not UTF-8 text (a name of other bytes, held by Python as surrogates): the run, the
    ledger, the exports table and NOTICE.md hold it as text, and writing it failed with a traceback after
    ``--out`` was made (review 12). Refuse one holding a line break, a control or a bidi character too (review 17:
    an ``--out`` whose name went on with ``\nexport 0000: 0 records`` forged a second line of the export's summary).

    >>> refuse_non_utf8(Path(os.fsdecode(b"/tmp/bad\xffdir")), "--out", "folder")
    Traceback (most recent call last):
    ...
    provenance.errors.UsageError: --out `/tmp/bad\xffdir`: the folder's path is not UTF-8 text, which the catalogue and the export record it as; choose a folder whose path is UTF-8
    """
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")
        raise UsageError(
            f"{option} `{shown}`: the {kind}'s path is not UTF-8 text, which {held_by};"
            f" choose a {kind} whose path is UTF-8"
        ) from None
    if bad := next((c for c in str(path) if hidden(c)), None):  # review 17: `--out $'e\nexport 0000: 0 records'`
        raise UsageError(
            f"{option} `{one_line(str(path))}`: the {kind}'s path holds a line break, "
            f"control or bidi character (U+{ord(bad):04X}), and the command's summary, the catalogue and its audit "
            f"listings show it as one line; choose a {kind} whose path has none"
        )


def file_target(out: Path, *, option: str = "--output") -> Path:
    """Where a file written whole at ``out`` (a new file beside it, renamed over it) lands: ``out``, or through a
    symbolic link the regular file it points to (the link stays). Refuse an ``out`` that exists and is not a regular
    file (a device such as ``/dev/null``, a FIFO, ``/proc/self/fd/1``, a folder) and a link that points nowhere:
    the rename would replace the device, or the link, by a file (review 7: ``--output /dev/full``, as root, made
    ``/dev/full`` a regular file).

    >>> file_target(Path("/dev/null"))
    Traceback (most recent call last):
    ...
    provenance.errors.UsageError: --output `/dev/null` exists and is not a regular file (a device, a FIFO or a folder); the output would replace it: give the path of a file
    """
    if out.exists() and not out.is_file():
        raise UsageError(
            f"{option} `{out}` exists and is not a regular file (a device, a FIFO or a folder); the output would"
            " replace it: give the path of a file"
        )
    if not out.is_symlink():
        return out
    if not out.exists():
        raise UsageError(
            f"{option} `{out}` is a symbolic link to nothing (`{os.readlink(out)}`); give the path of a file"
        )
    return out.resolve()


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes, read a MiB at a time (an export's files, its manifest)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _folder(out: Path) -> tuple[set[str], list[str]]:
    """The plain files under ``out`` (relative posix names) and anything else there (links, other entries, a
    directory holding no file: the export writes none, and settling would remove it; except ``data/``, which an
    export that nothing qualified for leaves empty, so that such an export could never be overwritten)."""
    files, odd, dirs = set(), [], []
    for p in sorted(out.rglob("*")):
        name = p.relative_to(out).as_posix()
        if p.is_symlink() or not (p.is_file() or p.is_dir()):
            odd.append(name)
        elif p.is_file():
            files.add(name)
        else:
            dirs.append(name)
    odd += [d + "/" for d in dirs if d != "data" and not any(f.startswith(d + "/") for f in files)]
    return files, sorted(odd)


def _refuse(out: Path, what: str, names: list[str]) -> UsageError:
    shown = ", ".join(names[:_SHOWN]) + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")
    return UsageError(
        f"--out `{out}` {what}: {shown}; --overwrite replaces only an earlier export of this catalogue holding"
        " nothing else: move those files out, or choose an empty or new directory"
    )


def earlier_export(con: duckdb.DuckDBPyConnection, out: Path) -> frozenset[str]:
    """The files of the earlier export of this catalogue in ``out``, which ``--overwrite`` may replace.

    ``out`` must hold a manifest whose sha256 is an ``exports`` row's and nothing but the files that export wrote,
    unchanged (names and sha256 from its ledger event; exports that predate per-file hashes: the names every
    export writes). Anything else is refused with the first few unexpected files named, so no file the export did
    not write is ever deleted."""
    present, odd = _folder(out)
    if odd:
        raise _refuse(out, "holds links, empty folders or special files", odd)
    if EXPORT_MARKER not in present:
        raise _refuse(out, f"holds no earlier export (no {EXPORT_MARKER})", sorted(present))
    rows = con.execute(
        "SELECT e.export_id, p.detail FROM exports e LEFT JOIN provenance_events p"
        " ON p.seq = e.export_seq AND p.action = 'export' WHERE e.manifest_sha256 = ? ORDER BY e.export_seq DESC",
        [sha256_file(out / EXPORT_MARKER)],
    ).fetchall()
    if not rows:
        raise _refuse(
            out, f"is no export of this catalogue (its {EXPORT_MARKER} matches none) and holds", sorted(present)
        )
    best: list[str] | None = None
    for export_id, detail in rows:
        files: dict[str, str] = (json.loads(detail) if detail else {}).get("files") or {}
        if files:
            extra = sorted(present - set(files))
            changed = [] if extra else [f"{n} (changed)" for n in sorted(present) if sha256_file(out / n) != files[n]]
            unexpected = extra + changed
        else:  # an export from before per-file hashes: its card names it
            unexpected = sorted(n for n in present if n not in EXPORT_DOCUMENTS and not _SHARD.fullmatch(n))
            card = out / "README.md"
            if not unexpected and card.is_file() and f"export-{export_id}" not in card.read_text("utf-8", "replace"):
                unexpected = ["README.md (not this export's card)"]
        if not unexpected:
            return frozenset(present)
        best = unexpected if best is None or len(unexpected) < len(best) else best
    raise _refuse(out, "holds files its earlier export did not write", best or [])


def prepare_out(con: duckdb.DuckDBPyConnection, out_dir: Path, overwrite: bool) -> Staged:
    """Check ``--out`` and make a staging folder inside it: refused when it is, holds or lies inside the catalogue,
    its WAL or its work folder, or lies inside another export's folder (:func:`refuse_inside_export`); a non-empty folder is replaced only with ``overwrite`` and only when it is an earlier
    export of this catalogue holding nothing else (:func:`earlier_export`), never another folder (an ``--out`` of
    the catalogue's own folder once deleted it, and so did any folder holding a ``manifest.jsonl``).

    Nothing is written outside ``--out``, and ``--out`` itself is never renamed (a mount point, a folder whose
    parent is not writable); what an interrupted export left in it is settled first
    (:func:`provenance.export_stage.settle`), and its files are not touched until the export is recorded
    (:func:`commit_out`)."""
    refuse_non_utf8(out_dir.resolve(), "--out", "folder")
    if out_dir.is_symlink():
        raise UsageError(f"--out `{out_dir}` is a symbolic link; pass the folder it points to")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out `{out_dir}` exists and is not a folder; choose a new or empty folder")
    target = out_dir.resolve()
    catalogue = catalogue_files(con)
    refuse_overlap(out_dir, catalogue)
    refuse_inside_export(out_dir)
    db_file = str(catalogue[0]) if catalogue else None
    created = not target.exists()
    made = [d for d in (target, *target.parents) if not d.exists()]  # what mkdir makes, the deepest first
    try:
        target.mkdir(parents=True, exist_ok=True)
        export_stage.settle(con, target, db_file)
        _settle_beside(con, target)
        previous = None
        if any(target.iterdir()):
            if not overwrite:
                raise UsageError(f"--out `{out_dir}` is not empty; choose an empty directory or pass --overwrite")
            previous = earlier_export(con, target)
        staging, marker = export_stage.create(target, db_file, previous)
    except OSError as exc:
        for d in made:  # a new --out (and its new parents) stays not there: "it left nothing there"
            with contextlib.suppress(OSError):
                d.rmdir()
        where = f": `{exc.filename}`" if exc.filename else ""
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):  # nothing of this export is left in --out
            raise UsageError(
                f"--out `{out_dir}`: the export could not begin ({exc.strerror}{where}); it left nothing there, an"
                " earlier export in it is as it was: free space there (or raise the file-size limit or quota) and export"
                " again"
            ) from exc
        raise UsageError(
            f"--out `{out_dir}`: cannot create or write in the folder ({exc.strerror}{where}); choose a writable folder"
        ) from exc
    return Staged(target, staging, previous, marker, created)


def note(staged: Staged, **fields: str) -> None:
    """Write ``fields`` (the run id once it began, the export id before it is recorded) into the staging folder's
    marker: the next export into ``--out`` finds this export's run by them."""
    staged.marker.write(**fields)


def commit_out(staged: Staged, files: frozenset[str]) -> None:
    """Put a recorded export in place: the earlier export's files it replaces moved aside, the new ``files``
    renamed up, the earlier ones removed (:func:`export_stage.promote`). Killed, the next export into ``--out``
    finishes it."""
    try:
        export_stage.promote(staged.out, staged.staging, staged.previous, files)
    finally:
        staged.marker.release()


def discard(staged: Staged) -> None:
    """After an export that was not recorded: its staging folder removed; ``out``'s files were never touched."""
    shutil.rmtree(staged.staging, ignore_errors=True)
    staged.marker.release()
    if staged.created:
        with contextlib.suppress(OSError):
            staged.out.rmdir()


def keep(staged: Staged) -> None:
    """After an export whose recording cannot be told (the catalogue failed): its staging folder is left, for the
    next export into ``--out`` to put in place or remove by what the catalogue recorded."""
    staged.marker.release()
    log.warning("`%s`: left for the next export into `%s` to settle", staged.staging, staged.out)


def finish(
    con: duckdb.DuckDBPyConnection,
    staged: Staged,
    run_id: str,
    export_id: str,
    records: int,
    blocked: dict[str, int],
    files: tuple[str, ...] | list[str],
) -> None:
    """A recorded export: its run finished and its files put in place, Ctrl-C and SIGTERM held back meanwhile."""
    with uninterrupted():
        finish_run(con, run_id, counts={"records": records, "blocked": blocked, "export_id": export_id})
        fault("export_recorded")  # crash tests: recorded, not yet in place
        commit_out(staged, frozenset(files))


def after_failure(con: duckdb.DuckDBPyConnection, staged: Staged, run_id: str | None, exc: BaseException) -> None:
    """An export interrupted or failed. Recorded before it (a SIGTERM as its transaction committed), it is finished
    and put in place like any recorded export; never recorded, its run is marked failed and its staging folder
    removed (``--out``'s files were not touched); when the catalogue cannot tell, the folder is left to the next
    export into ``--out``."""
    try:
        recorded = recorded_export(con, run_id) if run_id is not None else None
    except duckdb.Error:  # the catalogue itself failed: what it recorded is unknown
        keep(staged)
        return
    if recorded is not None:
        if staged.marker.released:  # its promotion was tried and refused (and said why): the next export finishes it
            return
        finish(con, staged, run_id, recorded.export_id, recorded.records, recorded.blocked, recorded.files)
        log.warning(
            "export %s was recorded before it was interrupted: it is in place in `%s`", recorded.export_id, staged.out
        )
        return
    failed = isinstance(exc, OSError)  # a full disk, a quota, a write error under --out
    if run_id is not None:
        finish_run(con, run_id, status="failed", counts={"error": str(exc)} if failed else None)
    discard(staged)
    if failed:
        raise OutputError(
            f"--out `{staged.out}`: the export could not be written ({exc.strerror or exc}"
            + (f": `{exc.filename}`" if exc.filename else "")
            + "); what it had written is removed: free space there (or choose another --out) and export again"
        ) from exc


remove_own = export_stage.remove_own


def _settle_beside(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    """What the ``--overwrite`` of curate before the staging folder left when killed: the earlier, recorded export
    renamed to ``.<name>.previous-<pid>`` beside ``out``. Checked file by file against the ledger (never by its name
    alone): removed when ``out`` holds a recorded export of this catalogue again, put back when ``out`` is empty,
    else named and refused."""
    for path in sorted(target.parent.glob(f".{glob.escape(target.name)}.previous-*")):
        if path.is_symlink() or not path.is_dir():
            continue
        files = _recorded_files(con, path)
        if files is None:
            raise UsageError(
                f"`{path}` (left by an interrupted export into `{target}`) holds no unchanged export of this"
                " catalogue; look through it, move it away, and export again"
            )
        if _recorded_files(con, target) is not None:
            remove_own(path, files)
            log.warning("`%s`: an earlier export an interrupted --overwrite had moved aside, removed", path)
        elif any(p.is_file() or p.is_symlink() for p in target.rglob("*")):
            raise UsageError(
                f"`{path}` holds the export recorded for `{target}`, and `{target}` holds files no recorded export"
                " wrote (a half-written export of an older curate?): look through them, empty the folder, and export"
                " again (the recorded export is put back first)"
            )
        else:
            for name in sorted(files):
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                (path / name).rename(target / name)
            remove_own(path, frozenset())
            log.warning("`%s`: the earlier export an interrupted --overwrite had moved aside is back in place", target)


def _recorded_files(con: duckdb.DuckDBPyConnection, folder: Path) -> frozenset[str] | None:
    """The files of ``folder`` when it is an unchanged export of this catalogue (:func:`earlier_export`), else None."""
    try:
        return earlier_export(con, folder)
    except UsageError:
        return None
