"""Input paths an ingest cannot record: a file or folder whose name is not UTF-8 text.

A file copied from a Windows share keeps its Big5 (CP950) name; Python holds such bytes as lone surrogates, which
DuckDB cannot take. ``curate ingest law-moj 銀行法.json`` (the name in Big5) read the file, then failed to write
its run's counts: a traceback ("Unable to cast Python instance"), the run left ``running`` (review 14 made every
text argument UTF-8 and left paths their bytes). Such a path is refused in one line before anything is read or
written, naming it with its bytes escaped and the way on (rename it to UTF-8).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from provenance.errors import UsageError

__all__ = ["refuse_non_utf8_inputs"]


def refuse_non_utf8_inputs(paths: Iterable[Path]) -> None:
    r"""Raise :class:`UsageError` when one of ``paths``, or a file under one of them, is named (or lies in a folder
    named) in bytes that are not UTF-8 (a folder's other files are not read first). A hidden file or folder (``.``
    first) below the input, which no source reads (`.git/`, `.ipynb_checkpoints/`: FSC too since review 17), and an
    empty folder are no refusal: a folder that ingested before still does.

    >>> refuse_non_utf8_inputs([Path(os.fsdecode(b"/tmp/\xa4\xa4.json"))])
    Traceback (most recent call last):
    ...
    provenance.errors.UsageError: refused: the input `/tmp/\xa4\xa4.json` is named in bytes that are not UTF-8 (a Big5 name from a Windows share?), and the catalogue records where it read a file as text: rename it to UTF-8 (convmv -f big5 -t utf-8 --notest -r PATH) or copy it under a UTF-8 name; nothing was read or written
    """
    for path in paths:
        _refuse(path, path)
        if not path.is_dir():
            continue
        for folder, dirs, names in os.walk(path):
            dirs[:] = [d for d in dirs if not d.startswith(".")]  # no source reads a hidden folder's files
            for name in names:  # a folder's name is checked in its files' paths: an empty one is never read
                if not name.startswith("."):  # a hidden file no source reads (`._銀行法.json` a Mac copy leaves)
                    _refuse(Path(folder, name), path)


def _refuse(p: Path, given: Path) -> None:
    try:
        str(p).encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(p).decode("utf-8", "backslashreplace")
        what = (
            "the input"
            if p == given
            else f"a file under the input folder `{os.fsencode(given).decode('utf-8', 'backslashreplace')}`:"
        )
        raise UsageError(
            f"refused: {what} `{shown}` is named in bytes that are not UTF-8 (a Big5 name from a Windows share?), and"
            " the catalogue records where it read a file as text: rename it to UTF-8"
            " (convmv -f big5 -t utf-8 --notest -r PATH) or copy it under a UTF-8 name; nothing was read or written"
        ) from None
