"""Context enhancement on raw (unsegmented) Chinese text.

presidio's stock ``LemmaContextAwareEnhancer`` looks at lemmas of the 5 tokens before a match;
on unsegmented Chinese there are no useful tokens. This enhancer looks at a character window
around the match instead (cut at sentence ends) and lifts the score when one of the
recognizer's context words (or call-level context words) occurs in it.
"""

from __future__ import annotations

from curate.pii.base import EntityRecognizer, RecognizerResult
from curate.pii.text import SENTENCE_END


def context_window(text: str, start: int, end: int, before: int = 20, after: int = 8) -> str:
    """The characters around ``text[start:end]``, cut at sentence ends.

    >>> context_window("上一句。本公司統一編號為22099131，完。", 12, 20)
    '本公司統一編號為，完'
    """
    left = text[max(0, start - before) : start]
    cut = max(left.rfind(c) for c in SENTENCE_END)
    if cut >= 0:
        left = left[cut + 1 :]
    right = text[end : end + after]
    cuts = [i for i in (right.find(c) for c in SENTENCE_END) if i >= 0]
    if cuts:
        right = right[: min(cuts)]
    return left + right


class RawTextContextEnhancer:
    """Lift scores when a context word occurs within a raw character window.

    Same call shape as presidio's ``ContextAwareEnhancer.enhance_using_context``, so the presidio
    adapter (:mod:`curate.pii.presidio_adapter`) can wrap it.
    """

    def __init__(self, boost: float = 0.35, floor: float = 0.4, before: int = 20, after: int = 8) -> None:
        self.boost, self.floor, self.before, self.after = boost, floor, before, after

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: object,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        by_id = {r.id: r for r in recognizers}
        extra = [w.lower() for w in context or []]
        for res in raw_results:
            meta = res.recognition_metadata or {}
            if meta.get(RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY):
                continue
            rec = by_id.get(meta.get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY))
            words = [w.lower() for w in (rec.context if rec else [])] + extra
            if not words:
                continue
            window = context_window(text, res.start, res.end, self.before, self.after).lower()
            if any(w in window for w in words):
                res.score = min(1.0, max(res.score + self.boost, self.floor))
                meta[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True
                res.recognition_metadata = meta
        return raw_results
