"""The files of a source's inputs: a folder's files whose real path is inside it, and apart those that are symlinks
out of it (named with :data:`LINK_OUTSIDE`, never read).

A file of an input folder that is a symlink out of it (``laws/ChLaw.json -> /elsewhere/notes.json``) is not the
folder's: law.moj.gov.tw read it as a law under the folder's licence (review 12), where MODA (``sources/moda.py``)
and FSC quarantine it. A file named itself on the command line is the user's choice, and read.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = ["LINK_OUTSIDE", "NOT_REGULAR", "input_files", "not_read", "special"]

#: the quarantine reason of a folder's file that is a symlink out of the folder (MODA's and FSC's too)
LINK_OUTSIDE = "file in the folder that is a symlink out of it"
#: the quarantine reason of an input named on the command line that is no file to read whole (law.moj waited on a
#: FIFO for good, review 16; a folder's such entries are not its files)
NOT_REGULAR = "not a regular file (a FIFO, a device, a socket)"


def special(path: Path) -> bool:
    """True when ``path`` is there but is no regular file (nor a folder): a FIFO, a device, a socket."""
    return path.exists() and not path.is_file() and not path.is_dir()


def not_read(path: Path, empty: str) -> tuple[str, str] | None:
    """``(reason, detail)`` of an input file read as nothing: no regular file (:data:`NOT_REGULAR`; a FIFO such as
    ``<(cat cases.csv)`` was quarantined by MODA and FSC as an ``empty`` file of 0 bytes, review 16 r), or 0 bytes.

    >>> not_read(Path("/dev/null"), "empty file")
    ('not a regular file (a FIFO, a device, a socket)', 'save it to a file first')
    """
    if special(path):
        return NOT_REGULAR, "save it to a file first"
    return (empty, "0 bytes") if path.stat().st_size == 0 else None


def input_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """``(files, links_out)``: each path that is not a folder, and each folder's files (sorted; hidden ones, a part
    of the name below the folder starting with ``.``, left out) whose real path is inside it; ``links_out``: the
    folders' files whose real path is outside their folder.

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
            if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts):
                (files if f.resolve().is_relative_to(inside) else links_out).append(f)
    return files, links_out
