"""Reading the scrubbed output again: what the detector finds there is scrubbed too (review 5, F3).

The detector judges some values by their context: a bare card number needs ``卡號`` within 20 characters before
it (:mod:`curate.pii.context`). The PII stage reads the raw text, but scrubbing changes the distance between a
value and its context word: in ``卡號：5409 9894 3513 5330，副卡4147274739399506`` the second number is too far from
``卡號`` in the raw text and close to it in the output (``卡號：〔信用卡號〕，副卡4147…``). ``curate pii scan`` reads
the output, so it found what the stage had left. The stage therefore reads each changed field's output again with
the same detector and labels (:func:`rescan`) and scrubs what it finds there, until a pass finds nothing new: its
output is what the scan's detector calls clean. A placeholder is a context word too (``〔信用卡號〕`` holds ``卡號``),
so a list of cards settles one card per pass: the passes are bounded by the record's size (:func:`pass_bound`),
not by a fixed number, and a record that reaches the bound stops the run (:class:`UnsettledError`).
"""

from __future__ import annotations

from collections.abc import Sequence

from curate.pii.fields import labelled_text, unlabelled
from curate.pii.keys import PiiKey
from curate.pii.scrubber import replaced
from curate.pii.span import Span
from provenance.errors import StageError


class UnsettledError(StageError):
    """A record's scrubbed output still gave new values after :func:`pass_bound` re-reads (a defect: a cycle)."""


def pass_bound(fields: dict[str, str]) -> int:
    """How many re-reads a record whose fields are ``fields`` may take: one more than their characters. A pass goes
    on only when it found a span in text no span covered (:func:`rescan`), so a record settles within as many passes
    as it has characters; one that does not is caught in a cycle.

    >>> pass_bound({"text": "卡號：4147 274739 399506", "title": ""})
    22
    """
    return 1 + sum(len(v) for v in fields.values())


def unsettled(record_id: str, passes: int, *, what: str = "PII stage: record") -> UnsettledError:
    return UnsettledError(
        f"{what} {record_id}: its scrubbed output still gave new values after {passes} re-reads, as many "
        "as it has characters (curate/pii/settle.py pass_bound); nothing of this batch was written. This is a defect "
        "of the detector (a cycle): report it with the record id; `curate pii detect` on the record's text shows "
        "what is found"
    )


def rescan(
    detector, items: Sequence[tuple[str, str | None, list[Span]]], *, mode: str, key: PiiKey | None
) -> list[list[Span]]:
    """Per ``(value, label, spans)``: the spans the detector finds in the value scrubbed by ``spans`` (read after
    ``label`` as the stage reads it), as offsets into the value; only those wholly in text the scrub kept (a
    placeholder is not a value), so none overlaps ``spans``."""
    views = [replaced(value, spans, mode=mode, key=key) for value, _, spans in items]
    found = detector.analyze_many([labelled_text(label, view) for (_, label, _), (view, _) in zip(items, views)])
    out = []
    for (_, label, _), (_, kept), spans in zip(items, views, found, strict=True):
        out.append([raw for s in unlabelled(label, spans) if (raw := _to_raw(s, kept)) is not None])
    return out


def _to_raw(span: Span, kept: list[tuple[int, int, int]]) -> Span | None:
    """``span`` (offsets into the output) at its offsets in the value, or None when it is not wholly in one kept
    piece (``(start in the output, start in the value, length)``).

    >>> _to_raw(Span(6, 8, "PERSON", 0.9), [(4, 2, 6)])
    Span(start=4, end=6, entity_type='PERSON', score=0.9, source='')
    >>> _to_raw(Span(2, 6, "PERSON", 0.9), [(4, 2, 6)]) is None
    True
    """
    from dataclasses import replace

    for out_start, raw_start, length in kept:
        if out_start <= span.start and span.end <= out_start + length:
            return replace(span, start=span.start - out_start + raw_start, end=span.end - out_start + raw_start)
    return None


def settle_texts(
    detector, ids: Sequence[str], texts: Sequence[str], found: Sequence[list[Span]], *, mode: str, key: PiiKey | None
) -> list[list[Span]]:
    """The spans of each plain text (a line of ``curate pii detect|scrub``) once its scrubbed output is settled, as
    the stage settles a record's fields (:meth:`curate.stages.pii.PiiStage._settle`): what the detector finds in the
    output (``卡號：〔信用卡號〕、4147 …`` gives the next card its context word) is added, and propagated, until a pass
    finds nothing new; a text that reaches :func:`pass_bound` raises :class:`UnsettledError` naming ``ids[i]``."""
    from curate.jsonl_io import shown
    from curate.pii.propagate import propagate

    spans = [list(s) for s in found]
    todo = [i for i, s in enumerate(spans) if s]
    passes = 0
    while todo:
        passes += 1
        over = next((i for i in todo if passes > pass_bound({"text": texts[i]})), None)
        if over is not None:
            raise unsettled(f"`{shown(ids[over])}`", passes - 1, what="curate pii: the line with id")
        new = rescan(detector, [(texts[i], None, spans[i]) for i in todo], mode=mode, key=key)
        again = []
        for i, extra in zip(todo, new, strict=True):
            if not extra:
                continue
            merged = propagate({"text": texts[i]}, {"text": [*spans[i], *extra]})["text"]
            if {(s.start, s.end, s.entity_type) for s in merged} != {(s.start, s.end, s.entity_type) for s in spans[i]}:
                again.append(i)
            spans[i] = merged
        todo = again
    return spans
