"""`curate run pii`: detect and scrub personal data; raw text goes to the encrypted vault.

Per input record (``pii_state IS NULL``):

* no PII -> ``set_pii_state='clean'`` and a ``pii_checked`` event;
* PII -> a new scrubbed version (``pii_state='scrubbed'``), the input becomes ``pii_state='raw'``,
  and a ``pii_scrubbed`` event with entity types, offsets and keyed HMAC digests (never values).

After loading, :meth:`PiiStage.after_load` encrypts the text of raw records (and their earlier
versions) into ``raw_vault`` and NULLs ``records.text``. The key (``CURATE_PII_KEY`` or
``CURATE_PII_KEY_FILE``) is required; it is never stored in the repository or the catalogue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from datatrove.data import Document

from curate.stages.base import Stage, StageResult


@dataclass(frozen=True, slots=True)
class PiiConfig:
    """Options of the PII stage."""

    #: "placeholder" (〔姓名〕) or "pseudonym" (consistent keyed surrogates)
    mode: str = "placeholder"
    #: minimum score of a reported span
    score_threshold: float = 0.4
    #: local CKIP NER model directory (optional extra `ckip`, GPL-3.0); empty = rule-based names only
    ckip_model_dir: str = ""


class PiiStage(Stage):
    """`curate run pii`."""

    name: ClassVar[str] = "pii"
    reads: ClassVar[tuple[str, ...]] = ("record_id", "text", "title", "source_id")
    writes: ClassVar[tuple[str, ...]] = ("version", "event")
    select_where: ClassVar[str] = "r.pii_state IS NULL"
    config_class: ClassVar[type] = PiiConfig

    def __init__(self, config: PiiConfig | None = None) -> None:
        super().__init__(config)
        from curate.pii.keys import load_key
        from curate.pii.scrubber import MODES
        from provenance.errors import ConfigError

        if self.config.mode not in MODES:
            raise ConfigError(f"pii: unknown mode `{self.config.mode}`; valid: {', '.join(MODES)}")
        self.key = load_key(required=True, purpose="`curate run pii` (ledger digests and the raw-text vault)")
        self._detector = None
        #: source_id -> {(entity type, keyed digest)} judged 非個資 by reviewers (see curate.pii.allowlist)
        self.allowlist: dict[str, set[tuple[str, str]]] = {}

    def prepare(self, con) -> None:
        from curate.pii.allowlist import allowed

        self.allowlist = allowed(con, self.key)

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
        texts = [d.text or "" for d in docs]
        titles = [(d.metadata or {}).get("title") or "" for d in docs]
        found = self.detector.analyze_many(texts)
        found_titles = self.detector.analyze_many(titles)  # titles can name people too (sanction subjects)
        for doc, text, spans, title, title_spans in zip(docs, texts, found, titles, found_titles, strict=True):
            allowed = self.allowlist.get((doc.metadata or {}).get("source_id") or "")
            n_allowed = 0
            if allowed:
                kept = [
                    s
                    for s in spans
                    if (s.entity_type, self.key.digest(s.entity_type, text[s.start : s.end])) not in allowed
                ]
                n_allowed, spans = len(spans) - len(kept), kept
            for res in self._decide(doc.id, text, spans, title, title_spans):
                if n_allowed:
                    res.detail["allowlisted"] = n_allowed
                yield res

    def _decide(
        self, record_id: str, text: str, spans: list, title: str = "", title_spans: list = ()
    ) -> list[StageResult]:
        """One result per record: `clean`, or a scrubbed version plus `raw` on the input."""
        from curate.pii.scrubber import scrub

        if not spans and not title_spans:
            return [
                StageResult(
                    record_id,
                    action="pii_checked",
                    set_pii_state="clean",
                    outcome="clean",
                    detail={"entities": {}, "chars": len(text)},
                )
            ]
        res = scrub(text, spans, mode=self.config.mode, key=self.key) if spans else None
        detail = {
            "entities": dict(Counter(s.entity_type for s in [*spans, *title_spans])),
            "spans": [
                {
                    "entity_type": s["entity_type"],
                    "start": s["start"],
                    "end": s["end"],
                    "hmac": s["hmac"],
                    "score": s["score"],
                }
                for s in (res.spans if res else [])
            ],
            "mode": self.config.mode,
            "key_id": self.key.key_id,
        }
        fields = {"pii_state": "scrubbed"}
        if title_spans:
            t = scrub(title, title_spans, mode=self.config.mode, key=self.key)
            fields["title"] = t.text
            detail["title_spans"] = [
                {"entity_type": s["entity_type"], "start": s["start"], "end": s["end"], "hmac": s["hmac"]}
                for s in t.spans
            ]
        return [
            StageResult(
                record_id,
                action="pii_scrubbed",
                new_text=res.text if res else text,
                set_pii_state="raw",
                fields=fields,
                detail=detail,
                outcome="scrubbed",
            )
        ]

    def after_load(self, con, run_id: str) -> None:
        from curate.pii.vault import seal_raw_records

        seal_raw_records(con, self.key)
