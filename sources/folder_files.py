"""The files of a source's inputs: a folder's files whose real path is inside it, and apart those that are symlinks
out of it (named with :data:`LINK_OUTSIDE`, never read).

A file of an input folder that is a symlink out of it (``laws/ChLaw.json -> /elsewhere/notes.json``) is not the
folder's: law.moj.gov.tw read it as a law under the folder's licence (review 12), where MODA (``sources/moda.py``)
and FSC quarantine it. A file named itself on the command line is the user's choice, and read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["LINK_OUTSIDE", "NOT_REGULAR", "input_files", "not_read", "outside", "real", "special"]

#: the quarantine reason of a folder's file that is a symlink out of the folder (MODA's and FSC's too)
LINK_OUTSIDE = "file in the folder that is a symlink out of it"
#: the quarantine reason of an input named on the command line that is no file to read whole (law.moj waited on a
#: FIFO for good, review 16; a folder's such entries are not its files)
NOT_REGULAR = "not a regular file (a FIFO, a device, a socket, a broken symlink)"


def special(path: Path) -> bool:
    """True when ``path`` is there but is no regular file (nor a folder): a FIFO, a device, a socket, a symlink to
    nothing. A folder's such entry is one of its files (:func:`input_files`), quarantined, never opened: before
    review 17 a folder's FIFO or broken link was passed over uncounted, a file the user put there silently dropped.

    >>> import tempfile; d = Path(tempfile.mkdtemp()); os.symlink(d / "gone.json", d / "link.json")
    >>> special(d / "link.json"), special(d), special(d / "nothing.json")
    (True, False, False)
    """
    return os.path.lexists(path) and not path.is_file() and not path.is_dir()


def not_read(path: Path, empty: str | bool) -> tuple[str, str] | None:
    """``(reason, detail)`` of an input file read as nothing: no regular file (:data:`NOT_REGULAR`; a FIFO such as
    ``<(cat cases.csv)`` was quarantined by MODA and FSC as an ``empty`` file of 0 bytes, review 16 r), or 0 bytes
    (reason ``empty``; not checked when ``empty`` is false: a file of a type the source does not read is skipped).

    >>> not_read(Path("/dev/null"), "empty file")
    ('not a regular file (a FIFO, a device, a socket, a broken symlink)', 'save it to a file first')
    """
    if special(path):
        return NOT_REGULAR, "save it to a file first"
    return (empty, "0 bytes") if empty and path.stat().st_size == 0 else None


def real(path: Path) -> Path:
    """``path`` with its links resolved; a symlink loop (``Path.resolve`` raises) as it is, absolute."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def outside(path: Path, folder: Path) -> bool:
    """Whether a folder's entry is a symlink out of ``folder`` (its real path); an entry that is no regular file
    (:func:`special`, a symlink loop too) is never outside: it is quarantined as such, its target never looked up."""
    return not special(path) and not real(path).is_relative_to(folder)


def input_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """``(files, links_out)``: each path that is not a folder, and each folder's files (sorted; hidden ones, a part
    of the name below the folder starting with ``.``, left out) whose real path is inside it; ``links_out``: the
    folders' files whose real path is outside their folder. A folder's entry that is no folder is one of its files,
    a FIFO or a broken link too (:func:`special`: the caller quarantines it, :data:`NOT_REGULAR`).

    >>> import os, tempfile
    >>> d = Path(tempfile.mkdtemp()); (d / "in").mkdir(); _ = (d / "in" / "a.json").write_text("{}")
    >>> _ = (d / "b.json").write_text("{}"); os.symlink(d / "b.json", d / "in" / "b.json")
    >>> [[f.name for f in group] for group in input_files([d / "in"])]
    [['a.json'], ['b.json']]
    """
    files: list[Path] = []
    links_out: list[Path] = []
    for p in paths:
        if not p.is_dir():
            files.append(p)
            continue
        inside = p.resolve()
        for f in sorted(p.rglob("*")):
            if not f.is_dir() and not any(part.startswith(".") for part in f.relative_to(p).parts):
                (links_out if outside(f, inside) else files).append(f)
    return files, links_out
