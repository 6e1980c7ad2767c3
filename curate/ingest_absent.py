"""Records of earlier dumps that this ingest's dump no longer holds (review 18, sources #1).

A source whose input is a whole dump of a unit (MODA: a dataset, named by ``--dataset`` or its folder) declares the
metadata fields that name the unit (:attr:`sources.base.Source.dump_keys`). The ingest remembers every doc key it
read (stored form, pseudonyms included); at its end, the active records (and dedup's duplicates) of the units it read
whose doc key it did not read are "not in this dump": the summary always counts them in one line (no text). They stay active, under the
licence they were ingested with, unless the ingest was told its inputs are the whole dump (``complete``, ``curate
ingest moda --complete``): then each becomes ``superseded`` with a ``removed_from_source`` event, as a container's
record that a new snapshot no longer holds (:meth:`curate.ingest._Ingestor._supersede_removed`), and what dedup kept
in its place is released. A run that quarantined any item marks none (a bad line may be one of them) and says so, and
so does a run given a file of a folder that holds other files of a dump (``ds/a.jsonl`` of ``ds/``, one of a MODA
dataset's resources): the file is narrower than the dataset, whose other files' records are not "not in this dump";
and so does a file whose folder cannot be listed (its other files unknown).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from provenance import db, ledger
from provenance.crosscheck_base import events_view
from provenance.dedup_release import release_dedup, release_superseded, survivors
from provenance.errors import ConfigError
from sources.documents import DOCUMENT_SUFFIXES
from sources.moda import STRUCTURED_SUFFIXES

#: the event of a record superseded because its source no longer holds it (shared with container removals)
ACTION = "removed_from_source"
WHY = "not in this dump (ingested with --complete)"
#: the event of a record marked removed by ``complete`` whose row a later dump holds again, unchanged: active again
RETURNED = "returned_to_source"


class AbsentKeys:
    """Doc keys read in one ingest, and at its end the records of the units read that were not."""

    def __init__(self, con: duckdb.DuckDBPyConnection, source) -> None:
        """``source``: the ingest's source; one without ``dump_keys`` remembers nothing and counts nothing."""
        keys = tuple(getattr(source, "dump_keys", ()))
        self.con, self.source_id = con, str(getattr(source, "source_id", source.name))
        self.licence = getattr(source, "licence", None)
        self.complete = bool(source.options.get("complete"))
        if self.complete and not keys:  # a library caller's option the source cannot honour: never silent
            raise ConfigError(
                f"`complete` is an option of a source whose inputs are whole dumps, not of `{source.name}`"
            )
        self.unit = "coalesce(" + ", ".join(f"json_extract_string(metadata, '$.{k}')" for k in keys) + ")"
        self.unit = self.unit if keys else ""
        if keys:
            con.execute("CREATE OR REPLACE TEMP TABLE _dump_seen (doc_key VARCHAR)")
        self.narrower = _narrower(source.paths) if self.complete and keys else ""

    def see(self, relation: str) -> None:
        """Remember the doc keys of a batch (``relation``: the ingest's batch table, keys as stored)."""
        if self.unit:
            self.con.execute(f"INSERT INTO _dump_seen SELECT doc_key FROM {relation}")

    def _absent(self) -> list[tuple[str, str, str]]:
        """(record id, doc key, status) of the records in use (active, and duplicates: dedup's copy of a row the
        dump lacks must not be released as active when its survivor goes) of the units read, not in this dump."""
        u = self.unit
        return self.con.execute(
            f"""WITH seen AS (SELECT DISTINCT doc_key FROM _dump_seen),
                units AS (SELECT DISTINCT {u} AS unit FROM records
                          WHERE source_id = $s AND doc_key IN (SELECT doc_key FROM seen) AND {u} IS NOT NULL)
            SELECT record_id, doc_key, status FROM records
            WHERE source_id = $s AND status IN ('active', 'duplicate') AND {u} IN (SELECT unit FROM units)
              AND doc_key NOT IN (SELECT doc_key FROM seen)
            ORDER BY record_id""",
            {"s": self.source_id},
        ).fetchall()

    def _return(self, report, run_id: str) -> None:
        """Records ``complete`` marked removed whose row this dump holds again, unchanged (the same record id, so the
        ingest wrote nothing and counted it unchanged): active again, one ``returned_to_source`` event each; under
        another licence they stay removed and are counted (ingest the row under its licence, or withdraw it)."""
        # the ledger keeps the ids it was written with: a removal before `curate pii rekey` names the old id
        ev = events_view(self.con)
        rows = self.con.execute(
            f"""WITH marked AS (SELECT DISTINCT record_id FROM {ev} WHERE action = '{ACTION}'
                                AND json_extract_string(detail, '$.why') = $why),
                cand AS (SELECT r.* FROM records r JOIN marked USING (record_id)
                         WHERE r.source_id = $s AND r.status = 'superseded'
                           AND r.doc_key IN (SELECT doc_key FROM _dump_seen))
            SELECT r.record_id, r.doc_key, r.licence_id IS NOT DISTINCT FROM $lic FROM cand r
            WHERE NOT EXISTS (SELECT 1 FROM records c WHERE c.version_of = r.record_id)
              AND NOT EXISTS (SELECT 1 FROM records a WHERE a.source_id = r.source_id AND a.doc_key = r.doc_key
                              AND a.status IN ('active', 'withdrawn', 'duplicate'))
            QUALIFY row_number() OVER (PARTITION BY r.doc_key ORDER BY r.created_at DESC, r.record_id DESC) = 1
            ORDER BY r.record_id""",
            {"s": self.source_id, "lic": self.licence, "why": WHY},
        ).fetchall()
        back = [(rid, key) for rid, key, same in rows if same]
        report.absent_other_licence = len(rows) - len(back)
        if not back:
            return
        # a row that was dedup's copy when removed is its duplicate again (released at once if its survivor is gone)
        dups = {
            r[0]
            for r in self.con.execute(
                f"SELECT record_id FROM {ev} WHERE action = '{ACTION}' AND record_id IN (SELECT unnest($ids))"
                " QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY seq DESC) = 1"
                " AND json_extract_string(detail, '$.previous_status') IS NOT DISTINCT FROM 'duplicate'",
                {"ids": [r for r, _ in back]},
            ).fetchall()
        }
        with db.transaction(self.con):
            self.con.execute(
                "UPDATE records SET status = CASE WHEN list_contains($dups, record_id) THEN 'duplicate' ELSE 'active'"
                " END WHERE record_id IN (SELECT unnest($ids))",
                {"ids": [r for r, _ in back], "dups": sorted(dups)},
            )
            detail = "in this dump again, unchanged"
            events = [
                ledger.Event(
                    stage="ingest",
                    action=RETURNED,
                    record_id=rid,
                    run_id=run_id,
                    detail={"doc_key": key, "status": "duplicate" if rid in dups else "active", "why": detail},
                )
                for rid, key in back
            ]
            ledger.append(self.con, events, at=ledger.now())
            if dups:
                _release_if_survivor_gone(self.con, sorted(dups), run_id)
        report.absent_returned = len(back)

    def settle(self, report, run_id: str) -> None:
        """Count the records not in this dump in ``report``; with ``complete`` and no quarantine, mark them."""
        if not self.unit:
            return
        self._return(report, run_id)
        absent = self._absent()
        report.absent = len(absent)
        if not absent or not self.complete:
            return
        if report.quarantined:
            report.absent_note = (
                f"none marked: {report.quarantined} items were quarantined in this run (one may be among them);"
                " fix them and ingest again with --complete"
            )
            return
        if self.narrower:  # ds/a.jsonl given, ds/b.jsonl beside it: b's records are not "not in this dump"
            report.absent_note = f"none marked: {self.narrower}"
            return
        at = ledger.now()
        with db.transaction(self.con):
            self.con.execute(
                "UPDATE records SET status = 'superseded' WHERE record_id IN (SELECT unnest($ids))",
                {"ids": [r for r, _, _ in absent]},
            )
            events = [
                ledger.Event(
                    stage="ingest",
                    action=ACTION,
                    record_id=rid,
                    run_id=run_id,
                    detail={"doc_key": key, "status": "superseded", "why": WHY}
                    | ({"previous_status": st} if st != "active" else {}),
                )
                for rid, key, st in absent
            ]
            ledger.append(self.con, events, at=at)
            release_superseded(self.con, "SELECT unnest($ids)", {"ids": [r for r, _, _ in absent]}, run_id=run_id)
        report.absent_removed = len(absent)
        report.absent_note = "marked removed_from_source (superseded; one ledger row each)"
        # annotators see them until a sync of each bank takes them out (annotation/retract, per document: a task of
        # an earlier version of the row not yet replaced by a push of the removed one shows it too)
        tasks = self.con.execute(
            "SELECT count(*) FROM annotation_tasks t JOIN records r USING (record_id)"
            " WHERE t.retracted_at IS NULL AND t.superseded_by IS NULL AND r.source_id = $s"
            " AND r.doc_key IN (SELECT unnest($keys))",
            {"s": self.source_id, "keys": [k for _, k, _ in absent]},
        ).fetchone()[0]
        if tasks:
            report.absent_note += (
                f"; {tasks} Label Studio tasks show them: the next `curate annotate push` or `pull` of each bank"
                " takes them out"
            )


def _release_if_survivor_gone(con: duckdb.DuckDBPyConnection, dups: list[str], run_id: str) -> None:
    """Release (:func:`provenance.dedup_release.release_dedup`) the returned duplicates whose survivor was withdrawn
    or superseded while they were removed: the release they missed then."""
    gone = con.execute(
        f"SELECT DISTINCT s.record_id, s.status FROM ({survivors(con)}) d JOIN records s ON s.record_id = d.survivor"
        " WHERE d.record_id IN (SELECT unnest($ids)) AND s.status IN ('withdrawn', 'superseded')",
        {"ids": dups},
    ).fetchall()
    for because in ("withdrawn", "superseded"):
        release_dedup(con, [r for r, st in gone if st == because], because=because, run_id=run_id)


def _narrower(paths) -> str:
    """Why nothing may be marked when an input is one file of a folder holding other readable files (not hidden) that
    were not given, or whose folder cannot be listed (other files unknown, so none marked); else ``""``."""
    given = {Path(p).resolve() for p in paths}
    parts = {*STRUCTURED_SUFFIXES, *DOCUMENT_SUFFIXES}
    for p in map(Path, paths):
        if p.is_dir() or not p.exists():
            continue
        try:
            for f in p.parent.iterdir():
                if f.name.startswith(".") or f.suffix.lower() not in parts or f.resolve() in given:
                    continue
                if f.is_file():
                    return (
                        "an input is one file of a folder that holds other files of the dataset;"
                        " give the whole folder with --complete"
                    )
        except OSError as e:  # a folder the user may read files of but not list (chmod 311): not a traceback
            why = e.strerror or type(e).__name__
            return f"an input's folder cannot be listed ({why}): whether it holds other files of the dataset is unknown"
    return ""
