"""`curate run normalise`: Simplified -> Taiwan Traditional, only where the text is Simplified.

Per input record (see :func:`curate.zh.normalise`):

Stage order is enforced, not advised: for a record that has not passed the PII stage
(``pii_state`` NULL) the ledger gets offsets and lengths only (``before_chars`` / ``after_chars``
instead of ``before`` / ``after``), never characters of the text.

* text changed -> a new version (``script`` = ``traditional`` for a fully converted record,
  ``mixed`` when a sentence with both scripts' signals was left for a human) and one
  ``normalise`` event on the input with the detected script, shares and every edit, column by
  column: ``"edits": {"offset": [...], "before": [...], "after": [...], "by": [...]}`` (offsets into
  the input; one ledger row per record however many edits it has; events written before
  2026-12-03 hold a list of ``{"offset", "before", "after", "by"}`` objects instead, and every
  reader takes both);
* text unchanged -> the detected script is stored in the record's ``script`` column in place (a
  derived column: the text did not change, so no new version) with one ``script_detected`` event
  holding the script and shares (the ledger cross-check compares the column with it);
* proofreading flags -> one ``flag`` event (offsets into the input, reasons, the one-to-many
  characters, column by column: ``"flags": {"start": [...], "end": [...], "reason": [...], "chars": [...]}``,
  no ``chars`` before PII; ``version`` names the new record id when there is one).

A version the stage made is not read again (``select_where``): a rerun leaves the catalogue as it is, under any
config (a converted version is Traditional, which a conversion leaves as it is). A later stage's copy of it is read
again; its ``mixed`` marker (a sentence left for a human) is kept, with the script the reading found as ``detected``.

Protected words: the shipped glossary (``schemas/zh/protected.tsv``), its rows for this
record's ``source_id``, and names in ``metadata.protected_terms`` (e.g. person names found by
the PII stage). Edits hold at most the changed characters, never the protected words.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from datatrove.data import Document

from curate.stages.base import RECORD_METADATA, Stage, StageResult
from curate.zh.batch import BATCH_CHARS, BATCH_RECORDS
from curate.zh.config import NormaliseConfig
from provenance.records import derived_record_id

if TYPE_CHECKING:
    from curate.zh.normalise import Result


def _metadata_terms(meta: Any) -> tuple[str, ...]:
    if isinstance(meta, str):
        try:
            meta = json.loads(meta)
        except json.JSONDecodeError:
            return ()
    if not isinstance(meta, dict):
        return ()
    terms = meta.get("protected_terms") or ()
    return tuple(t for t in terms if isinstance(t, str) and t)


class NormaliseStage(Stage):
    """Convert Simplified sentences to Taiwan Traditional; leave everything else byte-identical."""

    name: ClassVar[str] = "normalise"
    reads: ClassVar[tuple[str, ...]] = ("record_id", "text", "source_id", "script", "metadata", "pii_state")
    writes: ClassVar[tuple[str, ...]] = ("version", "event")
    verdicts: ClassVar[dict[str, str]] = {"script_detected": "set_script"}
    #: not the stage's own new versions: their text is the conversion's, and their ``script`` says how it ended
    #: (``mixed``: a sentence left for a human), which a second reading of the converted text would turn into
    #: ``traditional`` in place; a rerun (or a run after one killed once its load was in) changes nothing
    select_where: ClassVar[str] = "r.stage IS DISTINCT FROM 'normalise'"
    config_class: ClassVar[type] = NormaliseConfig
    #: one normalise_many call per batch: its fixed cost (numpy set-up, one OpenCC call) is paid per batch,
    #: so batches are large, bounded by characters (see curate.zh.batch.BATCH_RECORDS / BATCH_CHARS)
    batch_size: ClassVar[int] = BATCH_RECORDS
    batch_chars: ClassVar[int | None] = BATCH_CHARS

    def __init__(self, config: Any = None) -> None:
        super().__init__(config)
        self._terms_by_source: dict[str, tuple[str, ...]] = {}

    def _source_terms(self, source_id: str | None) -> tuple[str, ...]:
        if not source_id:
            return ()
        terms = self._terms_by_source.get(source_id)
        if terms is None:
            from curate.zh.terms import protected_terms

            terms = tuple(p.term for p in protected_terms() if p.source_id == source_id)
            self._terms_by_source[source_id] = terms
        return terms

    def _protected(self, doc: Document) -> tuple[str, ...]:
        meta = doc.metadata or {}
        return self._source_terms(meta.get("source_id")) + _metadata_terms(meta.get(RECORD_METADATA))

    def process(self, doc: Document) -> Iterable[StageResult]:
        from curate.zh.normalise import normalise

        return self._decide(doc, normalise(doc.text or "", self.config, protected=self._protected(doc)))

    def process_batch(self, docs: list[Document]) -> Iterable[StageResult]:
        """The batch in one :func:`curate.zh.normalise_many` call (one OpenCC call for its Simplified records)."""
        from curate.zh.batch import normalise_many

        results = normalise_many(
            [doc.text or "" for doc in docs], self.config, protected=[self._protected(doc) for doc in docs]
        )
        for doc, res in zip(docs, results, strict=True):
            yield from self._decide(doc, res)

    def _decide(self, doc: Document, res: Result) -> list[StageResult]:
        meta = doc.metadata or {}
        unchecked = meta.get("pii_state") is None  # not through the PII stage: no text into the ledger
        summary = {"script": res.script, "shares": res.shares, "config": self.config.opencc_config, **res.counts}
        out: list[StageResult] = []
        new_id = None
        if res.changed:
            new_id = derived_record_id(doc.id, self.name, res.text)
            # a mixed_signals flag comes only with script "mixed" (curate.zh.normalise._normalise_segments)
            left_mixed = res.script == "mixed" and any(f.reason == "mixed_signals" for f in res.flags)
            edits = res.edits_columns(text=not unchecked)
            out.append(
                StageResult(
                    doc.id,
                    action="normalise",
                    new_text=res.text,
                    outcome="converted",
                    fields={"script": "mixed" if left_mixed else "traditional"},
                    detail={**summary, "n_edits": res.n_edits, "edits": edits},
                )
            )
        else:
            script = res.script
            if meta.get("script") == "mixed" and script != "mixed":
                # left for a human by an earlier conversion (a later stage's copy of it is read again): a reading of
                # the converted text does not see that sentence's signals, and would clear the marker in place
                script, summary = "mixed", {**summary, "script": "mixed", "detected": res.script}
            out.append(
                StageResult(doc.id, action="script_detected", set_script=script, outcome="unchanged", detail=summary)
            )
        if res.flags:
            out.append(
                StageResult(
                    doc.id,
                    action="flag",
                    mark=False,
                    detail={
                        "for": "proofreading",
                        "version": new_id,
                        "flags": res.flags_columns(chars=not unchecked),
                    },
                )
            )
        return out
