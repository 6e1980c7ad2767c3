"""Licence disputes at ingest: the files whose manifest rows disagree, and those whose rows agree again.

A :class:`sources.base.Dispute` names a file all of whose rows were rejected as conflicting or for their licence; the file (its
``container``) is held from export and annotation push (:func:`provenance.holds.hold`), every version of its
records whatever their id or status. Its name and the reason (which quotes the manifest's path) go through the
ingest's identifier guard first, like the records' containers and the quarantine's excerpts: the ledger, the run's
counts and the summary never hold a personal value in clear. A manifest row of this run that is settled (its
terms-only correction planned, or its file extracted without a rejection) releases the holds of its file
(:func:`provenance.holds.release`). Both are written with the run's quarantine rows, in their transaction (each
flush and the run's end); the run's report counts the held files' records (``licence_held``) and the released ones (``licence_released``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from provenance import holds, ledger
from sources.base import Dispute, RawItem, Unlisted
from sources.manifest_rows import folder_key

#: why a file whose manifest names it no more is held (the manifest row's reason, as a disputed file's quotes)
UNLISTED = "file no longer in manifest"


class HoldKeeper:
    """Collects a run's disputed and settled files (containers pseudonymised like the records'), then writes."""

    def __init__(self, con: duckdb.DuckDBPyConnection, guard: Any, pii_sources: set[str], keyed: Any = None) -> None:
        self.con = con
        self.guard = guard
        self.pii_sources = pii_sources
        #: a pii_expected source's keyed ids: its records' ``manifest_folder`` is keyed (curate/ingest_rows.py)
        self.keyed = keyed
        self.disputed: dict[str, str] = {}
        self.settled: set[str] = set()

    def _container(self, name: str, source_id: str | None) -> str:
        return self.guard(name, all_types=source_id in self.pii_sources)

    def dispute(self, item: Dispute | Unlisted) -> None:
        """A file whose rows disagree (see :class:`sources.base.Dispute`); its reason quotes the file's path, so it
        is pseudonymised with the same guard as the container."""
        if isinstance(item, Unlisted):
            self._unlisted(item)
            return
        self.disputed[self._container(item.container, item.source_id)] = self._container(item.detail, item.source_id)

    def _unlisted(self, item: Unlisted) -> None:
        """Hold each file whose current records came from a manifest of one of these names, in its folder, that names
        it no more: its row deleted (the licensor withdrew the licence) or the file renamed. Before review 16 such
        records kept the licence of a row that was gone and were exported, the renamed file's new records beside them.

        A record is of this manifest when its ``manifest_folder`` is the manifest's folder, or (stored before that
        key, or the folder moved) when its file is still in that folder: another batch's ``manifest.csv`` in its own
        folder (``2023/``, ``2024/``) holds none of the other's files."""
        sid = item.source_id
        named = sorted(self._container(c, sid) for c in item.named)
        folders: dict[str, list[Path]] = {}
        for name, folder in item.folders:
            folders.setdefault(self._container(name, sid), []).append(Path(folder))
        rows = self.con.execute(
            "SELECT container, json_extract_string(metadata, '$.manifest'), json_extract_string(metadata, '$.file'),"
            " json_extract_string(metadata, '$.manifest_folder') FROM records WHERE source_id = $s"
            " AND status IN ('active', 'withdrawn') AND container IS NOT NULL"
            " AND json_extract_string(metadata, '$.manifest') IN (SELECT unnest($m))"
            " AND container NOT IN (SELECT unnest($n)) ORDER BY 1",
            {"s": sid, "m": sorted(folders), "n": named},
        ).fetchall()
        for container, manifest, file, key in rows:
            if container in self.disputed or not any(
                key in self._folder_keys(f, sid) or (file is not None and _is_file(f / file)) for f in folders[manifest]
            ):
                continue
            self.disputed[container] = (
                f"{UNLISTED}: no row of its manifest names the file any more, so no licence holds for its records;"
                " add its row again (or withdraw the records)"
            )

    def _folder_keys(self, folder: Path, source_id: str | None) -> tuple[str, ...]:
        """The ``manifest_folder`` a record of ``folder``'s manifest holds: keyed for a pii_expected source (plain
        in one stored before that, or under ``curate pii rekey``)."""
        plain = folder_key(folder)
        if self.keyed is None or source_id not in self.pii_sources:
            return (plain,)
        return plain, self.keyed.folder_digest(plain)

    def settle(self, raw: RawItem, source_id: str) -> None:
        """A manifest row of this run taken whole: the file's terms are unambiguous again."""
        rel = getattr(raw.payload, "rel_path", None)
        if isinstance(rel, str):
            self.settled.add(self._container(f"{source_id}:{rel}", source_id))

    def write(self, report: Any, run_id: str) -> None:
        """Hold the disputed files and release the settled files' holds found since the last call, in the caller's
        transaction (with the run's quarantine rows: ``curate/ingest.py``)."""
        if not self.disputed and not self.settled:
            return
        at = ledger.now()
        released = holds.release(self.con, self.settled - set(self.disputed), run_id=run_id, at=at)
        held = holds.hold(self.con, self.disputed, run_id=run_id, at=at)
        disputed, self.disputed, self.settled = self.disputed, {}, set()
        report.licence_held += sum(held.values())
        report.licence_held_files += len(held)
        report.licence_released += released
        for container, n in sorted(held.items()):
            report.name("held", holds.REASON, container, f"{n} records held from export: {disputed[container]}")


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long, a NUL byte
        return False
