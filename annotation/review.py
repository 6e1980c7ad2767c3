"""PII review that a person can do: partially masked spans on push, per-span verdicts on pull.

The PII stage leaves typed placeholders (〔姓名〕) in the text. A reviewer cannot judge a placeholder,
so a push with a :class:`PiiVault` (implemented by ``curate.pii.review``, which holds the key) shows
each detected span partially masked instead (王○明, A12****789); the full value never leaves the
catalogue. The task's ``pii_spans`` give each masked span's position (code points) in the shown text,
in placeholder order, so a pull can map what the reviewer marked back onto the catalogue's text.

Verdicts (per region, ``verdict`` choices): 正確 (confirmed), 非個資 (not personal data: that span's
original text is restored from the vault into a new version and feeds the source's allow-list),
類型錯誤 (wrong type: the placeholder is re-typed with the label the reviewer chose), 漏標 (missed:
any region the reviewer added; masked with a typed placeholder, i.e. the record is re-scrubbed).
A region with no verdict stays masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from annotation.offsets import OffsetMap

if TYPE_CHECKING:  # (a type only: `curate --help` lists the annotate commands without importing DuckDB)
    import duckdb

#: scrub placeholders written by the PII stage, e.g. 〔姓名〕, 〔身分證字號〕
PLACEHOLDER_RE = re.compile(r"〔([^〔〕\n]{1,20})〕")
#: placeholder word -> label in pii.xml (first match wins); anything else is 其他
_LABEL_RULES: tuple[tuple[str, str], ...] = (
    ("身分證", "身分證字號"),
    ("居留", "居留證號"),
    ("統一證號", "居留證號"),
    ("護照", "護照號碼"),
    ("電話", "電話"),
    ("手機", "電話"),
    ("市話", "電話"),
    ("郵件", "電子郵件"),
    ("email", "電子郵件"),
    ("地址", "地址"),
    ("帳號", "帳號"),
    ("帳戶", "帳號"),
    ("卡號", "卡號"),
    ("信用卡", "卡號"),
    ("出生", "出生日期"),
    ("生日", "出生日期"),
    ("姓名", "姓名"),
    ("人名", "姓名"),
)


def placeholder_label(name: str) -> str:
    """Label for a scrub placeholder's word.

    >>> placeholder_label("身分證字號"), placeholder_label("手機號碼"), placeholder_label("統一編號")
    ('身分證字號', '電話', '其他')
    """
    low = name.lower()
    for key, label in _LABEL_RULES:
        if key in low:
            return label
    return "其他"


VERDICTS = {"正確": "confirmed", "非個資": "not_pii", "類型錯誤": "wrong_type", "漏標": "missed"}
#: the labels of ``schemas/label_studio/pii.xml``: a region's label becomes a placeholder in the record's text, so
#: any other label (a forged annotation, an edited labelling config) makes the annotation invalid
PII_LABELS = frozenset({label for _, label in _LABEL_RULES} | {"其他"})


@dataclass(frozen=True, slots=True)
class AllowEntry:
    """A 非個資 verdict to remember: the value is turned into a keyed digest by the vault, never stored."""

    source_id: str
    entity_type: str
    value: str
    record_id: str
    bank: str
    actor: str
    ls_annotation_id: int


class PiiVault(Protocol):
    """What the bridge may ask of whoever holds the PII key (``curate.pii.review.VaultReview``)."""

    def masked(self, con: duckdb.DuckDBPyConnection, items: list[tuple[str, str]]) -> dict[str, list[str]]:
        """For (record_id, text) pairs: the masked form of each placeholder of ``text``, in order
        (records whose placeholders cannot be matched to the PII stage's spans are left out)."""
        ...

    def originals(self, con: duckdb.DuckDBPyConnection, record_id: str, text: str) -> list[tuple[str, str]] | None:
        """(entity type, original value) of each placeholder of ``text``, or None if unknown."""
        ...

    def allow(self, con: duckdb.DuckDBPyConnection, entries: list[AllowEntry]) -> list[str]:
        """Add allow-list entries (keyed digests); returns the digests."""
        ...


@dataclass(frozen=True, slots=True)
class Shown:
    """The text a reviewer sees and where the masked spans are in it (code points)."""

    text: str
    spans: list[tuple[int, int]]
    placeholders: list[tuple[int, int, str]]  # (start, end, word) in the catalogue's text


def placeholders(text: str) -> list[tuple[int, int, str]]:
    """Placeholders of a scrubbed text: (start, end, word without a pseudonym suffix).

    >>> placeholders("客戶〔姓名〕電話〔電話#3fa2c1〕")
    [(2, 6, '姓名'), (8, 19, '電話')]
    """
    return [(m.start(), m.end(), m.group(1).split("#")[0]) for m in PLACEHOLDER_RE.finditer(text)]


def show(text: str, masks: list[str] | None) -> Shown:
    """Replace each placeholder by its masked form (or keep placeholders when ``masks`` is None).

    >>> s = show("客戶〔姓名〕來電", ["王○明"])
    >>> s.text, s.spans
    ('客戶王○明來電', [(2, 5)])
    """
    ph = placeholders(text)
    if masks is None or len(masks) != len(ph):
        return Shown(text, [(a, b) for a, b, _ in ph], ph)
    out, spans, last, pos = [], [], 0, 0
    for (a, b, _), m in zip(ph, masks, strict=True):
        out.append(text[last:a])
        pos += a - last
        out.append(m)
        spans.append((pos, pos + len(m)))
        pos += len(m)
        last = b
    out.append(text[last:])
    return Shown("".join(out), spans, ph)


@dataclass(slots=True)
class Review:
    """What a reviewer decided about one task (catalogue code-point offsets)."""

    confirmed: list[dict[str, Any]] = field(default_factory=list)
    not_pii: list[dict[str, Any]] = field(default_factory=list)
    wrong_type: list[dict[str, Any]] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "confirmed": self.confirmed,
            "not_pii": self.not_pii,
            "wrong_type": self.wrong_type,
            "added": self.added,
            "rejected": self.rejected,
        }


def read_review(text: str, data: dict[str, Any], result: list[dict[str, Any]]) -> Review:
    """Per-span verdicts of a PII review annotation, in the catalogue text's code points.

    ``data`` is the task data as pushed (``text`` shown, ``pii_spans``); ``text`` the catalogue text.

    Raises:
        ValueError: the task does not match the catalogue text, or a region's text does not match.
    """
    ph = placeholders(text)
    shown_text = data.get("text", text)
    spans = [tuple(s) for s in data.get("pii_spans") or [(a, b) for a, b, _ in ph]]
    if len(spans) != len(ph) or show_back(shown_text, spans, text, ph) != text:
        raise ValueError("the task's text does not match the record's text (pushed from another catalogue?)")
    m = OffsetMap(shown_text)
    verdicts: dict[str, str] = {}
    for r in result or []:
        if r.get("from_name") == "verdict":
            choice = next(iter(r.get("value", {}).get("choices") or []), None)
            if choice in VERDICTS:
                verdicts[str(r.get("id"))] = VERDICTS[choice]
    review, seen = Review(), set()
    for r in result or []:
        if r.get("from_name") != "pii":
            continue
        v = r.get("value", {})
        start, end = m.to_cp(int(v["start"])), m.to_cp(int(v["end"]))
        if "text" in v and v["text"] != shown_text[start:end]:
            raise ValueError(f"region text does not match the task text at UTF-16 {v['start']}..{v['end']}")
        label = next(iter(v.get("labels") or []), "其他")
        if label not in PII_LABELS:
            # (the label is not quoted: the message goes into the ledger, and a forged label can hold anything)
            raise ValueError(f"a region's label is not one of the PII labels ({', '.join(sorted(PII_LABELS))})")
        verdict = verdicts.get(str(r.get("id")))
        k = spans.index((start, end)) if (start, end) in spans else None
        if k is not None and verdict != "missed":
            seen.add(k)
            a, b, word = ph[k]
            item = {"index": k, "start": a, "end": b, "type": placeholder_label(word)}
            if verdict == "not_pii":
                review.not_pii.append(item)
            elif verdict == "wrong_type" or label != placeholder_label(word):
                review.wrong_type.append({**item, "new_type": label})
            else:
                review.confirmed.append(item)
            continue
        a, b = _outside(spans, ph, start, end)
        if a is None or b is None or a >= b:
            continue  # a missed span overlapping a masked one: that part is masked already
        review.added.append({"start": a, "end": b, "type": label})
    for k, (a, b, word) in enumerate(ph):
        if k not in seen:
            review.rejected.append({"index": k, "start": a, "end": b, "type": placeholder_label(word)})
    review.added.sort(key=lambda s: (s["start"], s["end"]))
    return review


def show_back(shown_text: str, spans: list[tuple[int, int]], text: str, ph: list[tuple[int, int, str]]) -> str:
    """The catalogue text a shown text came from (masked spans back to ``text``'s placeholders)."""
    out, last = [], 0
    for (a, b), (pa, pb, _) in zip(spans, ph, strict=True):
        out.append(shown_text[last:a])
        out.append(text[pa:pb])
        last = b
    out.append(shown_text[last:])
    return "".join(out)


def _outside(spans, ph, start: int, end: int) -> tuple[int | None, int | None]:
    """Catalogue offsets of a shown range that touches no masked span (else (None, None))."""
    shift = 0
    for (a, b), (_pa, pb, _) in zip(spans, ph, strict=True):
        if end <= a:
            break
        if start < b:
            return None, None
        shift = pb - b
    return start + shift, end + shift


def apply_review(
    text: str, review: Review, originals: list[tuple[str, str]] | None
) -> tuple[str | None, list[tuple[str, str, int]]]:
    """The new text (None if nothing changes) and the (type, value, index) restored from the vault."""
    edits: list[tuple[int, int, str]] = []
    restored: list[tuple[str, str, int]] = []
    if review.not_pii:
        if originals is None:
            raise LookupError("the original text of a 非個資 span is not available (no vault or no key)")
        for s in review.not_pii:
            etype, value = originals[s["index"]]
            edits.append((s["start"], s["end"], value))
            restored.append((etype, value, s["index"]))
    for s in review.wrong_type:
        edits.append((s["start"], s["end"], f"〔{s['new_type']}〕"))
    for s in review.added:
        edits.append((s["start"], s["end"], f"〔{s['type']}〕"))
    if not edits:
        return None, []
    edits.sort()
    out, last = [], 0
    for a, b, rep in edits:
        if a < last:  # overlapping additions: the earlier one covers it
            continue
        out.append(text[last:a])
        out.append(rep)
        last = b
    out.append(text[last:])
    return "".join(out), restored


__all__ = [
    "PII_LABELS",
    "VERDICTS",
    "AllowEntry",
    "PiiVault",
    "Review",
    "Shown",
    "apply_review",
    "placeholders",
    "read_review",
    "show",
]
