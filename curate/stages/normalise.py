"""`curate run normalise`: Simplified -> Taiwan Traditional, only where the text is Simplified.

Per input record (see :func:`curate.zh.normalise`):

Stage order is enforced, not advised: for a record that has not passed the PII stage
(``pii_state`` NULL) the ledger gets offsets and lengths only, never characters of the text.

* text changed -> a new version (``script`` = ``traditional`` for a fully converted record,
  ``mixed`` when a sentence with both scripts' signals was left for a human) and one
  ``normalise`` event on the input with the detected script, shares and every edit
  (offset into the input, before, after);
* text unchanged -> the detected script is stored in the record's ``script`` column in place (a
  derived column: the text did not change, so no new version) with one ``script_detected`` event
  holding the script and shares (the ledger cross-check compares the column with it);
* proofreading flags -> one ``flag`` event (offsets into the input, reasons, the one-to-many
  characters; ``version`` names the new record id when there is one).

Protected words: the shipped glossary (``schemas/zh/protected.tsv``), its rows for this
record's ``source_id``, and names in ``metadata.protected_terms`` (e.g. person names found by
the PII stage). Edits hold at most the changed characters, never the protected words.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, ClassVar

from datatrove.data import Document

from curate.stages.base import RECORD_METADATA, Stage, StageResult
from curate.zh.config import NormaliseConfig
from provenance.records import derived_record_id


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


def _ledger_edits(edits: list[dict[str, Any]], unchecked: bool) -> list[dict[str, Any]]:
    """Edits as the ledger keeps them: with text once the record passed PII, else offsets and lengths only."""
    if not unchecked:
        return edits
    return [
        {"offset": e["offset"], "before_chars": len(e["before"]), "after_chars": len(e["after"]), "by": e["by"]}
        for e in edits
    ]


def _ledger_flags(flags: list[dict[str, Any]], unchecked: bool) -> list[dict[str, Any]]:
    if not unchecked:
        return flags
    return [{k: v for k, v in f.items() if k != "chars"} for f in flags]


class NormaliseStage(Stage):
    """Convert Simplified sentences to Taiwan Traditional; leave everything else byte-identical."""

    name: ClassVar[str] = "normalise"
    reads: ClassVar[tuple[str, ...]] = ("record_id", "text", "source_id", "script", "metadata", "pii_state")
    writes: ClassVar[tuple[str, ...]] = ("version", "event")
    config_class: ClassVar[type] = NormaliseConfig

    def _source_terms(self, source_id: str | None) -> tuple[str, ...]:
        from curate.zh.terms import protected_terms

        if not source_id:
            return ()
        return tuple(p.term for p in protected_terms() if p.source_id == source_id)

    def process(self, doc: Document) -> Iterable[StageResult]:
        from curate.zh.normalise import normalise

        meta = doc.metadata or {}
        protected = self._source_terms(meta.get("source_id")) + _metadata_terms(meta.get(RECORD_METADATA))
        res = normalise(doc.text or "", self.config, protected=protected)
        unchecked = meta.get("pii_state") is None  # not through the PII stage: no text into the ledger
        summary = {"script": res.script, "shares": res.shares, "config": self.config.opencc_config, **res.counts}
        out: list[StageResult] = []
        new_id = None
        if res.changed:
            new_id = derived_record_id(doc.id, self.name, res.text)
            left_mixed = any(f.reason == "mixed_signals" for f in res.flags)
            out.append(
                StageResult(
                    doc.id,
                    action="normalise",
                    new_text=res.text,
                    outcome="converted",
                    fields={"script": "mixed" if left_mixed else "traditional"},
                    detail={**summary, "n_edits": len(res.edits), "edits": _ledger_edits(res.edits_json(), unchecked)},
                )
            )
        else:
            out.append(
                StageResult(
                    doc.id, action="script_detected", set_script=res.script, outcome="unchanged", detail=summary
                )
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
                        "flags": _ledger_flags(res.flags_json(), unchecked),
                    },
                )
            )
        return out
