"""MODA datasets keyed by folder name (no ``--dataset``): which folder each name stands for, in this ingest and in
the catalogue, so that one name never keys two datasets whose rows with the same id would replace each other.

A folder is told apart by ``metadata.dataset_origin`` (a digest of its resolved path). Rows named with
``--dataset`` hold ``metadata.dataset`` instead, and rows ingested before origins were kept hold none; both share
the doc keys ``moda:<name>:id=…`` with a folder of that name, so both take part (review of the fixes, 3). Rows of
releases before folder keys hold their folder's name as ``dataset``: they are rows of no known folder (review 8, F3),
not rows named with ``--dataset``. Names and file names are compared as stored: pseudonymised by the ingest's
identifier guard (``as_stored``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from provenance.errors import ConfigError
from provenance.record_licence import FOLDER_NAMED_PAIRS

__all__ = ["HeldDataset", "check_folder_names", "folder_origin", "held_dataset_origins"]

#: ``origins`` mark of rows named with ``--dataset``, and of rows ingested before origins were kept
NAMED, UNKNOWN = "--dataset", ""


@dataclass(frozen=True, slots=True)
class HeldDataset:
    """What the catalogue holds under one dataset name: the folders (digests, or :data:`NAMED`/:data:`UNKNOWN`)
    and, for rows of no known folder, the files their active rows came from (``metadata.file``, as stored)."""

    origins: frozenset[str]
    files: frozenset[str] = field(default_factory=frozenset)


def folder_origin(folder: Path) -> str:
    """A dataset folder's identity as stored (``metadata.dataset_origin``): a digest of its resolved path."""
    return hashlib.sha256(str(folder.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]


# a folder name stored as ``dataset`` by a release before folder keys names no folder (``FOLDER_NAMED_PAIRS``: the
# rows it wrote, and versions a stage derived from them since)
_HELD_SQL = f"""
SELECT k, list(DISTINCT o), list(DISTINCT f) FILTER (WHERE o = '' AND active)
FROM (SELECT coalesce(json_extract_string(metadata, '$.dataset_key'), json_extract_string(metadata, '$.dataset')) AS k,
             CASE WHEN json_extract_string(metadata, '$.dataset_key') IS NOT NULL
                      THEN coalesce(json_extract_string(metadata, '$.dataset_origin'), '')
                  WHEN (json_extract_string(metadata, '$.dataset'), json_extract_string(metadata, '$.file'))
                       IN ({FOLDER_NAMED_PAIRS}) THEN '' ELSE '--dataset' END AS o,
             json_extract_string(metadata, '$.file') AS f, status = 'active' AS active
      FROM records WHERE source_id = ?)
WHERE k IS NOT NULL GROUP BY k
"""


def held_dataset_origins(db_path: str | Path, source_id: str = "moda") -> tuple[dict[str, HeldDataset], bool]:
    """The dataset names of ``source_id`` in the catalogue at ``db_path`` (as stored) -> :class:`HeldDataset`, and
    whether the catalogue marks the source ``pii_expected`` (its names are then pseudonymised for every type)."""
    from provenance import db
    from provenance.dbnew import holds_no_catalogue

    path = Path(db_path)
    if holds_no_catalogue(path):  # never a write open that makes it a catalogue before the ingest can say so
        return {}, False
    con = db.connect(path)
    try:
        rows = con.execute(_HELD_SQL, [source_id]).fetchall()
        pii = con.execute("SELECT count(*) FROM sources WHERE source_id = ? AND pii_expected", [source_id]).fetchone()
    finally:
        con.close()
    held = {k: HeldDataset(frozenset(o), frozenset(f for f in files or () if f)) for k, o, files in rows}
    return held, bool(pii[0])


def check_folder_names(
    folders: dict[str, set[Path]],
    files: dict[str, set[str]],
    held: dict[str, HeldDataset],
    as_stored: Callable[[str], str] | None,
) -> dict[str, str]:
    """Each folder name that keys rows -> the digest of the folder it names; refused (one line, what to do) when the
    name stands for two folders of this ingest (``folders``: name -> resolved folders), for another folder in the
    catalogue, for rows named with ``--dataset``, or for rows of no known folder whose files (``files``: name ->
    the ``metadata.file`` values of this ingest) are not all among this folder's: ``data/`` of two hub-style
    datasets gave both the key ``data``, and one dataset's rows replaced the other's (review 6, finding 3)."""
    stored = as_stored or (lambda s: s)
    origins = {}
    for name, found in sorted(folders.items()):
        origins[name] = origin = folder_origin(next(iter(found)))
        h = held.get(stored(name)) if held else None
        if len(found) > 1:
            where = f"{len(found)} folders of this ingest"
        elif h is None or origin in h.origins:
            continue
        elif NAMED in h.origins:
            where = f"rows ingested with `--dataset {name}`"
        elif h.origins - {UNKNOWN}:
            where = "another folder in the catalogue"
        elif h.files <= {stored(f) for f in files.get(name, ())}:
            continue  # rows ingested before folders were told apart, all from this folder's files: the same dataset
        else:
            where = "rows ingested (before folders were told apart) from other files"
        raise ConfigError(
            f"the folder name `{name}` keys datasets of {where}: their rows with the same id would replace"
            f" each other; name each dataset with --dataset (the folder name `{name}` keeps the old keys of"
            " the same dataset moved elsewhere), one ingest per dataset"
        )
    return origins
