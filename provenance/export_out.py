"""Where an export goes: ``--out`` checked against the catalogue's own files and made ready."""

from __future__ import annotations

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

from provenance.errors import OutputError, UsageError
from provenance.faults import fault

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
    """Where an export is written (:func:`prepare_out`) before :func:`commit_out` puts it in place of ``out``."""

    out: Path
    """``--out`` as given."""
    staging: Path
    """``.<name>.staging-<pid>`` beside ``out``: the export is written here, out of sight until it is recorded."""
    previous: frozenset[str] | None
    """The files of the earlier export in ``out`` that ``--overwrite`` replaces; None when there is none."""


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
        raise _refuse(out, "holds links or special files", odd)
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
    """Check ``--out`` and make a staging folder beside it: refused when it is, holds or lies inside the catalogue,
    its WAL or its work folder; a non-empty folder is replaced only with ``overwrite`` and only when it is an earlier
    export of this catalogue holding nothing else (:func:`earlier_export`), never another folder (an ``--out`` of
    the catalogue's own folder once deleted it, and so did any folder holding a ``manifest.jsonl``).

    ``out`` itself is not touched until the export is recorded (:func:`commit_out`); what an interrupted export
    left beside it is settled first (:func:`recover`)."""
    if out_dir.is_symlink():
        raise UsageError(f"--out `{out_dir}` is a symbolic link; pass the folder it points to")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out `{out_dir}` exists and is not a directory")
    target = out_dir.resolve()
    refuse_overlap(out_dir, catalogue_files(con))
    recover(con, out_dir)
    previous = None
    if out_dir.exists() and any(out_dir.iterdir()):
        if not overwrite:
            raise UsageError(f"--out `{out_dir}` is not empty; choose an empty directory or pass --overwrite")
        previous = earlier_export(con, out_dir)
    if Path.cwd().resolve().is_relative_to(target) and out_dir.exists():
        raise UsageError(f"--out `{out_dir}` is (or holds) the current directory; run the export from elsewhere")
    staging = target.with_name(f".{target.name}.{_STAGING}-{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)  # this process's own: a dead one's pid, taken again
        (staging / "data").mkdir(parents=True)
    except OSError as exc:
        raise UsageError(
            f"--out `{out_dir}`: cannot create the folder ({exc.strerror}); choose a writable folder"
        ) from exc
    return Staged(out_dir, staging, previous)


def commit_out(staged: Staged) -> None:
    """Put a recorded export in place (a rename beside ``out``): an earlier export it replaces is moved aside
    (``.<name>.previous-<pid>``) and its own files removed; an empty ``out`` is replaced. Killed at any point,
    :func:`recover` finishes it on the next export into ``out``."""
    target = staged.out.resolve()
    if staged.previous is not None:
        aside = target.with_name(f".{target.name}.{_PREVIOUS}-{os.getpid()}")
        target.rename(aside)
        fault("export_moved_aside")  # crash tests: the earlier export aside, the new one not yet in place
        staged.staging.rename(target)
        remove_own(aside, staged.previous)
        return
    if target.is_dir():
        try:
            target.rmdir()
        except OSError:
            raise OutputError(
                f"--out `{staged.out}` was given files while the export ran; the recorded export is in"
                f" `{staged.staging}`: move those files out and export again (it is put in place then)"
            ) from None
    staged.staging.rename(target)


def discard(staged: Staged) -> None:
    """After a failed or interrupted export: its staging folder removed; ``out`` was never touched."""
    shutil.rmtree(staged.staging, ignore_errors=True)


def remove_own(folder: Path, files: frozenset[str]) -> None:
    """Remove an earlier export moved aside: its own files only, anything else put there stays, with a warning."""
    for name in files:
        (folder / name).unlink(missing_ok=True)
    for sub in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True) + [folder]:
        try:
            sub.rmdir()
        except OSError:
            log.warning("`%s` holds files the earlier export did not write: left in place", sub)
            return


def recover(con: duckdb.DuckDBPyConnection, out_dir: Path) -> None:
    """Settle what an export killed into ``out_dir`` left beside it (``kill -9``, a power cut), before the next.

    * ``.<name>.staging-<pid>``: recorded in ``exports`` for ``out_dir`` (killed after its ledger commit) it is
      put in place; otherwise it was never recorded and is removed (only the files an export writes; anything
      else is named and refused).
    * ``.<name>.previous-<pid>``: an earlier recorded export moved aside. Removed when ``out_dir`` holds a
      recorded export again, put back when ``out_dir`` is gone or holds an unrecorded, half-written export.

    A folder whose process is still alive (another export into the same ``--out``) is refused, not touched."""
    target = out_dir.resolve()
    for path in _leftovers(target, _STAGING):
        if _recorded_here(con, path, target):
            previous = earlier_export(con, out_dir) if out_dir.is_dir() and any(out_dir.iterdir()) else None
            commit_out(Staged(out_dir, path, previous))
            log.warning("`%s`: an export killed after it was recorded is now in place", out_dir)
        else:
            _remove_export_files(path, "an export killed before it was recorded")
    for path in _leftovers(target, _PREVIOUS):
        files = _recorded_files(con, path)
        if files is None:
            raise UsageError(
                f"`{path}` (left by an interrupted export into `{out_dir}`) holds no unchanged export of this"
                " catalogue; look through it, move it away, and export again"
            )
        if out_dir.is_dir() and _recorded_files(con, out_dir) is not None:
            remove_own(path, files)
            continue
        if out_dir.is_dir():
            _remove_export_files(out_dir, "a half-written export that was never recorded")
        path.rename(target)
        log.warning("`%s`: the earlier export an interrupted --overwrite had moved aside is back in place", out_dir)


#: the names of what an export keeps beside ``--out`` while it runs
_STAGING, _PREVIOUS = "staging", "previous"


def _leftovers(target: Path, kind: str) -> list[Path]:
    """``.<name>.<kind>-<pid>`` folders beside ``target``; refused while their process is alive."""
    if not target.parent.is_dir():
        return []
    found = []
    for path in sorted(target.parent.glob(f".{glob.escape(target.name)}.{kind}-*")):
        pid = path.name.rsplit("-", 1)[1]
        if not pid.isdigit() or path.is_symlink() or not path.is_dir():
            continue
        if int(pid) != os.getpid() and _alive(int(pid)):
            raise UsageError(
                f"`{path}` is being written by process {pid} (another export into `{target}`?); wait for it to"
                " end, or choose another --out"
            )
        found.append(path)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _recorded_files(con: duckdb.DuckDBPyConnection, folder: Path) -> frozenset[str] | None:
    """The files of ``folder`` when it is an unchanged export of this catalogue (:func:`earlier_export`), else None."""
    try:
        return earlier_export(con, folder)
    except UsageError:
        return None


def _recorded_here(con: duckdb.DuckDBPyConnection, folder: Path, target: Path) -> bool:
    """``folder`` is an unchanged export of this catalogue recorded as written to ``target``."""
    if _recorded_files(con, folder) is None:
        return False
    row = con.execute(
        "SELECT 1 FROM exports WHERE manifest_sha256 = ? AND out_dir = ? LIMIT 1",
        [sha256_file(folder / EXPORT_MARKER), str(target)],
    ).fetchone()
    return row is not None


def _remove_export_files(folder: Path, what: str) -> None:
    """Remove ``folder``, which holds only the files an export writes (else it is refused, named, untouched)."""
    present, odd = _folder(folder)
    unexpected = odd + sorted(n for n in present if n not in EXPORT_DOCUMENTS and not _SHARD.fullmatch(n))
    if unexpected:
        raise UsageError(
            f"`{folder}` looks like {what} but holds files no export writes ({', '.join(unexpected[:_SHOWN])});"
            " move them out (or the folder away) and export again"
        )
    shutil.rmtree(folder)
    log.warning("`%s`: %s, removed", folder, what)
