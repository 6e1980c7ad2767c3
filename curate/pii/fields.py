"""The strings of a record that the PII stage checks: text, title and every string in metadata."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import lru_cache
from typing import Any

from curate.pii.labels import is_name_label
from curate.pii.span import Span

#: key of ``StageResult.fields`` carrying a record's labelled names to the load step (never a column)
NAMES_FIELD = "_pii_names"


def load_metadata(value: Any) -> Any:
    """A record's metadata as Python data (the snapshot holds JSON text)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


#: path prefix of a metadata key checked as a field (``metakey.fields#2``: the third key of ``metadata.fields``);
#: never starts with ``metadata``, so callers that pick metadata values by that prefix leave keys out
KEY_PATH = "metakey"
#: the metadata paths of a licence's credit: the creator a manifest row names (``licensor``, ``author`` is read as
#: it), and an agreement's (or a merged parent's) ``licensor`` and ``attribution`` statement. A person's name there
#: is the author or licensor the licence requires the export to credit (NOTICE.md, the data's ``attribution``
#: column), a public licence fact, not a customer's personal data: the PII stage keeps it (and neither stores nor
#: spreads it as a source's name); identifiers in them (phones, IDs, e-mails, accounts) are scrubbed as anywhere
CREDIT_PATH = re.compile(r"metadata(?:\.licences\[\d+\])?(?:\.licence_terms)?\.(?:licensor|attribution)")
#: the entity types a credit path keeps
CREDIT_KEPT = frozenset({"PERSON"})


def is_credit_path(path: str) -> bool:
    """Whether a field path of :func:`string_leaves` is a licence's credit (:data:`CREDIT_PATH`).

    >>> [is_credit_path(p) for p in ("metadata.licensor", "metadata.licence_terms.attribution", "metadata.客戶")]
    [True, True, False]
    """
    return CREDIT_PATH.fullmatch(path) is not None


def without_credit_names(spans: dict[str, list[Span]]) -> dict[str, list[Span]]:
    """``spans`` (per field path) without the names in credit fields (:func:`is_credit_path`)."""
    return {
        name: [s for s in ss if s.entity_type not in CREDIT_KEPT] if ss and is_credit_path(name) else ss
        for name, ss in spans.items()
    }


#: a JSON number with at least this many digits is checked as text (``886912345678``: a phone written as a number)
NUMBER_DIGITS = 7


def string_leaves(value: Any, path: str = "metadata", *, keys: bool = False) -> list[tuple[str, str]]:
    """``(path, string)`` of every string inside ``value``, and of every integer of :data:`NUMBER_DIGITS` digits
    or more (as text); with ``keys``, also of every dict key (path ``metakey...#i``: see :data:`KEY_PATH`)."""
    out: list[tuple[str, str]] = []
    _leaves(value, path, out, keys)
    return out


def _leaves(value: Any, path: str, out: list[tuple[str, str]], keys: bool) -> None:
    if isinstance(value, str):
        if value:
            out.append((path, value))
    elif isinstance(value, dict):
        for i, (k, v) in enumerate(value.items()):
            if keys and isinstance(k, str) and _key_may_hold(k):
                out.append((_key_path(path, i), k))
            _leaves(v, f"{path}.{_seg(k)}", out, keys)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _leaves(v, f"{path}[{i}]", out, keys)
    elif (number := _long_number(value)) is not None:
        out.append((path, number))


@lru_cache(maxsize=8192)
def _key_may_hold(k: str) -> bool:
    """Whether a dict key is read as a value: an ASCII key without a digit or ``@`` holds nothing the detector
    finds (``pcode``, ``law_name``...); memoised, as every record of a source repeats the same keys."""
    return bool(k) and (not k.isascii() or "@" in k or any(c.isdigit() for c in k))


#: what stands between a metadata key and its value when the value is analysed (:func:`labelled_text`)
LABEL_SEP = "："
#: a key longer than this is not read as a field label
LABEL_MAX_CHARS = 20


@lru_cache(maxsize=1)
def _english_keys() -> dict[str, str]:
    """``schemas/pii/field_keys.tsv``: English metadata keys naming a personal-data field -> the Chinese label."""
    import importlib.resources

    text = importlib.resources.files("schemas").joinpath("pii", "field_keys.tsv").read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            key, label, _ = line.split("\t")
            out[key.strip()] = label.strip()
    return out


def field_label(key: Any) -> str | None:
    """The label a metadata value filed under ``key`` is read after (None: the key names no field).

    A key written in Chinese is its own label; an English one is looked up in ``schemas/pii/field_keys.tsv``
    (``contactName`` -> ``聯絡人``), and one not listed that names a person's name (``holderName``, ``guarantor_name``; not ``issuer_name``:
    :func:`curate.pii.labels.is_name_label`) is ``姓名``; a key holding a digit or ``@`` (an ID or e-mail used as a key) or longer
    than :data:`LABEL_MAX_CHARS` is none.

    >>> field_label("負責人："), field_label("contactName"), field_label("law_name"), field_label("A123456789")
    ('負責人', '聯絡人', None, None)
    >>> field_label("holderName"), field_label("bank_name")
    ('姓名', None)
    """
    return _field_label(key) if isinstance(key, str) else None


@lru_cache(maxsize=8192)
def _field_label(key: str) -> str | None:
    """:func:`field_label` of a string key (memoised: every record of a source repeats the same keys)."""
    k = key.strip().rstrip(":：").strip()
    if not k or len(k) > LABEL_MAX_CHARS or "@" in k or any(c.isdigit() for c in k):
        return None
    if not k.isascii():
        return k
    norm = re.sub(r"[-\s.]+", "_", re.sub(r"(?<=[a-z])(?=[A-Z])", "_", k)).lower()
    return _english_keys().get(norm) or ("姓名" if is_name_label(norm) else None)


def leaf_labels(value: Any, path: str = "metadata") -> dict[str, str]:
    """``{path: label}`` for every leaf of :func:`string_leaves` filed under a key that names a field
    (:func:`field_label`; a list's items are filed under the list's key).

    >>> leaf_labels({"聯絡人": ["李大同", "王小明"], "n": {"phone": 886912345678}})
    {'metadata.聯絡人[0]': '聯絡人', 'metadata.聯絡人[1]': '聯絡人', 'metadata.n.phone': '電話'}
    """
    out: dict[str, str] = {}
    _labels(value, path, None, out)
    return out


def _labels(value: Any, path: str, label: str | None, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _labels(v, f"{path}.{_seg(k)}", field_label(k), out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _labels(v, f"{path}[{i}]", label, out)
    elif label is not None:
        out[path] = label


def labelled_text(label: str | None, value: str) -> str:
    """What the detector reads for a value filed under ``label``: ``label：value`` (a value after a field label
    in text), or the value alone."""
    return f"{label}{LABEL_SEP}{value}" if label else value


def unlabelled(label: str | None, spans: list[Span]) -> list[Span]:
    """Spans found in :func:`labelled_text`, as offsets into the value (what lies in the label is dropped).

    >>> unlabelled("姓名", [Span(0, 2, "X", 1.0), Span(3, 6, "PERSON", 0.9)])
    [Span(start=0, end=3, entity_type='PERSON', score=0.9, source='')]
    """
    if not label:
        return spans
    n = len(label) + len(LABEL_SEP)
    return [replace(s, start=max(s.start - n, 0), end=s.end - n) for s in spans if s.end > n]


def _long_number(value: Any) -> str | None:
    """An integer (or a float holding one: a spreadsheet's export) of :data:`NUMBER_DIGITS` digits or more, as
    text; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e18:
        value = int(value)
    if isinstance(value, int) and len(str(abs(value))) >= NUMBER_DIGITS:
        return str(value)
    return None


def _seg(key: Any) -> str:
    """A dict key as a path segment: as it is, or JSON-quoted when it holds a character of the path syntax (``.``,
    ``[``, ``]``, ``"``, ``#``), so that the key ``a.b`` and the nesting ``a`` → ``b`` get different paths."""
    return _seg_str(str(key))


@lru_cache(maxsize=8192)
def _seg_str(k: str) -> str:
    return json.dumps(k, ensure_ascii=False) if not k or any(c in k for c in '.[]"#') else k


def _key_path(path: str, i: int) -> str:
    return f"{KEY_PATH}{path[len('metadata') :]}#{i}"


def replace_leaves(value: Any, new: dict[str, str], path: str = "metadata") -> Any:
    """``value`` with the strings (and long integers) at the paths of ``new`` replaced, and dict keys at their
    :data:`KEY_PATH` paths renamed (a renamed key that meets another gets ``#2``, ``#3``...: none is lost)."""
    if isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
        return new.get(path, value)
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for i, (k, v) in enumerate(value.items()):
            nk = new.get(_key_path(path, i), k) if isinstance(k, str) else k
            if nk != k and nk in out or nk != k and nk in value:
                n = 2
                while f"{nk}#{n}" in out or f"{nk}#{n}" in value:
                    n += 1
                nk = f"{nk}#{n}"
            out[nk] = replace_leaves(v, new, f"{path}.{_seg(k)}")
        return out
    if isinstance(value, list):
        return [replace_leaves(v, new, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def scrubbed_metadata(meta: Any, scrubbed: dict[str, Any]) -> tuple[Any | None, dict[str, Any]]:
    """The metadata part of a record's scrub: ``scrubbed`` maps field paths to scrub results (``.text``,
    ``.spans``). Returns the merge patch for the new version's metadata (None when no metadata value or key was
    scrubbed) and its ledger detail: ``metadata_spans`` by path as it reads after the scrub (a key that was a
    personal value is named by its placeholder) and ``metadata_keys_scrubbed``."""
    new = {k: r.text for k, r in scrubbed.items() if k.startswith(("metadata", KEY_PATH))}
    if not new:
        return None, {}
    paths = renamed_paths(meta, new)
    detail: dict[str, Any] = {}
    spans = {
        paths.get(k, k)[len("metadata") :]: span_report(scrubbed[k].spans) for k in new if k.startswith("metadata")
    }
    if spans:
        detail["metadata_spans"] = spans
    keys = sum(1 for k in new if k.startswith(KEY_PATH))
    if keys:
        detail["metadata_keys_scrubbed"] = keys
    return as_merge_patch(meta, replace_leaves(meta, new)), detail


def as_merge_patch(old: Any, new: Any) -> Any:
    """``new`` (from :func:`replace_leaves` of ``old``) as a JSON merge patch over ``old``: the version writer
    merges a derived version's metadata into its parent's, so a renamed key's old name is set to null (removed)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = {k: as_merge_patch(old.get(k), v) if k in old else v for k, v in new.items()}
        out.update({k: None for k in old if k not in new})
        return out
    return new


def renamed_paths(value: Any, new: dict[str, str], path: str = "metadata") -> dict[str, str]:
    """Each value path of ``value`` that holds a key :func:`replace_leaves` renames, with the new key in its place:
    what the ledger names (a path must not carry a personal value that was a key)."""
    out: dict[str, str] = {}
    _rename(value, new, path, path, out)
    return out


def _rename(value: Any, new: dict[str, str], old: str, cur: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        renamed = replace_leaves(dict.fromkeys(value), {p: v for p, v in new.items() if p.startswith(KEY_PATH)}, old)
        for (k, v), nk in zip(value.items(), renamed, strict=True):
            _rename(v, new, f"{old}.{_seg(k)}", f"{cur}.{_seg(nk)}", out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _rename(v, new, f"{old}[{i}]", f"{cur}[{i}]", out)
    elif old != cur:
        out[old] = cur


def span_report(spans: list[dict]) -> list[dict]:
    """Ledger form of scrubbed spans: type, offsets, keyed digest and score (never the value)."""
    return [
        {"entity_type": s["entity_type"], "start": s["start"], "end": s["end"], "hmac": s["hmac"], "score": s["score"]}
        for s in spans
    ]
