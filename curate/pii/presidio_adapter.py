"""Optional: our recognizers inside a presidio ``AnalyzerEngine`` (extra ``[presidio]``).

The workbench does not need presidio (:class:`curate.pii.engine.TaiwanAnalyzer` runs the same
recognizers in a fraction of presidio's start-up). For users who build on presidio -- its
anonymizer operators, its batch engine, their own recognizers -- this wraps ours as presidio
recognizers with the no-op NLP engine (fully offline) and our raw-text context enhancer, and gives
the same spans (``DetectorConfig(engine="presidio")``). presidio is imported with transformers
and torch kept out: it imports them whenever they are installed, adding seconds to start-up.
"""

from __future__ import annotations

from curate._optional import import_without, require


def presidio_analyzer(recognizers: list, language: str = "zh"):
    """A presidio ``AnalyzerEngine`` with ``recognizers`` (ours) and the raw-text context enhancer."""
    import importlib.util

    if importlib.util.find_spec("presidio_analyzer") is None:  # raises the pip line to install it
        require("presidio_analyzer", extra="presidio", purpose="the presidio engine (DetectorConfig.engine='presidio')")
    import_without(("presidio_analyzer",), blocked=("torch", "transformers"))
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
    from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    from curate.pii.context import RawTextContextEnhancer

    class Wrapped(EntityRecognizer):
        def __init__(self, inner) -> None:
            self.inner = inner
            super().__init__(
                supported_entities=inner.supported_entities,
                name=inner.name,
                supported_language=language,
                context=inner.context,
            )

        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):
            out = []
            for r in self.inner.analyze(text, entities):
                meta = {
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                }
                out.append(RecognizerResult(r.entity_type, r.start, r.end, r.score, recognition_metadata=meta))
            return out

    class Enhancer(ContextAwareEnhancer):
        def __init__(self) -> None:
            super().__init__(0.35, 0.4, 20, 8)
            self.inner = RawTextContextEnhancer()

        def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
            return self.inner.enhance_using_context(text, raw_results, nlp_artifacts, recognizers, context)

    nlp = NoOpNlpEngine(models=[{"lang_code": language, "model_name": "no_op"}])
    nlp.load()
    registry = RecognizerRegistry(supported_languages=[language])
    for rec in recognizers:
        registry.add_recognizer(Wrapped(rec))
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp,
        supported_languages=[language],
        context_aware_enhancer=Enhancer(),
        default_score_threshold=0.4,
    )
