"""What one Label Studio annotation means for its record: the outcome, what is stored, what the ledger says.

Every value in an annotation came from a browser and can be anything: its shape is checked before it is read,
and an annotation that does not fit becomes the outcome ``invalid`` with a fixed reason code (``*_invalid``
events; the rest of the project is imported). Reasons never quote a value: they go into the immutable ledger.

Text a person typed (a proofreading comment, a correction that is not applied) may hold personal data: it is
never stored in ``annotations.result`` or the ledger. :attr:`AnnotationEffect.sealed` hands it to the pull,
which seals it into ``raw_vault`` with the PII key as the PII stage seals raw text; an applied correction is
the new version's text and is stored nowhere else.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotation.errors import InvalidAnnotation
from annotation.review import Review, apply_review, combine_reviews, read_review
from provenance import is_blank_text
from provenance.errors import ConfigError


@dataclass(frozen=True, slots=True)
class AnnotationEffect:
    """What one annotation means for its record."""

    outcome: str
    action: str
    result: dict[str, Any]
    detail: dict[str, Any]
    new_text: str | None = None
    fields: dict[str, Any] | None = None
    #: (entity type, original value, placeholder index) restored by 非個資 verdicts (memory only)
    restored: list[tuple[str, str, int]] = field(default_factory=list)
    #: text a person typed that is kept only sealed (``comment``, ``corrected``; memory only until sealed)
    sealed: dict[str, str] = field(default_factory=dict)


#: proofreading choice (zh-TW, as stored by Label Studio; English ones from projects created before) -> code
PROOFREAD_VERDICTS = {
    "正確": "ok",
    "已修正": "fixed",
    "退回": "reject",
    "ok": "ok",
    "fixed": "fixed",
    "reject": "reject",
}
#: the topic choices of ``schemas/label_studio/topic.xml``
TOPICS = frozenset({"授信", "財務分析", "財報", "法規", "市場", "外匯", "其他"})
#: ``annotation.action`` of an invalid annotation, per project
INVALID_ACTIONS = {"proofread": "proofread_invalid", "pii": "pii_review_invalid", "topic": "topic_invalid"}


def vault_id(instance: str, annotation_id: int, name: str) -> str:
    """``raw_vault`` key of text typed into a Label Studio annotation (``comment``, ``corrected``).

    >>> vault_id("http://ls:8080", 7, "comment")
    'annotation:http://ls:8080:7#comment'
    """
    return f"annotation:{instance}:{annotation_id}#{name}"


#: an annotation is imported once, by id: one corrected in place in Label Studio is not read again
REDO = "fixing it in place in Label Studio is not imported: delete it there and annotate the task again"


def invalid(project: str, exc: InvalidAnnotation) -> AnnotationEffect:
    """The ``invalid`` outcome: the reason code and its fixed message, in ``annotations.result`` and the ledger."""
    why = {"error": exc.code, "reason": f"{exc}; {REDO}"}
    return AnnotationEffect("invalid", INVALID_ACTIONS[project], dict(why), dict(why))


def _or_invalid(project: str):
    """Decorator: an :class:`InvalidAnnotation` raised while deciding becomes the ``invalid`` outcome."""

    def wrap(fn):
        @functools.wraps(fn)
        def decided(*args, **kwargs) -> AnnotationEffect:
            try:
                return fn(*args, **kwargs)
            except InvalidAnnotation as exc:
                return invalid(project, exc)

        return decided

    return wrap


def _items(result: Any, name: str) -> list[dict[str, Any]]:
    """The result items of control ``name``, each with an object ``value``."""
    if not isinstance(result, list) or not all(isinstance(r, dict) for r in result):
        raise InvalidAnnotation("result_malformed", "the annotation's result is not a list of objects")
    out = [r for r in result if r.get("from_name") == name]
    if any(not isinstance(r.get("value"), dict) for r in out):
        raise InvalidAnnotation("value_malformed", f"a `{name}` result's value is not an object")
    return out


def is_unicode(text: str) -> bool:
    """True unless ``text`` holds a lone UTF-16 surrogate (which no UTF-8 file, DuckDB or vault can hold).

    >>> is_unicode("客戶😀"), is_unicode("客戶\\ud83d")
    (True, False)
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _texts(result: Any, name: str) -> str | None:
    """The text of TextArea ``name`` (lines joined), None if absent."""
    got = None
    for r in _items(result, name):
        parts = r["value"].get("text")
        if parts is None:
            continue
        if isinstance(parts, str):
            parts = [parts]
        if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
            raise InvalidAnnotation("text_malformed", f"the `{name}` text is not a text or a list of texts")
        if any(not is_unicode(p) for p in parts):  # (JSON may escape a lone surrogate: `\ud83d`)
            raise InvalidAnnotation(
                "text_not_unicode",
                f"the `{name}` text holds a lone UTF-16 surrogate (half of an emoji or of a rare character): it "
                "cannot be stored as UTF-8",
            )
        got = "\n".join(parts) if got is None else got + "\n" + "\n".join(parts)
    return got


def _choice(result: Any, name: str, allowed) -> str | None:
    """The first choice of Choices ``name``; one outside ``allowed`` makes the annotation invalid (not quoted)."""
    for r in _items(result, name):
        choices = r["value"].get("choices") or []
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            raise InvalidAnnotation("choices_malformed", f"the `{name}` choices are not a list of texts")
        for c in choices:
            if c not in allowed:
                raise InvalidAnnotation("choice_unknown", f"a `{name}` choice is not one of the labelling config's")
            return c
    return None


@_or_invalid("proofread")
def decide_proofread(
    text: str, result: list[dict[str, Any]], parent_active: bool, *, max_chars: int | None = None
) -> AnnotationEffect:
    """Verdict, correction and comment of a proofreading annotation (``max_chars``: the record cap)."""
    verdict = PROOFREAD_VERDICTS.get(_choice(result, "verdict", PROOFREAD_VERDICTS))
    corrected = _texts(result, "corrected")
    comment = _texts(result, "comment") or None
    for what, typed in (("correction", corrected), ("comment", comment)):
        if max_chars is not None and typed is not None and len(typed) > max_chars:
            raise InvalidAnnotation(
                "too_long",
                f"the {what} has {len(typed):,} characters, more than the per-record cap of {max_chars:,} "
                "(CURATE_MAX_RECORD_CHARS)",
            )
    sealed = {"comment": comment} if comment else {}
    stored: dict[str, Any] = {"verdict": verdict, "comment_chars": len(comment) if comment else 0}
    changed = corrected is not None and corrected != text and verdict not in ("reject", "ok")
    detail = {"verdict": verdict, "has_comment": bool(comment), "changed": changed}
    if verdict == "reject":
        return AnnotationEffect("reject", "proofread_reject", stored, detail, sealed=sealed)
    if not changed:
        return _proofread_ok(text, corrected, stored, detail, sealed)
    if is_blank_text(corrected):
        raise InvalidAnnotation(
            "correction_blank",
            "the correction has no visible text (an emptied text box): applied, it would replace the record with "
            "nothing; choose 退回 (reject) for an unusable text, or 正確 (correct) to keep it as it is",
        )
    stored["corrected_chars"] = len(corrected)
    detail.update(chars_before=len(text), chars_after=len(corrected))
    if not parent_active:  # kept sealed: nothing else holds it
        return AnnotationEffect("stale", "proofread_stale", stored, detail, sealed={**sealed, "corrected": corrected})
    return AnnotationEffect("fixed", "proofread_fix", stored, detail, new_text=corrected, sealed=sealed)


def _proofread_ok(
    text: str, corrected: str | None, stored: dict[str, Any], detail: dict[str, Any], sealed: dict[str, str]
) -> AnnotationEffect:
    """The 正確 verdict (or no change): no version. A correction typed beside 正確 is not applied (the verdict
    says the text is correct as it is): one with visible text is kept sealed, as any correction not applied."""
    if corrected is not None and corrected != text:
        stored["corrected_chars"] = len(corrected)
        detail["correction_not_applied"] = True
        if not is_blank_text(corrected):
            sealed = {**sealed, "corrected": corrected}
    return AnnotationEffect("ok", "proofread_ok", stored, detail, sealed=sealed)


@_or_invalid("pii")
def decide_pii(
    text: str,
    result: list[dict[str, Any]],
    parent_active: bool,
    *,
    data: dict[str, Any] | None = None,
    originals: Callable[[], list[tuple[str, str]] | None] | None = None,
    peers: Sequence[Review] = (),
    need: int = 1,
    restore: bool = True,
) -> AnnotationEffect:
    """Per-span verdicts of a PII review (see :mod:`annotation.review`); changes make a new version.

    ``data`` is the task data as pushed (shown text and ``pii_spans``; default: the text with its
    placeholders); ``originals`` gives each placeholder's original value, needed only for 非個資. ``peers`` are
    the reviews of the task's other annotators (:func:`task_reviews`): all are judged together
    (:func:`annotation.review.combine_reviews`), so one annotator's 非個資 never unmasks what another read as
    personal data. ``need``: the readings the project wants per task (``maximum_annotations``); with fewer (a
    skip or a malformed annotation is no reading) no span is restored: those read 非個資 stay masked (``conflicts``).
    ``restore`` False (a task taken out because the bank may no longer work on its record): no span is restored
    either, 漏標 and 類型錯誤 still apply.
    """
    review = read_review(text, data or {"text": text}, result)
    if peers:
        review = combine_reviews([review, *peers])
    if 1 + len(peers) < need or not restore:
        _keep_masked(review)

    def stored_detail() -> tuple[dict[str, Any], dict[str, Any]]:
        stored = review.as_dict()
        return stored, {k: [{x: y for x, y in s.items() if x != "value"} for s in v] for k, v in stored.items()}

    stored, detail = stored_detail()
    if not (review.not_pii or review.wrong_type or review.added):
        return AnnotationEffect("reviewed", "pii_review", stored, detail)
    if not parent_active:
        return AnnotationEffect("stale", "pii_review_stale", stored, detail)
    if review.not_pii and originals is None:
        raise ConfigError(
            "a PII review marked spans 非個資 (not personal data); restoring them needs the PII key and the "
            "raw-text vault: set CURATE_PII_KEY or CURATE_PII_KEY_FILE and pull again"
        )
    values = originals() if review.not_pii and originals is not None else None
    unknown = bool(review.not_pii) and values is None
    if unknown:  # no values known for this text's placeholders (a version made by an earlier PII review)
        _keep_masked(review)
    elif review.not_pii:
        _value_conflicts(text, review, values)
    stored, detail = stored_detail()
    if unknown:
        detail["originals_unknown"] = True
    new_text, restored = apply_review(text, review, values)
    return AnnotationEffect(
        "reviewed",
        "pii_review",
        stored,
        detail,
        new_text=new_text,
        fields={"pii_state": "scrubbed"},
        restored=restored,
    )


def _keep_masked(review: Review) -> None:
    """Spans read 非個資 that may not be restored: they move to ``conflicts`` (the placeholder stays)."""
    review.conflicts = sorted([*review.conflicts, *review.not_pii], key=lambda s: s["index"])
    review.not_pii = []


def _value_conflicts(text: str, review: Any, values: list[tuple[str, str]]) -> None:
    """A value read as 非個資 in one span and as personal data in another (正確, 類型錯誤, a conflict, or inside a
    漏標 region) of the same annotation is a conflict: the allow-list works per value, so restoring it in one span
    would let it through everywhere. Such spans move to ``conflicts`` (they stay masked, nothing is allow-listed)."""
    if any(s["index"] >= len(values) for s in review.not_pii):
        return  # apply_review reports the mismatch
    spans = (*review.confirmed, *review.wrong_type, *review.conflicts)
    personal = {values[s["index"]][1] for s in spans if s["index"] < len(values)}
    personal.discard("")
    from annotation.stale_missed import unspaced

    # compared however spaced between CJK characters (hygiene keeps a tab or U+3000 there: 石　家銘 is 石家銘)
    personal = {unspaced(v) for v in personal}
    marked = [unspaced(text[r["start"] : r["end"]]) for r in review.added]
    keep = []
    for s in review.not_pii:
        value = unspaced(values[s["index"]][1])
        (review.conflicts if value in personal or any(value in m for m in marked) else keep).append(s)
    review.not_pii = keep


def task_reviews(
    task: dict[str, Any], text: str | None, imported: dict[int, Review | None] | None = None
) -> dict[int, Review]:
    """Annotation id -> review of each readable, not skipped annotation of a PII review task, for judging a task's
    annotators together; a malformed one has no say (it is imported ``invalid``). ``imported``: the annotations of
    the task imported before, as imported (:func:`annotation.review.stored_review`; None: no say): those are read
    from there, not as Label Studio holds them now (edited in place or deleted there, they still count as imported).
    """
    imported = imported or {}
    out: dict[int, Review] = {aid: r for aid, r in imported.items() if r is not None}
    if text is None:  # sealed since it was pushed: the new annotations are stale (see decide), no reading
        return out
    for ann in task.get("annotations") or []:
        if ann.get("was_cancelled") or ann["id"] in imported:
            continue
        try:
            out[ann["id"]] = read_review(text, task.get("data") or {"text": text}, ann.get("result") or [])
        except InvalidAnnotation:
            continue
    return out


def joint_member(d: AnnotationEffect, applied_with: int) -> AnnotationEffect:
    """The effect of a task's annotation judged together with one imported in the same pull, which made the
    new version (:func:`decide_pii` with ``peers``): a ``pii_review`` event only, nothing applied twice."""
    if d.new_text is None:
        return d
    detail = {**d.detail, "applied_with": applied_with}
    return dataclasses.replace(d, detail=detail, new_text=None, fields=None, restored=[])


def sealed_since_push(project: str, result: list[dict[str, Any]], *, max_chars: int | None = None) -> AnnotationEffect:
    """An annotation of a version the PII stage sealed after it was pushed: nothing of it is applied (a correction
    or a PII review is ``stale``; a proofreading verdict stays an event), and text typed into it is kept sealed."""
    if project == "proofread":
        d = decide_proofread("", result, False, max_chars=max_chars)  # (the text is in the vault alone)
        if d.outcome == "invalid":
            return d
        detail = {k: v for k, v in d.detail.items() if k != "chars_before"}
        return dataclasses.replace(d, detail={**detail, "sealed_since_push": True})
    said = {"sealed_since_push": True}
    return AnnotationEffect("stale", "pii_review_stale", dict(said), dict(said))


@_or_invalid("topic")
def decide_topic(result: list[dict[str, Any]]) -> AnnotationEffect:
    """Topic choice and quality rating (1-5)."""
    topic = _choice(result, "topic", TOPICS)
    quality = next((r["value"].get("rating") for r in _items(result, "quality")), None)
    if quality is not None and not (isinstance(quality, int) and not isinstance(quality, bool) and 1 <= quality <= 5):
        raise InvalidAnnotation("rating_malformed", "the quality rating is not a whole number from 1 to 5")
    stored = {"topic": topic, "quality": quality}
    return AnnotationEffect("labelled", "topic_label", stored, dict(stored))


def decide(
    project: str,
    text: str | None,
    ann: dict[str, Any],
    parent_active: bool,
    data: dict[str, Any] | None = None,
    originals: Callable[[], list[tuple[str, str]] | None] | None = None,
    *,
    max_chars: int | None = None,
    peers: Sequence[Review] = (),
    need: int = 1,
    restore: bool = True,
) -> AnnotationEffect:
    """The effect of one annotation of ``project``; a malformed one is ``invalid`` (see :func:`invalid`).

    ``text`` None: the version was sealed since it was pushed (a later PII run found personal data in it, its
    text is in the vault alone): see :func:`sealed_since_push`."""
    if ann.get("was_cancelled"):
        return AnnotationEffect("cancelled", "annotation_skipped", {}, {})
    result = ann.get("result") or []
    if text is None and project != "topic":
        return sealed_since_push(project, result, max_chars=max_chars)
    if project == "proofread":
        return decide_proofread(text, result, parent_active, max_chars=max_chars)
    if project == "pii":
        return decide_pii(
            text, result, parent_active, data=data, originals=originals, peers=peers, need=need, restore=restore
        )
    return decide_topic(result)


__all__ = [
    "INVALID_ACTIONS",
    "PROOFREAD_VERDICTS",
    "TOPICS",
    "AnnotationEffect",
    "decide",
    "decide_pii",
    "decide_proofread",
    "decide_topic",
    "invalid",
    "joint_member",
    "sealed_since_push",
    "task_reviews",
    "vault_id",
]
