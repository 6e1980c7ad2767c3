"""`curate run pii`: detect and scrub personal data; raw text goes to the encrypted vault.

Per input record (``pii_state IS NULL``), every string that can leave the catalogue is checked:
``text``, ``title`` and every string in ``metadata`` (MODA extra fields, manifest columns,
``document_title`` ...; each read after its key as after a field label, :func:`curate.pii.fields.field_label`).
A value found in one of them is scrubbed in all of them (repeated
mentions, :mod:`curate.pii.propagate`), so the third ``林志明`` of a sanction text goes too.

* no PII -> ``set_pii_state='clean'`` and a ``pii_checked`` event;
* PII -> a new scrubbed version (``pii_state='scrubbed'``, scrubbed title and metadata), the input
  becomes ``pii_state='raw'``, and a ``pii_scrubbed`` event with entity types, offsets and keyed
  HMAC digests (never values).

Names found after a field label (``受處分人：``, ``負責人``; :mod:`curate.pii.labels`) join the
source's name list (``pii_source_names``, encrypted). Each load batch seals its raw records as it commits
(:meth:`PiiStage.after_batch`); after the last batch, :meth:`PiiStage.after_batches` scrubs those
names in the source's other records -- also records already marked clean, whenever a new name joins
the list -- in committed steps that each seal their raw parents, and the run's last transaction
(:meth:`PiiStage.after_load`) stores the new names. Sealing encrypts the text, title and metadata of
raw records (and their earlier versions) into ``raw_vault`` and NULLs ``records.text``. The key (``CURATE_PII_KEY`` or
``CURATE_PII_KEY_FILE``) is required; it is never stored in the repository or the catalogue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, ClassVar

from datatrove.data import Document

from curate.pii.fields import (
    KEY_PATH,
    NAMES_FIELD,
    labelled_text,
    leaf_labels,
    load_metadata,
    scrubbed_metadata,
    span_report,
    string_leaves,
    unlabelled,
    without_credit_names,
)
from curate.stages.base import RECORD_METADATA, Stage, StageResult
from curate.stages.config import PiiConfig
from provenance.batches import BATCH_ACTION

#: sealed versions whose keyed digests are applied at once (:meth:`PiiStage._key_sealed`)
SEAL_APPLY = 25_000
#: sealed versions (text in the vault) of sources with plain ids whose content digest is still a plain sha256,
#: with the ledger seq of the ingest batch event they are members of (NULL for versions outside any batch)
_SEALED_PLAIN = f"""
    CREATE OR REPLACE TEMP TABLE _sealed_plain AS
    SELECT r.record_id, r.content_sha256, b.seq
    FROM records r LEFT JOIN (SELECT seq, run_id, created_at FROM provenance_events WHERE action = '{BATCH_ACTION}') b
      ON r.stage = 'ingest' AND b.run_id = r.run_id AND b.created_at = r.created_at
    WHERE r.pii_state = 'raw' AND r.text IS NULL AND r.content_sha256 IS NOT NULL
      AND NOT starts_with(r.content_sha256, 'hmac:')
      AND r.source_id NOT IN (SELECT source_id FROM sources WHERE pii_expected)"""
#: new versions per committed step of the source-name scrub (:meth:`PiiStage.after_batches`; at most the load's
#: batch): each step also seals their parents and ancestors, so it holds about three times as many texts
NAMES_STEP = 10_000


class PiiStage(Stage):
    """`curate run pii`."""

    name: ClassVar[str] = "pii"
    reads: ClassVar[tuple[str, ...]] = ("record_id", "text", "title", "metadata", "source_id")
    writes: ClassVar[tuple[str, ...]] = ("version", "event")
    verdicts: ClassVar[dict[str, str]] = {"pii_checked": "set_pii_state"}
    select_where: ClassVar[str] = "r.pii_state IS NULL"
    takes_released: ClassVar[bool] = True
    config_class: ClassVar[type] = PiiConfig

    def __init__(self, config: PiiConfig | None = None) -> None:
        super().__init__(config)  # PiiConfig checks its values (a bad `--set mode=` is a usage error, exit 2)
        from curate.pii.keys import load_key

        self.key = load_key(required=True, purpose="`curate run pii` (ledger digests and the raw-text vault)")
        self._detector = None
        #: the run's labelled names not yet in pii_source_names, per source (found by after_batches)
        self._new_names: dict[str, list[str]] | None = None
        #: source_id -> {(entity type, keyed digest)} judged 非個資 by reviewers (see curate.pii.allowlist)
        self.allowlist: dict[str, set[tuple[str, str]]] = {}
        #: ingest batches whose digest this run re-declared after keying sealed digests (verified once per run)
        self._redeclared: set[int] = set()
        #: names held back from the source-wide scrub as too common in their source, ``{source: {name: records}}``
        self._held: dict[str, dict[str, int]] = {}

    def prepare(self, con) -> None:
        from curate.pii.allowlist import allowed
        from curate.pii.keyed_ids import refuse_other_key

        refuse_other_key(con, self.key, "`curate run pii`")
        self.allowlist = allowed(con, self.key)
        self._redeclared = set()

    @property
    def detector(self):
        if self._detector is None:
            from curate.pii.engine import DetectorConfig, PiiDetector

            self._detector = PiiDetector(
                DetectorConfig(
                    score_threshold=self.config.score_threshold, ckip_model_dir=self.config.ckip_model_dir or None
                )
            )
        return self._detector

    def __getstate__(self):  # the detector is rebuilt in each worker
        state = self.__dict__.copy()
        state["_detector"] = None
        return state

    def process(self, doc: Document) -> Iterable[StageResult]:
        return self.process_batch([doc])

    def process_batch(self, docs: list[Document]) -> Iterable[StageResult]:
        from curate.pii.propagate import propagate

        items = []  # per doc: {field name: string}, {field name: the label of its metadata key}
        flat: list[str] = []
        for d in docs:
            meta = d.metadata or {}
            fields = {"text": d.text or "", "title": meta.get("title") or ""}
            extra = load_metadata(meta.get(RECORD_METADATA))
            fields.update(string_leaves(extra, keys=True))
            labels = leaf_labels(extra)
            items.append((fields, labels))
            # a metadata value is read after its key, as a value after that label in text (姓名：李大同)
            flat.extend(labelled_text(labels.get(name), value) for name, value in fields.items())
        found = iter(self.detector.analyze_many(flat))
        per_doc, allowlisted = [], [set() for _ in docs]
        for i, (doc, (fields, labels)) in enumerate(zip(docs, items, strict=True)):
            # a name in a licence's credit is the author's (kept, never spread to the other fields) and a name found
            # elsewhere is not scrubbed there (curate.pii.fields.CREDIT_PATH)
            own = without_credit_names({name: unlabelled(labels.get(name), next(found)) for name in fields})
            spans = without_credit_names(propagate(fields, own))
            per_doc.append(self._allowed(doc, fields, spans, allowlisted[i]))
        self._settle(docs, items, per_doc, allowlisted)
        for doc, (fields, _), spans, n_allowed in zip(docs, items, per_doc, map(len, allowlisted), strict=True):
            for res in self._decide(doc, fields, spans):
                if n_allowed:
                    res.detail["allowlisted"] = n_allowed
                yield res

    def _allowed(self, doc: Document, fields: dict[str, str], spans: dict[str, list], dropped: set) -> dict:
        """``spans`` without the values reviewers judged 非個資 in the doc's source (each added to ``dropped``)."""
        allowed = self.allowlist.get((doc.metadata or {}).get("source_id") or "")
        if not allowed:
            return spans
        for name, value in fields.items():
            kept = []
            for s in spans[name]:
                if (s.entity_type, self.key.digest(s.entity_type, value[s.start : s.end])) in allowed:
                    dropped.add((name, s.start, s.end))
                else:
                    kept.append(s)
            spans[name] = kept
        return spans

    def _settle(self, docs: list[Document], items: list[tuple], per_doc: list[dict], allowlisted: list[set]) -> None:
        """Read each changed field's scrubbed output again and scrub what the detector finds there, until a pass
        finds nothing new (:mod:`curate.pii.settle`): the output is then clean to ``curate pii scan``'s detector."""
        from curate.pii.propagate import propagate
        from curate.pii.settle import pass_bound, rescan, unsettled

        todo = [i for i, spans in enumerate(per_doc) if any(spans.values())]
        passes = 0
        while todo:
            passes += 1
            over = next((i for i in todo if passes > pass_bound(items[i][0])), None)
            if over is not None:
                raise unsettled(docs[over].id, passes - 1)
            where = [(i, name) for i in todo for name in items[i][0] if per_doc[i][name]]
            found = rescan(
                self.detector,
                [(items[i][0][name], items[i][1].get(name), per_doc[i][name]) for i, name in where],
                mode=self.config.mode,
                key=self.key,
            )
            new: dict[int, dict[str, list]] = {}
            for (i, name), spans in zip(where, found, strict=True):
                if spans:
                    new.setdefault(i, {})[name] = spans
            todo = []
            for i, extra in new.items():
                fields, spans = items[i][0], per_doc[i]
                merged = without_credit_names({n: [*spans[n], *extra.get(n, ())] for n in fields})
                merged = without_credit_names(propagate(fields, merged))
                per_doc[i] = self._allowed(docs[i], fields, merged, allowlisted[i])
                if _span_keys(per_doc[i]) != _span_keys(spans):  # not only values judged 非個資 came back
                    todo.append(i)

    def _decide(self, doc: Document, fields: dict[str, str], spans: dict[str, list]) -> list[StageResult]:
        """One result per record: `clean`, or a scrubbed version plus `raw` on the input."""
        from curate.pii.labels import LABELLED
        from curate.pii.scrubber import scrub

        text = fields["text"]
        if not any(spans.values()):
            return [
                StageResult(
                    doc.id,
                    action="pii_checked",
                    set_pii_state="clean",
                    outcome="clean",
                    detail={"entities": {}, "chars": len(text)},
                )
            ]
        scrubbed = {
            name: scrub(value, spans[name], mode=self.config.mode, key=self.key)
            for name, value in fields.items()
            if spans[name]
        }
        detail = {
            "entities": dict(Counter(s.entity_type for ss in spans.values() for s in ss)),
            "spans": span_report(scrubbed["text"].spans) if "text" in scrubbed else [],
            "mode": self.config.mode,
            "key_id": self.key.key_id,
        }
        new_fields: dict[str, Any] = {"pii_state": "scrubbed"}
        if "title" in scrubbed:
            new_fields["title"] = scrubbed["title"].text
            detail["title_spans"] = span_report(scrubbed["title"].spans)
        if any(k.startswith(("metadata", KEY_PATH)) for k in scrubbed):
            meta = load_metadata((doc.metadata or {}).get(RECORD_METADATA))
            new_fields["metadata"], meta_detail = scrubbed_metadata(meta, scrubbed)
            detail.update(meta_detail)
        names = sorted(
            {value[s.start : s.end] for name, value in fields.items() for s in spans[name] if s.source == LABELLED}
        )
        if names:
            new_fields[NAMES_FIELD] = [(doc.metadata or {}).get("source_id"), names]
        return [
            StageResult(
                doc.id,
                action="pii_scrubbed",
                new_text=scrubbed["text"].text if "text" in scrubbed else text,
                set_pii_state="raw",
                fields=new_fields,
                detail=detail,
                outcome="scrubbed",
            )
        ]

    def after_batch(self, con, run_id: str) -> None:
        """Seal the raw text of the batch's records as the batch commits (memory bounded by the batch)."""
        self._seal(con, run_id)

    def _seal(self, con, run_id: str) -> None:
        """Move raw texts into the vault; their plain content digests are keyed later (:meth:`_key_sealed`)."""
        from curate.pii.vault import seal_raw_records

        seal_raw_records(con, self.key, run_id=run_id)

    def _key_sealed(self, con, run_id: str, *, commit: bool) -> None:
        """Sealed versions whose content digest is still a plain sha256 get the keyed one (issue 13), grouped by
        the ingest batch they belong to: each group is one :func:`curate.pii.rekey.key_sealed_digests` call, which
        re-declares the digest of the batch it touched, so a run re-declares each ingest batch once (keying per
        load batch re-digested every ingest batch each time: a whole-catalogue digest per load batch).

        The keyed digest is computed from the plain one (:meth:`PiiKey.key_plain_digest`), so the vault is not
        read. Found from the catalogue, not from this run's work: a run killed between a seal and this, or one
        abandoned, is keyed by the next PII run. ``commit``: one transaction per group (from
        :meth:`after_batches`); else inside the caller's (the run's last transaction)."""
        from curate.pii.rekey import key_sealed_digests
        from provenance import db

        con.execute(_SEALED_PLAIN)
        groups = [g[0] for g in con.execute("SELECT DISTINCT seq FROM _sealed_plain ORDER BY 1 NULLS FIRST").fetchall()]
        for seq in groups:
            rows = con.execute(
                "SELECT record_id, content_sha256 FROM _sealed_plain WHERE seq IS NOT DISTINCT FROM $seq"
                " ORDER BY record_id",
                {"seq": seq},
            ).fetchall()
            for lo in range(0, len(rows), SEAL_APPLY):
                digests = [(rid, self.key.key_plain_digest(sha)) for rid, sha in rows[lo : lo + SEAL_APPLY]]
                if commit:
                    # committed but not checkpointed rows stay in DuckDB's pool (the name-scrub steps' at 1M: enough
                    # that the re-declaration's digest, 250,000 member lines sorted, no longer fitted the 128 MB cap)
                    con.execute("CHECKPOINT")
                    with db.transaction(con):
                        key_sealed_digests(con, self.key, digests, run_id, self._redeclared)
                else:
                    key_sealed_digests(con, self.key, digests, run_id, self._redeclared)
        con.execute("DROP TABLE IF EXISTS _sealed_plain")

    def after_batches(self, con, run_id: str, rows: int) -> None:
        """Scrub the sources' labelled names, one committed transaction per :data:`NAMES_STEP` new versions
        (``rows``, the load's batch, if smaller), each sealing its raw parents.

        Idempotent (a resumed run calls it again): the run's new names are stored only in
        :meth:`after_load`, so a second call finds them new again and searches the same records, and
        the steps already committed left no name to scrub."""
        from contextlib import contextmanager

        from curate.pii.source_names import propagate_source_names, run_new_names
        from provenance import db

        @contextmanager
        def step():
            with db.transaction(con):
                yield
                self._seal(con, run_id)

        self._new_names = run_new_names(con, self.key)
        self._held = {}
        propagate_source_names(
            con,
            self.key,
            run_id,
            self._new_names,
            step=step,
            step_rows=min(rows, NAMES_STEP),
            mode=self.config.mode,
            common=(self.config.names_common_share, self.config.names_common_min),
            held=self._held,
        )
        self._key_sealed(con, run_id, commit=True)

    def _log_held(self, con, run_id: str) -> None:
        """One ``pii_names_held`` event per source whose names the source-wide scrub held back (keyed digests and
        counts only: the names stay in ``pii_source_names``, encrypted). In the run's last transaction, so a resumed
        run logs it once."""
        from provenance import ledger

        events = [
            ledger.Event(
                stage=self.name,
                action="pii_names_held",
                record_id=None,
                run_id=run_id,
                detail={
                    "source_id": source_id,
                    "reason": "common in the source: not scrubbed across it (still where labelled, and in that record)",
                    "names": [{"digest": self.key.digest("PERSON", n), "records": c} for n, c in names.items()],
                    "share": self.config.names_common_share,
                    "minimum": self.config.names_common_min,
                },
            )
            for source_id, names in sorted(self._held.items())
        ]
        if events:
            ledger.append(con, events)

    def after_batches_counts(self, con, run_id: str) -> dict[str, int]:
        from curate.pii.source_names import name_pass_counts

        return name_pass_counts(con, run_id)

    def run_statistics(self) -> dict[str, dict[str, float]]:
        if not self._held:
            return {}
        return {"names_held": {source: len(names) for source, names in sorted(self._held.items())}}

    def after_load(self, con, run_id: str) -> None:
        from curate.pii.source_names import run_new_names, store_names

        # last (see after_batches): the names after_batches searched for, found new under the run's lock
        fresh = self._new_names if self._new_names is not None else run_new_names(con, self.key)
        store_names(con, self.key, run_id, fresh)
        self._log_held(con, run_id)
        self._seal(con, run_id)
        self._key_sealed(con, run_id, commit=False)
        from curate.pii.vault import drop_sealed_index

        drop_sealed_index(con)  # once per run: also raw versions sealed before review 15 (their index rows stayed)
        from curate.pii.vault import seal_annotation_texts

        seal_annotation_texts(con, self.key, run_id)  # what an annotator typed, left in the clear by an older pull


def _span_keys(spans: dict[str, list]) -> set[tuple[str, int, int, str]]:
    """Where each span of a record lies (field, offsets, type): what a pass of :meth:`PiiStage._settle` compares."""
    return {(name, s.start, s.end, s.entity_type) for name, ss in spans.items() for s in ss}
