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
A region with no verdict stays masked. Where readings contradict each other the safest one wins (the span
stays masked); a 漏標 region is masked wherever it is not masked yet, and overlapping ones are merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from annotation.errors import InvalidAnnotation
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

    @property
    def key_id(self) -> str:
        """The key's id, named in the ledger event of each annotation whose text was sealed or keyed under it."""
        ...

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

    def seal(self, con: duckdb.DuckDBPyConnection, items: list[tuple[str, str]]) -> None:
        """Seal (vault id, text) pairs into ``raw_vault`` as the PII stage seals raw text (text a person typed)."""
        ...

    def seal_versions(
        self, con: duckdb.DuckDBPyConnection, record_ids: list[str], *, run_id: str
    ) -> list[tuple[str, str]]:
        """Seal versions a PII review found personal data in (漏標), and the earlier versions on their chains that
        still show text, as the PII stage seals raw text (``pii_state`` raw, text in ``raw_vault``); returns
        (sealed id, the reviewed version of ``record_ids`` whose chain it is on)."""
        ...

    def seal_fields(
        self, con: duckdb.DuckDBPyConnection, items: list[tuple[str, str, str, str]], *, run_id: str
    ) -> int:
        """Seal ``(record id, column, raw value, shown value)`` of sealed versions' titles and metadata (a 漏標's
        values in them: :func:`annotation.missed_fields.sealed_fields`); returns how many."""
        ...

    def derived_id(self, parent_id: str, stage: str, text: str) -> str:
        """Keyed id of a version derived before the PII stage (sources marked ``pii_expected``)."""
        ...

    def content(self, text: str) -> str:
        """Keyed content digest (``hmac:`` + hex) of such a version."""
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
    #: masked spans with contradictory readings: the placeholder stays, nothing is restored or allowed
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    #: of the conflicts, the spans several annotators of one task read differently (:func:`combine_reviews`)
    disagreed: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = {
            "confirmed": self.confirmed,
            "not_pii": self.not_pii,
            "wrong_type": self.wrong_type,
            "added": self.added,
            "rejected": self.rejected,
            "conflicts": self.conflicts,
        }
        return {**out, "disagreed": self.disagreed} if self.disagreed else out


def stored_review(result: Any) -> Review | None:
    """The review an annotation was imported as (``annotations.result`` of a ``reviewed`` or ``stale`` PII review),
    None for anything else (a skip, an invalid one): what a later annotator of the task is judged together with,
    whatever the annotation says in Label Studio now.

    >>> stored_review({"confirmed": [], "not_pii": [{"index": 0, "start": 2, "end": 6, "type": "姓名"}]}).not_pii
    [{'index': 0, 'start': 2, 'end': 6, 'type': '姓名'}]
    >>> stored_review({"error": "task_mismatch"}) is None
    True
    """
    kinds = ("confirmed", "not_pii", "wrong_type", "added", "rejected", "conflicts")
    if not isinstance(result, dict) or not all(isinstance(result.get(k, []), list) for k in kinds):
        return None
    if not any(k in result for k in kinds):
        return None
    return Review(**{k: [s for s in result.get(k, []) if isinstance(s, dict)] for k in kinds})


def combine_reviews(reviews: list[Review]) -> Review:
    """The reviews of one task by several annotators, judged together; personal data stays masked unless every
    annotator agrees it is not.

    Per masked span: 非個資 only when every annotator read it so; 非個資 beside any other reading (正確, 類型錯誤, no
    verdict), or two annotators' readings that differ (正確 and 類型錯誤, two new types), keep the placeholder as it
    is: the span is in ``conflicts`` and ``disagreed``. A span one annotator left without a verdict takes the
    others' reading (but never 非個資). Every annotator's 漏標 regions are masked.

    >>> item = {"index": 0, "start": 2, "end": 6, "type": "姓名"}
    >>> a, b = Review(not_pii=[dict(item)]), Review(confirmed=[dict(item)])
    >>> both = combine_reviews([a, b])
    >>> both.not_pii, [s["index"] for s in both.conflicts], [s["index"] for s in both.disagreed]
    ([], [0], [0])
    """
    if len(reviews) == 1:
        return reviews[0]
    spans: dict[int, dict[str, Any]] = {}
    readings: dict[int, list[Any]] = {}
    for r in reviews:
        for kind in ("confirmed", "not_pii", "wrong_type", "rejected", "conflicts"):
            for s in getattr(r, kind):
                spans.setdefault(s["index"], {k: s[k] for k in ("index", "start", "end", "type")})
                readings.setdefault(s["index"], []).append(
                    ("wrong_type", s["new_type"]) if kind == "wrong_type" else kind
                )
    out = Review(added=merge_regions([a for r in reviews for a in r.added]))
    for k in sorted(spans):
        item, got = spans[k], readings[k]
        said = set(got) - {"rejected"}
        if said == {"not_pii"} and "rejected" not in got:
            out.not_pii.append(item)
        elif not said:
            out.rejected.append(item)
        elif len(said) == 1 and not said & {"not_pii", "conflicts"}:
            reading = next(iter(said))
            if reading == "confirmed":
                out.confirmed.append(item)
            else:
                out.wrong_type.append({**item, "new_type": reading[1]})
        else:
            out.conflicts.append(item)  # the safest reading: the placeholder stays as it is
            if len(set(got)) > 1:
                out.disagreed.append(dict(item))
    return out


def read_review(text: str, data: dict[str, Any], result: list[dict[str, Any]]) -> Review:
    """Per-span verdicts of a PII review annotation, in the catalogue text's code points.

    ``data`` is the task data as pushed (``text`` shown, ``pii_spans``); ``text`` the catalogue text.
    Contradictory readings of one masked span (two regions, or two verdicts, that disagree; a 漏標 region
    over a span judged 非個資) take the safest one: the span keeps its placeholder, nothing is restored,
    and it is listed in ``conflicts``. A 漏標 region is masked wherever it is not masked already.

    Raises:
        InvalidAnnotation: the task does not match the catalogue text, or a region is malformed (fixed,
            value-free messages: they go into the ledger).
    """
    ph = placeholders(text)
    data = data if isinstance(data, dict) else {}
    shown_text = data.get("text", text)
    spans = data.get("pii_spans") or [(a, b) for a, b, _ in ph]
    if not isinstance(spans, list) or not all(
        isinstance(s, list | tuple) and len(s) == 2 and all(type(x) is int for x in s) for s in spans
    ):
        spans = []  # (a task's data can be edited in Label Studio: then it matches nothing)
    spans = [tuple(s) for s in spans]
    if not isinstance(shown_text, str) or len(spans) != len(ph) or show_back(shown_text, spans, text, ph) != text:
        raise InvalidAnnotation(
            "task_mismatch", "the task's text does not match the record's text (pushed from another catalogue?)"
        )
    m = OffsetMap(shown_text)
    regions, verdicts = _regions(result, m)
    readings: dict[int, set[Any]] = {}
    review, missed = Review(), []
    for rid, u16, start, end, label in regions:
        if label not in PII_LABELS:
            # (the label is not quoted: the message goes into the ledger, and a forged label can hold anything)
            raise InvalidAnnotation(
                "label_unknown", f"a region's label is not one of the PII labels ({', '.join(sorted(PII_LABELS))})"
            )
        if u16 is not None and u16 != shown_text[start:end]:
            a16, b16 = m.to_utf16(start), m.to_utf16(end)
            raise InvalidAnnotation(
                "region_text_mismatch", f"region text does not match the task text at UTF-16 {a16}..{b16}"
            )
        said = verdicts.get(rid, set())
        k = spans.index((start, end)) if (start, end) in spans else None
        if k is not None and said != {"missed"}:
            word = ph[k][2]
            if len(said) > 1:  # e.g. 非個資 and 類型錯誤 on one region
                reading: Any = "conflict"
            elif said == {"not_pii"}:
                reading = "not_pii"
            elif said == {"wrong_type"} or label != placeholder_label(word):
                reading = ("wrong_type", label)
            else:
                reading = "confirmed"
            readings.setdefault(k, set()).add(reading)
            continue
        # a missed region: masked wherever it is not masked already; the spans it touches stay masked
        for j, (a, b) in enumerate(spans):
            if a < end and start < b:
                readings.setdefault(j, set()).add("confirmed")
        missed += [{"start": a, "end": b, "type": label} for a, b in _pieces(spans, ph, start, end)]
    for k, (a, b, word) in enumerate(ph):
        item = {"index": k, "start": a, "end": b, "type": placeholder_label(word)}
        got = readings.get(k)
        if not got:
            review.rejected.append(item)
        elif len(got) > 1 or got == {"conflict"}:
            review.conflicts.append(item)  # the safest reading: the placeholder stays as it is
        elif got == {"not_pii"}:
            review.not_pii.append(item)
        elif got == {"confirmed"}:
            review.confirmed.append(item)
        else:
            review.wrong_type.append({**item, "new_type": next(iter(got))[1]})
    review.added = merge_regions(missed)
    return review


def _regions(result: Any, m: OffsetMap) -> tuple[list[tuple[str, Any, int, int, str]], dict[str, set[str]]]:
    """The ``pii`` regions (id, text as sent or None, start and end in code points, label) and each region's
    verdicts, with their shapes checked."""
    if not isinstance(result, list) or not all(isinstance(r, dict) for r in result):
        raise InvalidAnnotation("result_malformed", "the annotation's result is not a list of objects")
    verdicts: dict[str, set[str]] = {}
    regions = []
    for r in result:
        v = r.get("value")
        if r.get("from_name") not in ("verdict", "pii"):
            continue
        if not isinstance(v, dict):
            raise InvalidAnnotation("value_malformed", "a region's or verdict's value is not an object")
        if r.get("from_name") == "verdict":
            choices = v.get("choices") or []
            if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
                raise InvalidAnnotation("verdict_malformed", "a verdict's choices are not a list of texts")
            verdicts.setdefault(str(r.get("id")), set()).update(VERDICTS[c] for c in choices if c in VERDICTS)
            continue
        start, end = v.get("start"), v.get("end")
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
            raise InvalidAnnotation("offsets_not_integers", "a region's start or end is not a whole number")
        if not 0 <= start < end <= m.utf16_length:
            raise InvalidAnnotation("offsets_outside_text", f"a region's offsets {start}..{end} lie outside the text")
        labels = v.get("labels") or []
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise InvalidAnnotation("labels_malformed", "a region's labels are not a list of texts")
        shown = v.get("text")
        if shown is not None and not isinstance(shown, str):
            raise InvalidAnnotation("region_text_malformed", "a region's text is not a text")
        try:
            cps = m.to_cp(start), m.to_cp(end)
        except ValueError as exc:  # an offset inside a surrogate pair
            raise InvalidAnnotation(
                "offsets_split_character", f"a region's offsets {start}..{end} split a character"
            ) from exc
        regions.append((str(r.get("id")), shown, *cps, next(iter(labels), "其他")))
    return regions, verdicts


def merge_regions(regions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Missed regions as one placeholder per stretch: overlapping ones merged (typed 其他 when their types
    differ), touching ones of one type merged, so every character of every region is masked.

    >>> merge_regions([{"start": 0, "end": 4, "type": "姓名"}, {"start": 2, "end": 8, "type": "姓名"},
    ...                {"start": 8, "end": 9, "type": "電話"}])
    [{'start': 0, 'end': 8, 'type': '姓名'}, {'start': 8, 'end': 9, 'type': '電話'}]
    """
    out: list[dict[str, Any]] = []
    for r in sorted(regions, key=lambda s: (s["start"], s["end"])):
        last = out[-1] if out else None
        if last is not None and (r["start"] < last["end"] or (r["start"] == last["end"] and r["type"] == last["type"])):
            if r["start"] < last["end"] and r["type"] != last["type"]:
                last["type"] = "其他"
            last["end"] = max(last["end"], r["end"])
        else:
            out.append(dict(r))
    return out


def show_back(shown_text: str, spans: list[tuple[int, int]], text: str, ph: list[tuple[int, int, str]]) -> str:
    """The catalogue text a shown text came from (masked spans back to ``text``'s placeholders)."""
    out, last = [], 0
    for (a, b), (pa, pb, _) in zip(spans, ph, strict=True):
        out.append(shown_text[last:a])
        out.append(text[pa:pb])
        last = b
    out.append(shown_text[last:])
    return "".join(out)


def _pieces(spans, ph, start: int, end: int) -> list[tuple[int, int]]:
    """Catalogue offsets of the parts of a shown range ``[start, end)`` outside every masked span.

    >>> _pieces([(4, 7)], [(4, 8, "姓名")], 2, 7), _pieces([(4, 7)], [(4, 8, "姓名")], 2, 9)
    ([(2, 4)], [(2, 4), (8, 10)])
    """
    out, pos, shift = [], start, 0
    for (a, b), (_pa, pb, _) in zip(spans, ph, strict=True):
        if a >= end:
            break
        if b > pos:
            if a > pos:
                out.append((pos + shift, a + shift))
            pos = b
        shift = pb - b
    if pos < end:
        out.append((pos + shift, end + shift))
    return out


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
        if a < last:  # read_review leaves no overlap: never drop an edit (a span would stay in the clear)
            raise InvalidAnnotation("regions_overlap", f"two edits overlap at {a}..{last}")
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
    "combine_reviews",
    "merge_regions",
    "placeholders",
    "read_review",
    "show",
    "stored_review",
]
