"""Where an export goes: ``--out`` checked against the catalogue's own files and made ready."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from provenance.errors import UsageError

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
class Previous:
    """An earlier export moved aside by :func:`prepare_out`: where it is now and the files it wrote."""

    path: Path
    files: frozenset[str]


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


def prepare_out(con: duckdb.DuckDBPyConnection, out_dir: Path, overwrite: bool) -> Previous | None:
    """Check ``--out`` and make it ready: refused when it is, holds or lies inside the catalogue, its WAL or its work
    folder; a non-empty folder is replaced only with ``overwrite`` and only when it is an earlier export of this
    catalogue holding nothing else (:func:`earlier_export`), never another folder (an ``--out`` of the catalogue's
    own folder once deleted it, and so did any folder holding a ``manifest.jsonl``).

    The earlier export is moved aside (``.<name>.previous-<pid>`` beside it), not deleted: returns it, for
    :func:`settle_previous` once the new export has succeeded or failed."""
    if out_dir.is_symlink():
        raise UsageError(f"--out `{out_dir}` is a symbolic link; pass the folder it points to")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out `{out_dir}` exists and is not a directory")
    target = out_dir.resolve()
    refuse_overlap(out_dir, catalogue_files(con))
    if out_dir.exists() and any(out_dir.iterdir()):
        if not overwrite:
            raise UsageError(f"--out `{out_dir}` is not empty; choose an empty directory or pass --overwrite")
        files = earlier_export(con, out_dir)
        if Path.cwd().resolve().is_relative_to(target):
            raise UsageError(f"--out `{out_dir}` is (or holds) the current directory; run the export from elsewhere")
        previous = Previous(target.with_name(f".{target.name}.previous-{os.getpid()}"), files)
        if previous.path.exists():
            raise UsageError(f"`{previous.path}` is in the way (left by an earlier export?); move it and try again")
        target.rename(previous.path)
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


def settle_previous(out_dir: Path, previous: Previous | None, *, ok: bool) -> None:
    """After the export: the earlier one (moved aside by :func:`prepare_out`) is removed when the new one succeeded
    (its own files only: anything else put there since stays, with a warning), else put back in place of what the
    failed one left."""
    if previous is None:
        return
    if not ok:
        shutil.rmtree(out_dir, ignore_errors=True)
        previous.path.rename(out_dir)
        return
    for name in previous.files:
        (previous.path / name).unlink(missing_ok=True)
    for folder in sorted((p for p in previous.path.rglob("*") if p.is_dir()), reverse=True) + [previous.path]:
        try:
            folder.rmdir()
        except OSError:
            log.warning("`%s` holds files the earlier export did not write: left in place", folder)
            return


def discard_failed(out_dir: Path, previous: Previous | None, *, existed: bool) -> None:
    """After a failed export (a full disk, an interrupt): the earlier export back in place (:func:`settle_previous`),
    else what the failed one wrote removed, with ``out_dir`` itself unless it ``existed`` before. Without an earlier
    export ``out_dir`` was empty or absent (:func:`prepare_out` refuses anything else), so nothing else is lost."""
    if previous is not None:
        settle_previous(out_dir, previous, ok=False)
    elif not existed:
        shutil.rmtree(out_dir, ignore_errors=True)
    elif out_dir.is_dir():
        for child in out_dir.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
