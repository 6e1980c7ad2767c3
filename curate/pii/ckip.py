"""Optional CKIP NER (ckip-transformers' ``CkipNerChunker``) as a presidio ``EntityRecognizer``.

ckip-transformers is GPL-3.0 and therefore an optional extra (``pip install 'finllm-curate[ckip]'``);
it is imported lazily only when a local model directory is configured. The chunker (not an HF
``token-classification`` pipeline, whose aggregation splits CKIP's BIOES entities) returns
character offsets into the input, which map directly onto presidio results. Inputs are sorted
by length and fed in small batches because padding is global per call.
"""

from __future__ import annotations

import os
from pathlib import Path

from curate._optional import require
from curate.pii.base import EntityRecognizer, RecognizerResult
from provenance.errors import ConfigError

#: CKIP (OntoNotes) NER labels -> presidio entity types
LABELS = {
    "PERSON": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "ORG": "ORGANIZATION",
    "DATE": "DATE_TIME",
    "TIME": "DATE_TIME",
    "NORP": "NRP",
}


class CkipNerRecognizer(EntityRecognizer):
    """PERSON (and other) spans from a local CKIP NER model directory; offline only."""

    def __init__(
        self,
        model_dir: str | Path,
        supported_language: str = "zh",
        entities: tuple[str, ...] = ("PERSON",),
        score: float = 0.8,
        max_length: int | None = None,
        batch_size: int = 32,
        device: int = -1,
    ) -> None:
        self.model_dir = Path(model_dir)
        if not self.model_dir.is_dir():
            raise ConfigError(
                f"CKIP model directory `{self.model_dir}` does not exist; download a CKIP NER model "
                "once (e.g. ckiplab/bert-base-chinese-ner) and pass its local path"
            )
        self.score, self.max_length, self.batch_size, self.device = score, max_length, batch_size, device
        self._chunker = None
        super().__init__(
            supported_entities=list(entities), name="CkipNerRecognizer", supported_language=supported_language
        )

    def load(self) -> None:
        if self._chunker is not None:
            return
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        nlp = require("ckip_transformers.nlp", extra="ckip", purpose="CKIP person-name recognition")
        self._chunker = nlp.CkipNerChunker(model_name=str(self.model_dir), device=self.device)
        limit = int(getattr(self._chunker.tokenizer, "model_max_length", 512))
        if limit > 100_000:
            raise ConfigError(f"CKIP model `{self.model_dir}`: tokenizer_config.json must set model_max_length")
        self.max_length = min(self.max_length or limit - 2, limit - 3)

    def analyze_many(self, texts: list[str]) -> list[list[RecognizerResult]]:
        """Batch analysis (sorted by length, chunks of ``batch_size``)."""
        self.load()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[list[RecognizerResult]] = [[] for _ in texts]
        for k in range(0, len(order), self.batch_size):
            idx = [i for i in order[k : k + self.batch_size] if texts[i].strip()]
            if not idx:
                continue
            batch = [texts[i] for i in idx]
            tokens = self._chunker(
                batch, use_delim=True, max_length=self.max_length, batch_size=self.batch_size, show_progress=False
            )
            for i, ents in zip(idx, tokens):
                for tok in ents:
                    etype = LABELS.get(tok.ner)
                    if etype is None or etype not in self.supported_entities:
                        continue
                    start, end = tok.idx
                    out[i].append(
                        RecognizerResult(
                            etype,
                            start,
                            end,
                            self.score,
                            recognition_metadata={
                                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                            },
                        )
                    )
        return out

    def analyze(self, text: str, entities: list[str] | None = None, nlp_artifacts=None) -> list[RecognizerResult]:
        if entities and not set(entities) & set(self.supported_entities):
            return []
        return self.analyze_many([text])[0]
