"""Label Studio annotation results the annotation tests send, as a reviewer's browser would."""

from __future__ import annotations

from annotation.offsets import cp_to_utf16


def missed_pii(shown: str, value: str, label: str = "姓名") -> list[dict]:
    """A PII review marking the first ``value`` in the task's ``shown`` text as missed personal data (漏標), with
    Label Studio's UTF-16 offsets."""
    a = shown.index(value)
    region = {"start": cp_to_utf16(shown, a), "end": cp_to_utf16(shown, a + len(value)), "text": value}
    return [
        {"id": "m", "from_name": "pii", "to_name": "text", "type": "labels", "value": {**region, "labels": [label]}},
        {
            "id": "m",
            "from_name": "verdict",
            "to_name": "text",
            "type": "choices",
            "value": {**region, "choices": ["漏標"]},
        },
    ]


def correction(corrected: str) -> list[dict]:
    """A proofreader's correction: the corrected text and the 已修正 verdict."""
    return [
        {"id": "t", "from_name": "corrected", "to_name": "text", "type": "textarea", "value": {"text": [corrected]}},
        {"id": "v", "from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["已修正"]}},
    ]
