"""What the PII detector finds in a text, as the detector tests compare it."""

from __future__ import annotations


def found(det, text: str) -> list[tuple[str, str]]:
    """Each span the detector finds: its text and entity type."""
    return [(text[s.start : s.end], s.entity_type) for s in det.analyze(text)]


def names(det, text: str) -> list[str]:
    """The texts of the PERSON spans the detector finds."""
    return [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"]
