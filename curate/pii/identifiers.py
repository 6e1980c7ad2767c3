"""Identifiers built from personal data: pseudonymised before they are stored.

``doc_key``, ``locator`` and ``container`` are built from id fields and file names (kept also in a record's
``metadata.file`` and a source's ``origin``)
(``王小明_A123456789.jsonl#line=1``, ``moda:id=A123456789``); run parameters hold file paths;
quarantine rows and ingest reports hold locators and excerpts. None of them is text the PII stage
sees, so ingest passes them through :class:`IdentifierGuard` first: a detected personal value
becomes a keyed pseudonym (``〔身分證字號#3fa2c1d04b7e9a55〕``, the same value always the same pseudonym, so
ids stay deterministic and unique under one key).

For sources marked ``pii_expected`` every detected type counts (names included); elsewhere only
structured identifiers (IDs, phones, e-mail, cards, accounts, passports) do, so file names of
textbooks and manifests are shown as they are. A plain digest of raw text in an identifier of a
``pii_expected`` source (the FSC fallback key ``fsc:sha:<prefix>``) becomes a keyed one (``fsc:hk:<prefix>``).
The key is needed only when something is found.
"""

from __future__ import annotations

import re
from typing import Any

from curate.pii.propagate import PROPAGATED_TYPES

#: identifiers of any source: structured values only
STRUCTURED = tuple(sorted(PROPAGATED_TYPES - {"PERSON"}))
#: hex digits of a pseudonym inside an identifier (64 bits: no collisions at catalogue scale)
ID_DIGEST_CHARS = 16
#: a plain sha256 (prefix) of raw text inside an identifier of a pii_expected source
_PLAIN_DIGEST = re.compile(r"(?<![0-9A-Za-z])sha:([0-9a-f]{16,64})(?![0-9A-Za-z])")
#: cheap pre-check for structured values (digit runs, digits grouped with - space . / or ‧, @, ID shapes)
_STRUCTURED_HINT = re.compile(r"\d{7}|\d[- ./\u2027]\d{3}|@|[A-Za-z][ -]?[0-9A-Da-d]\d{4}|[０-９]{4}")


def _hint_view(value: str) -> str:
    """What the pre-check reads: the detector's compact view, half-width (``０９１２－３４５－６７８``,
    ``a＠b.tw`` and values split by invisible characters pass the check as the detector would read them)."""
    from curate.pii.text import compact_view, halfwidth

    return halfwidth(compact_view(value)[0])


class IdentifierGuard:
    """Pseudonymise personal values inside identifier strings (cached per string)."""

    def __init__(self) -> None:
        self._detectors: dict[bool, Any] = {}
        self._key = None
        self._cache: dict[tuple[str, bool], str] = {}

    def _detector(self, all_types: bool):
        det = self._detectors.get(all_types)
        if det is None:
            from curate.pii.engine import DetectorConfig, PiiDetector

            ents = tuple(sorted(PROPAGATED_TYPES)) if all_types else STRUCTURED
            det = self._detectors[all_types] = PiiDetector(DetectorConfig(entities=ents))
        return det

    def __call__(self, value: str | None, *, all_types: bool = False) -> str | None:
        """``value`` with detected personal values replaced by keyed pseudonyms."""
        if not value:
            return value
        hit = self._cache.get((value, all_types))
        if hit is not None:
            return hit
        out = value
        if all_types and _PLAIN_DIGEST.search(value):
            # a plain digest of raw text (fsc:sha:<prefix>) can be brute-forced for short records: keyed instead
            key = self._load_key()
            out = _PLAIN_DIGEST.sub(lambda m: "hk:" + key.digest("DIGEST", m.group(1))[:16], out)
        if all_types or _STRUCTURED_HINT.search(_hint_view(value)):
            spans = self._detector(all_types).analyze(out)
            if spans:
                out = self._replace(out, spans)
        if len(self._cache) < 100_000:
            self._cache[(value, all_types)] = out
        return out

    def _replace(self, value: str, spans) -> str:
        """Keyed pseudonyms with 16 hex digits: ids built from them must stay unique."""
        from curate.pii.scrubber import placeholder

        key = self._load_key()
        parts, pos = [], 0
        for s in sorted(spans, key=lambda x: x.start):
            if s.start < pos:
                continue
            digest = key.digest(s.entity_type, value[s.start : s.end])
            parts += [value[pos : s.start], f"〔{placeholder(s.entity_type)[1:-1]}#{digest[:ID_DIGEST_CHARS]}〕"]
            pos = s.end
        return "".join(parts) + value[pos:]

    def _load_key(self):
        if self._key is None:
            from curate.pii.keys import load_key

            self._key = load_key(required=True, purpose="pseudonymising personal data in ids and file names at ingest")
        return self._key

    def walk(self, value: Any, *, all_types: bool = False) -> Any:
        """Every string inside ``value`` (dicts, lists) through :meth:`__call__`."""
        if isinstance(value, str):
            return self(value, all_types=all_types)
        if isinstance(value, dict):
            return {k: self.walk(v, all_types=all_types) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.walk(v, all_types=all_types) for v in value]
        return value
