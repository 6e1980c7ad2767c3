"""Label configs and task payloads for the three annotation projects.

A task carries the scrubbed text and only what an annotator needs (title, record id, source id, and
for proofreading the normalisation notes); record and source metadata are never copied wholesale
because they may hold personal data. Titles are sent only for sources not marked ``pii_expected``
(the PII stage scrubs text, not titles). Span offsets sent to Label Studio are UTF-16 code units.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from annotation.offsets import OffsetMap
from annotation.review import PLACEHOLDER_RE, placeholder_label, show
from annotation.zh_tw import NO_NOTES, instructions, note_lines

PROJECTS = ("proofread", "pii", "topic")
MODEL_VERSION = "curate"

PII_LABELS = (
    "姓名",
    "身分證字號",
    "居留證號",
    "電話",
    "電子郵件",
    "地址",
    "帳號",
    "卡號",
    "護照號碼",
    "出生日期",
    "其他",
)


def label_config(project: str) -> str:
    """The label config XML of a project (``schemas/label_studio/<project>.xml``)."""
    if project not in PROJECTS:
        raise ValueError(f"unknown project {project!r}; valid: {', '.join(PROJECTS)}")
    return resources.files("schemas").joinpath("label_studio", f"{project}.xml").read_text(encoding="utf-8")


def config_sha256(project: str) -> str:
    """sha256 of a project's label config and zh-TW instructions (a change updates existing projects)."""
    return hashlib.sha256((label_config(project) + "\0" + instructions(project)).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Span:
    """A PII span in code points with its label."""

    start: int
    end: int
    label: str


def detected_spans(text: str) -> list[Span]:
    """Spans the PII stage left in a scrubbed text (its placeholders).

    >>> detected_spans("𠀋〔姓名〕先生")
    [Span(start=1, end=5, label='姓名')]
    """
    return [Span(m.start(), m.end(), placeholder_label(m.group(1))) for m in PLACEHOLDER_RE.finditer(text)]


def span_regions(text: str, spans: list[Span], *, from_name: str = "pii", prefix: str = "p") -> list[dict[str, Any]]:
    """Label Studio ``labels`` regions for spans, offsets converted to UTF-16."""
    m = OffsetMap(text)
    return [
        {
            "id": f"{prefix}{i}",
            "from_name": from_name,
            "to_name": "text",
            "type": "labels",
            "value": {
                "start": m.to_utf16(s.start),
                "end": m.to_utf16(s.end),
                "text": text[s.start : s.end],
                "labels": [s.label],
            },
        }
        for i, s in enumerate(spans)
    ]


def build_task(
    project: str,
    rec: dict[str, Any],
    *,
    bank: str,
    normalise_details: list[Any] = (),
    masks: list[str] | None = None,
) -> dict[str, Any]:
    """One Label Studio task for a record version.

    ``rec`` holds ``record_id``, ``text``, ``title``, ``source_id``. Proofreading gets the text as an
    editable pre-filled TextArea (a prediction) plus notes; PII review gets the detected spans as a
    prediction, partially masked when ``masks`` (one per placeholder, from the PII vault) are given,
    with their positions in ``pii_spans``; topic gets the text only.
    """
    text = rec["text"] or ""
    data = {
        "text": text,
        "title": rec.get("title") or "",
        "record_id": rec["record_id"],
        "source_id": rec.get("source_id") or "",
        "bank": bank,
    }
    task: dict[str, Any] = {"data": data}
    if project == "proofread":
        notes = note_lines(list(normalise_details), text)
        data["notes"] = "\n".join(notes) if notes else NO_NOTES
        task["predictions"] = [
            {
                "model_version": MODEL_VERSION,
                "result": [
                    {
                        "id": "t0",
                        "from_name": "corrected",
                        "to_name": "text",
                        "type": "textarea",
                        "value": {"text": [text]},
                    }
                ],
            }
        ]
    elif project == "pii":
        shown = show(text, masks)
        data["text"] = shown.text
        data["pii_spans"] = [list(s) for s in shown.spans]
        data["masked"] = masks is not None and shown.text != text
        spans = [
            Span(a, b, placeholder_label(word))
            for (a, b), (_, _, word) in zip(shown.spans, shown.placeholders, strict=True)
        ]
        task["predictions"] = [{"model_version": MODEL_VERSION, "result": span_regions(shown.text, spans)}]
    elif project != "topic":
        raise ValueError(f"unknown project {project!r}")
    return task


__all__ = [
    "PII_LABELS",
    "PROJECTS",
    "Span",
    "build_task",
    "config_sha256",
    "detected_spans",
    "label_config",
    "placeholder_label",
    "span_regions",
]
