"""The recognizer contract of our own detection engine (no presidio needed at run time).

Deliberately shaped like presidio-analyzer's ``EntityRecognizer`` / ``RecognizerResult`` (same
attribute and metadata key names), so that the optional presidio adapter
(:mod:`curate.pii.presidio_adapter`, extra ``[presidio]``) can hand the same recognizers to a presidio
``AnalyzerEngine``. Importing presidio costs seconds (spaCy, and transformers/torch when installed);
the engine (:class:`curate.pii.engine.TaiwanAnalyzer`) starts in a fraction of a second.
"""

from __future__ import annotations

import itertools
from typing import Any

_IDS = itertools.count()


class RecognizerResult:
    """A span found by one recognizer: type, code-point offsets, score, and who found it."""

    RECOGNIZER_NAME_KEY = "recognizer_name"
    RECOGNIZER_IDENTIFIER_KEY = "recognizer_identifier"
    IS_SCORE_ENHANCED_BY_CONTEXT_KEY = "is_score_enhanced_by_context"

    __slots__ = ("entity_type", "start", "end", "score", "recognition_metadata")

    def __init__(
        self, entity_type: str, start: int, end: int, score: float, recognition_metadata: dict | None = None
    ) -> None:
        self.entity_type, self.start, self.end, self.score = entity_type, start, end, score
        self.recognition_metadata = recognition_metadata if recognition_metadata is not None else {}

    def __repr__(self) -> str:
        return f"RecognizerResult({self.entity_type}, {self.start}, {self.end}, {self.score:.2f})"


class EntityRecognizer:
    """Base class of our recognizers: ``analyze(text, entities)`` returns :class:`RecognizerResult` s."""

    def __init__(
        self,
        supported_entities: list[str],
        name: str | None = None,
        supported_language: str = "zh",
        context: list[str] | None = None,
        **_: Any,
    ) -> None:
        self.supported_entities = list(supported_entities)
        self.name = name or type(self).__name__
        self.supported_language = supported_language
        self.context = list(context or [])
        self.id = f"{self.name}_{next(_IDS)}"
        self.is_loaded = False
        self.load()
        self.is_loaded = True

    def load(self) -> None:
        """Prepare (compile patterns, load tables); called once."""

    def analyze(self, text: str, entities: list[str] | None = None, nlp_artifacts=None) -> list[RecognizerResult]:
        raise NotImplementedError
