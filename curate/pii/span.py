"""A detected entity (shared by the engine, propagation and the scrubber)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A detected entity: code-point offsets into the original text."""

    start: int
    end: int
    entity_type: str
    score: float = field(compare=False)
    #: recognizer that found it (``LabelledField`` spans propagate across a source)
    source: str = field(default="", compare=False)

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "entity_type": self.entity_type, "score": round(self.score, 4)}
