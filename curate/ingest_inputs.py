"""Inputs an ingest never reads: the PII key file (``CURATE_PII_KEY_FILE``).

A key file kept in a data folder (``corpus/pii.key.txt`` beside the documents, ``ingest moda corpus``) was read as a
document: the key that makes every pseudonym, keyed id and vault seal became a record's text, in the catalogue in
the clear (any source not marked ``pii_expected``) and in every export of it (review 12). An input that is the key
file, by name or by a symbolic or hard link, or a folder holding it, is refused before anything is read or written,
as ``zh``, ``pii`` and ``dedup`` refuse it as their output.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from curate.pii.keys import ENV_KEY_FILE
from provenance.errors import UsageError

__all__ = ["refuse_key_file_input"]


def refuse_key_file_input(paths: Iterable[Path]) -> None:
    """Raise :class:`UsageError` when an input path is the PII key file or a folder that holds it.

    A key file that cannot be looked up is left to the key's loader (it names why).
    """
    named = os.environ.get(ENV_KEY_FILE)
    if not named:
        return
    key = Path(named)
    try:
        key_real, key_stat = key.resolve(), key.stat()
    except (OSError, RuntimeError):
        return
    for p in paths:
        try:
            real = p.resolve()
            same = p.is_file() and os.path.samestat(p.stat(), key_stat)
        except (OSError, RuntimeError):
            continue  # the source names what it cannot read
        if same or real == key_real:
            why = f"the input `{p}` is the PII key file ({ENV_KEY_FILE})"
        elif p.is_dir() and key_real.is_relative_to(real):
            why = f"the input folder `{p}` holds the PII key file `{key}` ({ENV_KEY_FILE})"
        else:
            continue
        raise UsageError(
            f"refused: {why}; its key would become a record's text (and leave in exports): keep the key outside the"
            " folders you ingest; nothing was read or written"
        )
