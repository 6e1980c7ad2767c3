"""The generic ingest driver: stamps ids, versions, licences, quarantine and counts.

Records arrive from a :class:`sources.base.Source`. Ids are content-derived, so re-ingesting the same input changes
nothing. A record whose ``doc_key`` has an active record with other content becomes a new version (``version_of``),
and the old one is ``superseded``. After an input item (``container``) is ingested without rejections, its active
records that it no longer contains are marked superseded (never deleted). Work is done in bulk SQL batches; a batch
is flushed before a doc_key or container would repeat, so successive snapshots given in one run chain in order.

Accounting: ``items = records_seen + quarantined + skipped`` per raw item class; every skip has a reason in the report,
and every skip, rejection and notice is named (locator, detail) in ``IngestReport.named``. A manifest row whose file
is unchanged and whose licence terms alone changed is settled by :mod:`curate.ingest_terms` without re-extraction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from curate import ingest_absent, ingest_inputs, ingest_names, ingest_settings, interrupts
from curate.faults import fault
from curate.ingest_holds import HoldKeeper
from curate.ingest_report import NAMED_LIMIT, IngestReport  # noqa: F401  (re-exported)
from curate.ingest_rows import (
    REASON_INVALID_UNICODE,
    REASON_MALFORMED,
    as_of_sql,
    check_source_kinds,
    check_source_names,
    encodable,
    guarded_ids,
    guarded_source,
    keyed_columns,
    keyed_ids,
    metadata_json,
    snapshot_sql,
    stage_new,
)
from curate.stages.base import config_hash
from provenance import db, ledger, runs
from provenance.batches import BATCH_ACTION, DIGEST_VERSION, batch_digest
from provenance.crosscheck_gates import SOURCE_REGISTERED
from provenance.dedup_release import release_superseded
from provenance.records import insert_versions
from provenance.rollback import rollback
from provenance.withdraw import hold_withdrawn
from sources import capped
from sources.base import Dispute, ErrorPolicy, Notice, RawItem, Record, Rejection, Skip, Source, Unlisted
from sources.errors import SourceError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

BATCH_RECORDS = 20_000
_SOURCE_GATES = "SELECT licence_id, pii_expected FROM sources WHERE source_id = ?"
_UPSERT_SOURCE = (
    "INSERT INTO sources (source_id, kind, title, origin, licence_id, pii_expected, metadata, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source_id) DO UPDATE SET"
    " title = excluded.title, origin = excluded.origin, licence_id = excluded.licence_id,"
    " pii_expected = sources.pii_expected OR excluded.pii_expected, metadata = excluded.metadata"
)
ProgressFn = Callable[[int], None]


def ingest(
    db_path: str | Path,
    source: Source,
    *,
    on_error: ErrorPolicy = ErrorPolicy.QUARANTINE,
    progress: ProgressFn | None = None,
) -> IngestReport:
    """Ingest everything ``source`` yields into the catalogue at ``db_path``."""
    ingest_inputs.refuse_key_file_input(source)  # before anything is read: the key is never a record
    ingest_names.refuse_non_utf8_inputs(source.paths)  # a Big5 name: a traceback writing the run's counts
    check_source_names(source.source_infos(), source.name, source.options)  # a refusal makes no catalogue
    memory, threads = ingest_settings.checked()  # before anything changes: a bad setting is a ConfigError
    # parameters bound without DuckDB importing pandas (~0.3 CPU-s of start-up an ingest does not need)
    con = db.PandasFreeConnection(db.connect(db_path, memory_limit=memory))
    con.execute(f"SET threads = {threads}")
    con.execute(f"SET checkpoint_threshold = '{db.checkpoint_threshold()}'")  # one checkpoint per ~256 MB of WAL
    try:
        check_source_kinds(con, source.source_infos(), source.name, source.options)  # before anything is written
        source.know_catalogue(con)  # e.g. FSC cases held in full, whose list rows are skipped
        return _Ingestor(con, source, on_error, progress).run()
    finally:
        con.close()


class _Ingestor:
    def __init__(
        self, con: duckdb.DuckDBPyConnection, source: Source, on_error: ErrorPolicy, progress: ProgressFn | None
    ) -> None:
        self.con = con
        self.source = source
        self.on_error = on_error
        self.progress = progress
        self.batch: list[tuple[str | None, Record]] = []  # (version metadata JSON, record)
        self.last_at = None
        self.flushes = 0
        self.batch_keys: set[str] = set()
        self.batch_containers: set[str] = set()
        self.incomplete: set[str] = set()
        self.quarantine_rows: list[tuple] = []
        self.canary = ingest_inputs.KeyCanary()  # a copy of the PII key inside a file never becomes a record
        from curate.pii.identifiers import IdentifierGuard, raw_file_names_held

        #: personal values in ids, file names, run parameters and quarantine rows become keyed pseudonyms
        self.guard = IdentifierGuard()
        infos = source.source_infos()
        # a source marked pii_expected in the catalogue stays so (an ingest without the option included)
        sticky = con.execute(
            "SELECT source_id FROM sources WHERE pii_expected AND source_id IN (SELECT unnest($s))",
            {"s": [i.source_id for i in infos]},
        ).fetchall()
        self.pii_sources = {i.source_id for i in infos if i.pii_expected} | {r[0] for r in sticky}
        # names in the file names of the other sources are pseudonymised, but where older catalogues hold them raw
        others = sorted({i.source_id for i in infos} - self.pii_sources)  # (stable doc keys)
        self.guard.names_in_file_names = not raw_file_names_held(con, others)
        #: record ids and content digests of pii_expected sources are keyed (curate/pii/keyed_ids.py)
        self.keyed = keyed_ids(con, source.name, self.pii_sources)
        from curate.pii.keyed_ids import refuse_other_key
        from curate.pii.keys import load_key

        key = self.keyed.key if self.keyed is not None else load_key(required=False)
        if key is not None:  # pseudonyms of ids and file names are keyed too, for every source
            refuse_other_key(con, key, f"ingest `{source.name}`")

    def run(self) -> IngestReport:
        con = self.con
        cfg = self.source.config()
        # this process holds the catalogue's write lock for the whole ingest, so an ingest run of this
        # source still `running` belongs to a process that died (kill -9): end it as failed
        runs.fail_interrupted(con, f"ingest {self.source.name}")
        # run parameters hold file paths: stored pseudonymised from the start (never rewritten later)
        params = self.guard.walk(cfg, all_types=bool(self.pii_sources))
        run_id = runs.start_run(con, f"ingest {self.source.name}", config_hash(cfg), params)
        self.run_id = run_id
        self.report = IngestReport(run_id=run_id, source=self.source.name)
        from curate.ingest_terms import TermsCorrector

        pii = getattr(self.source, "source_id", None) in self.pii_sources  # a manifest source marked pii_expected
        self.terms = TermsCorrector(con, self.source, self.keyed, self.guard, pii)  # names guarded as stored ones
        self.holds = HoldKeeper(con, self.guard, self.pii_sources, self.keyed)  # files whose rows disagree
        self.absent = ingest_absent.AbsentKeys(con, self.source)  # records of earlier dumps not in this one
        try:
            self._upsert_sources()
            from curate import ingest_fast

            for raw in ingest_fast.items(self.source):
                if ingest_fast.is_bulk(raw):
                    self._flush()  # successive snapshots chain in input order
                    if not ingest_fast.ingest_bulk(self, raw):
                        for item in raw.fallback():
                            self._handle_raw(item)
                    continue
                self._handle_raw(raw)
            self._flush()
            self._write_quarantine()
            self.absent.settle(self.report, run_id)
            runs.finish_run(con, run_id, "finished", self.report.as_dict())
        except BaseException:
            try:
                runs.finish_run(con, run_id, "failed", self.report.as_dict())
            except duckdb.Error:  # pragma: no cover - connection already broken
                pass
            raise
        return self.report

    # -- input -------------------------------------------------------------------------------
    def _handle_raw(self, raw: RawItem | Rejection | Skip) -> None:
        rep = self.report
        rep.raw_items += 1
        if self.progress:
            self.progress(1)
        if isinstance(raw, Rejection):
            self._reject(raw)
            return
        if isinstance(raw, Skip):
            rep.skipped[raw.reason] += 1
            rep.name("skipped", raw.reason, self.guard(raw.locator, all_types=bool(self.pii_sources)))
            return
        if isinstance(raw, Dispute | Unlisted):  # rows just rejected, or gone: their file's records are held
            rep.raw_items -= 1
            self.holds.dispute(raw)
            return
        if isinstance(raw, Notice):
            rep.raw_items -= 1  # a notice is about the raw item that follows, not an item itself
            rep.notices[raw.reason] += 1
            pii = bool(self.pii_sources)
            rep.name(
                "notice", raw.reason, self.guard(raw.locator, all_types=pii), self.guard(raw.detail, all_types=pii)
            )
            return
        if self._terms_only(raw):
            self.holds.settle(raw, self.source.source_id)
            return
        containers: set[str] = set()
        records: list[Record] = []
        rejected = False
        max_chars = capped.max_record_chars()
        try:
            for out in self.source.to_records(raw):
                if isinstance(out, Record) and (bad := ingest_inputs.screen(out, max_chars, self.canary)) is not None:
                    rejected = True  # too large, or holds the PII key (curate/ingest_inputs.py)
                    if out.container:
                        containers.add(out.container)
                    self._reject(bad)
                elif isinstance(out, Record):
                    records.append(out)
                    if out.container:
                        containers.add(out.container)
                elif isinstance(out, Rejection):
                    rejected = True
                    self._reject(out)
                elif isinstance(out, Skip):
                    rep.skipped[out.reason] += 1
                    rep.name("skipped", out.reason, self.guard(out.locator, all_types=bool(self.pii_sources)))
        except SourceError as exc:
            rejected = True
            self._reject(Rejection(locator=exc.locator or raw.locator, reason=exc.reason))
        except (TypeError, AttributeError, ValueError, KeyError, IndexError) as exc:
            # an item of a shape the source did not foresee (a number where text belongs): quarantined, the rest
            # of the file goes on, and what the item gave before is kept with its container marked incomplete
            rejected = True
            self._reject(
                Rejection(
                    locator=raw.locator,
                    reason=REASON_MALFORMED,
                    excerpt=f"{type(exc).__name__}: {str(exc)[:200]}",
                )
            )
        if rejected:
            self.incomplete |= containers
        else:
            self.holds.settle(raw, getattr(self.source, "source_id", ""))  # manifest sources only
        records = [self._guard_ids(r) for r in records]
        containers = {r.container for r in records if r.container}
        # flush first if this item would repeat a doc_key or container of the pending batch
        keys = {r.doc_key for r in records}
        if keys & self.batch_keys or containers & self.batch_containers or len(self.batch) >= BATCH_RECORDS:
            self._flush()
        vm_json: dict[int, str] = {}  # records of one item share their version metadata: serialise it once
        for rec in records:
            vm = rec.version_metadata
            vj = None
            if vm:
                vj = vm if isinstance(vm, str) else vm_json.get(id(vm))
                if vj is None:
                    vj = vm_json[id(vm)] = json.dumps(vm, sort_keys=True, ensure_ascii=False)
            self.batch.append((vj, rec))
        self.batch_keys |= keys
        self.batch_containers |= containers
        rep.records_seen += len(records)

    def _guard_ids(self, rec: Record) -> Record:
        """Ids and file names with personal values pseudonymised (see :func:`curate.ingest_rows.guarded_ids`)."""
        return guarded_ids(self.guard, rec, all_types=rec.source_id in self.pii_sources, keyed=self.keyed)

    def _terms_only(self, raw: RawItem) -> bool:
        """A manifest row whose file is unchanged: settled without extraction (see curate.ingest_terms)."""
        out = self.terms.plan(raw, self.run_id)
        if not out.handled:
            # versions about to be extracted must not race planned ones of the same file
            self.terms.write(run_id=self.run_id, at=ledger.now())
            return False
        rep = self.report
        rep.records_seen += out.new_versions + out.unchanged
        rep.versions_new += out.new_versions
        rep.terms_changed += out.new_versions
        rep.unchanged += out.unchanged
        return True

    def _reject(self, rej: Rejection) -> None:
        if self.on_error is ErrorPolicy.RAISE:
            raise SourceError(self.source.name, rej.locator, rej.reason)
        import dataclasses

        # quarantine rows and reports use the pseudonymised form where the detector fired
        pii = (rej.source_id or self.source.name) in self.pii_sources or bool(self.pii_sources)
        blank = self.canary.blank  # a bad line or cell that holds the key never shows it
        loc, excerpt = blank(rej.locator) or "", blank(rej.excerpt)
        rej = dataclasses.replace(
            rej, locator=self.guard(loc, all_types=pii), excerpt=self.guard(excerpt, all_types=pii)
        )
        self.report.name("quarantined", rej.reason, rej.locator, rej.excerpt or "")
        self.report.quarantined += 1
        self.report.quarantine_reasons[rej.reason.split(":")[0]] += 1
        if self.on_error is ErrorPolicy.QUARANTINE:
            self.quarantine_rows.append(
                (
                    self.run_id,
                    rej.source_id or self.source.name,
                    rej.locator,
                    rej.reason,
                    (rej.excerpt or "")[:500],
                    "ingest",
                    ledger.now(),
                )
            )

    def _write_quarantine(self) -> None:
        """Quarantine rows (keyed by input and reason) and licence holds so far, in one transaction: a file's
        rejected rows never stand without its hold (a run killed between them left a disputed file exportable)."""
        with db.transaction(self.con):
            if self.quarantine_rows:
                self.con.executemany(
                    "INSERT INTO quarantine SELECT $1, $2, $3, $4, $5, $6, $7 FROM (SELECT 1)"
                    " WHERE NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.source_id IS NOT DISTINCT FROM $2"
                    " AND q.locator IS NOT DISTINCT FROM $3 AND q.reason = $4 AND q.stage IS NOT DISTINCT FROM $6)",
                    self.quarantine_rows,
                )
                self.quarantine_rows.clear()
            self.holds.write(self.report, self.run_id)

    def _upsert_sources(self) -> None:
        """Write the source rows; a new source, or a changed licence or ``pii_expected``, is a ``source_registered``
        event (what `audit verify` checks the row against: the export and annotation gates read both)."""
        events = []
        with db.transaction(self.con):
            for info in self.source.source_infos():
                # origin and metadata hold file paths (manifests): pseudonymised like the records' file names
                info = guarded_source(self.guard, info, all_types=info.source_id in self.pii_sources)
                meta = json.dumps(info.metadata, ensure_ascii=False, default=str)
                params = [info.source_id, info.kind, info.title, info.origin, info.licence_id, info.pii_expected]
                before = self.con.execute(_SOURCE_GATES, [info.source_id]).fetchall()
                self.con.execute(_UPSERT_SOURCE, [*params, meta, ledger.now()])
                after = self.con.execute(_SOURCE_GATES, [info.source_id]).fetchall()
                if after != before:
                    licence_id, pii_expected = after[0]
                    detail = {"source_id": info.source_id, "licence_id": licence_id, "pii_expected": pii_expected}
                    events.append(
                        ledger.Event(
                            stage="ingest", action=SOURCE_REGISTERED, record_id=None, run_id=self.run_id, detail=detail
                        )
                    )
            ledger.append(self.con, events)

    # -- bulk write ---------------------------------------------------------------------------
    def _flush(self) -> None:
        """Write the batch in one transaction: stage the new rows, insert versions, supersede, ledger events."""
        table = self._checked_batch_table() if self.batch else None
        self._write_quarantine()
        self.terms.write(run_id=self.run_id, at=ledger.now())
        if table is None:
            self.batch_keys.clear()
            self.batch_containers.clear()
            return
        self.con.register("_inc", table)
        try:
            self.absent.see("_inc")
            self._write_batch("_inc", len(self.batch), self.batch_containers)
        finally:
            self.con.unregister("_inc")
        self.batch = []
        self.batch_keys = set()
        self.batch_containers = set()

    def _write_batch(
        self, relation: str, n_records: int, containers: set[str] | list[str], *, distinct_ids: bool = False
    ) -> None:
        """Write the records of ``relation`` (the columns of :meth:`_batch_table`) in one transaction.

        ``distinct_ids``: the caller knows the ids of ``relation`` are distinct (the set-based path, one locator
        per record); they are written in the relation's order, without a second duplicate check."""
        con, rep, run_id = self.con, self.report, self.run_id
        now = ledger.now()
        if self.last_at is not None and now <= self.last_at:  # batch members are keyed by (run, created_at)
            now = self.last_at + dt.timedelta(microseconds=1)
        self.last_at = now
        con.execute("BEGIN TRANSACTION")
        try:
            stage_new(con, relation)
            from curate.ingest_terms import fold_duplicate_terms

            fold_duplicate_terms(con)  # a duplicate's document given other terms: its versions, not a new record
            complete = self._complete_with_records(containers)  # before this batch's records are in
            # a set-based batch's INSERT on every core (its COMMIT is faster on the ingest's threads)
            with db.settings(con, threads=db.all_cores()) if distinct_ids else contextlib.nullcontext():
                insert_versions(
                    con,
                    "_new_versions",
                    run_id=run_id,
                    stage="ingest",
                    created_at=now,
                    order_by=None if distinct_ids else "doc_key",
                    fresh=distinct_ids,  # _new holds only ids not in records (anti-joined in stage_new)
                    terms_digest=self.terms.digest,  # licence terms of keyed versions get keyed seals
                )
            con.execute("""UPDATE records SET status = 'superseded'
                           WHERE status = 'active' AND record_id IN (SELECT version_of FROM _new)""")
            withheld_sql = "(SELECT record_id, source_id, doc_key FROM _new WHERE historical_of IS NULL)"
            removed = self._supersede_removed(complete)
            # licence and content digest as written: `audit verify` checks records against them
            # only versions and history rows need an event of their own (new records: the batch event)
            n_new = con.execute("SELECT count(*) FROM _new").fetchone()[0]
            new_rows = con.execute(
                "SELECT n.record_id, n.version_of, r.licence_id, n.historical_of, r.content_sha256 FROM _new n"
                " JOIN records r USING (record_id) WHERE n.version_of IS NOT NULL OR n.historical_of IS NOT NULL"
                " ORDER BY n.doc_key, n.record_id"
            ).fetchall()
            from curate.ingest_terms import classify_new_versions, relicense_batch, stale_duplicates_of_new_rows

            terms_changed = (
                classify_new_versions(
                    con,
                    "(SELECT n.record_id, n.version_of, r.licence_id, r.metadata, r.content_sha256"
                    " FROM _new n JOIN records r USING (record_id))",
                )
                if any(v for _, v, _, _, _ in new_rows)
                else {}
            )
            events = self._events(now, n_new, new_rows, terms_changed, removed)
            ledger.append(con, events, at=now)
            # a created_at of their own: the batch event's members are the run's versions created at `now`
            self.last_at = now + dt.timedelta(microseconds=1)
            relicensed, relicensed_rows = (
                relicense_batch(con, run_id=run_id, at=self.last_at, terms_digest=self.terms.digest)
                if n_records > n_new or stale_duplicates_of_new_rows(con)
                else (0, 0)
            )
            # what dedup kept in place of another record and is now superseded: that record is released
            gone = "SELECT version_of FROM _new UNION ALL SELECT unnest($removed)"
            release_superseded(con, gone, {"removed": [r[0] for r in removed]}, run_id=run_id)
            # a withdrawn source or document stays withdrawn when its items come again (after their events)
            hold_withdrawn(con, withheld_sql, run_id=run_id)
            self.flushes += 1
            fault(f"ingest_mid_batch_{self.flushes}")  # crash tests: everything written, not committed
            interrupts.stop_if_asked()  # a stop whose exception was lost in the batch (DuckDB): rolled back, resumable
            con.execute("COMMIT")
        except BaseException:
            rollback(con)
            raise
        n_versions = len(new_rows)
        rep.versions_new += n_versions + relicensed
        rep.terms_changed += len(terms_changed) + relicensed
        rep.records_new += n_new - n_versions
        rep.unchanged += n_records - n_new - relicensed_rows
        rep.superseded += len(removed)
        fault(f"ingest_after_batch_{self.flushes}")

    def _checked_batch_table(self) -> pa.Table | None:
        """:meth:`_batch_table`; records that are not valid Unicode (a lone surrogate, e.g. from a JSON ``\\ud800``
        escape) are quarantined instead of failing the whole batch (None when no record is left)."""
        try:
            return self._batch_table()
        except UnicodeEncodeError:
            pass
        kept = []
        for vj, rec in self.batch:
            if encodable(vj, rec):
                kept.append((vj, rec))
                continue
            if rec.container:
                self.incomplete.add(rec.container)
            self.report.records_seen -= 1  # counted as quarantined instead
            self._reject(
                Rejection(
                    locator=rec.locator,
                    reason=REASON_INVALID_UNICODE,
                    excerpt="a lone surrogate code point in the text, title, metadata or ids",
                    source_id=rec.source_id,
                )
            )
        self.batch = kept
        return self._batch_table() if kept else None

    def _batch_table(self) -> pa.Table:
        """The batch as an Arrow table (``version_meta`` first: it is part of the record id)."""
        recs = self.batch
        cols = keyed_columns(self.keyed, recs, self.pii_sources) if self.keyed else {}
        import pyarrow as pa  # not at the top: the set-based path needs no Arrow (and pyarrow imports pandas)

        return pa.table(
            {
                **cols,
                "version_meta": pa.array([vj for vj, _ in recs], pa.string()),
                "doc_key": [r.doc_key for _, r in recs],
                "source_id": [r.source_id for _, r in recs],
                "locator": [r.locator for _, r in recs],
                "title": pa.array([r.title for _, r in recs], pa.string()),
                "text": [r.text for _, r in recs],
                "lang": pa.array([r.lang for _, r in recs], pa.string()),
                "licence_id": pa.array([r.licence_id or self.source.licence_id for _, r in recs], pa.string()),
                "metadata": [metadata_json(r) for _, r in recs],
                "container": pa.array([r.container for _, r in recs], pa.string()),
                "as_of": pa.array([r.as_of or None for _, r in recs], pa.string()),
            }
        )

    def _complete_with_records(self, containers: set[str] | list[str]) -> list[str]:
        """The batch's containers ingested completely that hold active records already (only those can lose any)."""
        complete = [c for c in containers if c not in self.incomplete]
        if not complete:
            return []
        rows = self.con.execute(
            "SELECT DISTINCT container FROM records WHERE status = 'active' AND container IN (SELECT unnest($c))",
            {"c": complete},
        ).fetchall()
        return [r[0] for r in rows]

    def _supersede_removed(self, complete: list[str]) -> list[tuple]:
        """Containers ingested completely: their active records they no longer contain become superseded.

        ``complete``: those of the batch's containers that held active records before the batch.
        """
        con = self.con
        if not complete:
            return []
        removed = con.execute(  # as_of: the day it names, as in _inc_t (stage_new)
            f"""
            SELECT r.record_id, r.doc_key FROM records r  -- i: the container's snapshot in this batch
            LEFT JOIN (SELECT container, max(as_of) AS as_of, max(snap) AS snap FROM _inc_t GROUP BY container) i
                   ON i.container = r.container
            WHERE r.status = 'active' AND r.container IN (SELECT unnest($c))
              AND r.record_id NOT IN (SELECT record_id FROM _inc_t)
              AND r.doc_key NOT IN (SELECT doc_key FROM _inc_t)
              AND coalesce({as_of_sql("json_extract_string(r.metadata, '$.as_of')")}, '') <= coalesce(i.as_of, '')
              AND NOT coalesce(coalesce({as_of_sql("json_extract_string(r.metadata, '$.as_of')")}, '')
                               = coalesce(i.as_of, '') AND {snapshot_sql("r.metadata")} > i.snap, false)
            ORDER BY r.record_id""",
            {"c": complete},
        ).fetchall()
        if removed:
            con.execute(  # one statement: records has no index to make a per-id UPDATE a point write (0101)
                "UPDATE records SET status = 'superseded' WHERE record_id IN (SELECT unnest($ids))",
                {"ids": [r[0] for r in removed]},
            )
        return removed

    def _events(
        self,
        now: dt.datetime,
        n_new: int,
        new_rows: list[tuple],
        terms_changed: dict[str, dict],
        removed: list[tuple],
    ) -> list[ledger.Event]:
        """Ledger events of a batch: one for its new records, one per new version, terms change or removal.

        ``new_rows``: the versions and history rows among the ``n_new`` records written."""
        from curate.ingest_terms import ACTION as TERMS_CHANGED

        run_id = self.run_id
        events = []
        if n_new:
            # one event for every record this batch created: its members are the records of this run
            # with this created_at; `audit verify` recomputes the digest from the records table
            n_members, batch_sha = batch_digest(self.con, run_id, now, DIGEST_VERSION)
            events.append(
                ledger.Event(
                    stage="ingest",
                    action=BATCH_ACTION,
                    run_id=run_id,
                    detail={
                        "digest": batch_sha,
                        "digest_v": DIGEST_VERSION,
                        "records": n_members,
                        "source": self.source.name,
                    },
                )
            )
        src = json.dumps(self.source.name)
        for rid, v, lic, hist, digest in new_rows:
            if rid in terms_changed:
                events.append(
                    ledger.Event(
                        stage="ingest",
                        action=TERMS_CHANGED,
                        record_id=rid,
                        run_id=run_id,
                        detail={**terms_changed[rid], "licence_id": lic, "sha256": digest},
                    )
                )
                continue
            if not (v or hist):
                continue  # a new record: covered by the batch event
            action = "historical_version" if hist else "new_version"
            # canonical JSON (sorted keys, compact) built directly
            detail = (
                f'{{"licence_id":{json.dumps(lic)},'
                + (f'"newer_active_version":"{hist}",' if hist else "")
                + f'"sha256":{json.dumps(digest)},"source":{src},"version_of":{json.dumps(v)}}}'
            )
            events.append(ledger.Event(stage="ingest", action=action, record_id=rid, run_id=run_id, detail=detail))
        events += [
            ledger.Event(
                stage="ingest",
                action="removed_from_source",
                record_id=rid,
                run_id=run_id,
                detail={"doc_key": key, "status": "superseded"},
            )
            for rid, key in removed
        ]
        return events
