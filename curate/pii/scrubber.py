"""Scrubbing: typed placeholders or keyed pseudonyms (plain string replacement, no presidio needed).

The default replaces each entity with a typed placeholder such as 〔身分證字號〕. The ``pseudonym``
mode gives a consistent surrogate (same value -> same surrogate within the key's scope) derived
from a keyed HMAC, so the same customer stays linkable across a run without keeping the value.
Span reports carry entity type, offsets and (when a key is configured) HMAC digests, never values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from curate.pii.engine import Span
from curate.pii.keys import PiiKey
from provenance.errors import ConfigError

#: entity type -> placeholder text
PLACEHOLDERS: dict[str, str] = {
    "PERSON": "〔姓名〕",
    "TW_NATIONAL_ID": "〔身分證字號〕",
    "TW_RESIDENT_ID": "〔居留證號〕",
    "TW_PHONE": "〔電話〕",
    "EMAIL_ADDRESS": "〔電子郵件〕",
    "CREDIT_CARD": "〔信用卡號〕",
    "TW_BANK_ACCOUNT": "〔銀行帳號〕",
    "TW_PASSPORT": "〔護照號碼〕",
    "TW_NHI_CARD": "〔健保卡號〕",
    "DATE_OF_BIRTH": "〔出生日期〕",
    "TW_ADDRESS": "〔地址〕",
}
MODES = ("placeholder", "pseudonym")
#: a placeholder or pseudonym as this module writes it: 〔電話〕, 〔姓名#3fa2c1〕, 〔身分證字號#2〕 (``#`` + hex digits
#: or a count), an unknown entity type's 〔SOMETHING_ELSE〕; the normaliser keeps these out of script detection
PLACEHOLDER_RE = re.compile(
    "〔(?:" + "|".join(re.escape(p[1:-1]) for p in PLACEHOLDERS.values()) + r"|[A-Z][A-Z0-9_]*)(?:#[0-9a-f]{1,64})?〕"
)


@dataclass(frozen=True, slots=True)
class ScrubResult:
    """Scrubbed text and the span report (no raw values)."""

    text: str
    spans: list[dict]


def placeholder(entity_type: str) -> str:
    """Typed placeholder for an entity type.

    >>> placeholder("TW_NATIONAL_ID"), placeholder("SOMETHING_ELSE")
    ('〔身分證字號〕', '〔SOMETHING_ELSE〕')
    """
    return PLACEHOLDERS.get(entity_type, f"〔{entity_type}〕")


def pseudonym(entity_type: str, digest: str) -> str:
    """A stable surrogate from a digest, e.g. 〔姓名#3fa2c1〕 (typed, so readers know it is synthetic)."""
    label = placeholder(entity_type)[1:-1]
    return f"〔{label}#{digest[:6]}〕"


def scrub(text: str, spans: Sequence[Span], *, mode: str = "placeholder", key: PiiKey | None = None) -> ScrubResult:
    """Replace ``spans`` in ``text`` (non-overlapping) by placeholders or pseudonyms.

    Raises:
        ConfigError: unknown mode, or ``pseudonym`` without a key.
    """
    if mode not in MODES:
        raise ConfigError(f"unknown scrub mode `{mode}`; valid: {', '.join(MODES)}")
    if mode == "pseudonym" and key is None:
        raise ConfigError("scrub mode `pseudonym` needs a key: set CURATE_PII_KEY or CURATE_PII_KEY_FILE")
    report = []
    for s in spans:
        item = {"start": s.start, "end": s.end, "entity_type": s.entity_type, "score": round(s.score, 4)}
        if key is not None:
            item["hmac"] = key.digest(s.entity_type, text[s.start : s.end])
        report.append(item)
    return ScrubResult(replaced(text, spans, mode=mode, key=key)[0], report)


def replaced(
    text: str, spans: Sequence[Span], *, mode: str = "placeholder", key: PiiKey | None = None
) -> tuple[str, list[tuple[int, int, int]]]:
    """``text`` with ``spans`` replaced (as :func:`scrub` does) and the pieces of ``text`` it keeps, as
    ``(start in the output, start in text, length)``: what maps an offset of the output back to ``text``.

    >>> replaced("王明電話0912345678", [Span(0, 2, "PERSON", 0.9), Span(4, 14, "TW_PHONE", 0.9)])
    ('〔姓名〕電話〔電話〕', [(4, 2, 2)])
    """
    out, kept = [], []
    pos = n = 0
    for s in sorted(spans, key=lambda x: x.start):
        if s.start < pos:  # overlapping spans are resolved by the detector; keep the first defensively
            continue
        if mode == "placeholder":
            new = placeholder(s.entity_type)
        else:
            assert key is not None
            new = pseudonym(s.entity_type, key.digest(s.entity_type, text[s.start : s.end]))
        if s.start > pos:
            kept.append((n, pos, s.start - pos))
        out += [text[pos : s.start], new]
        n += s.start - pos + len(new)
        pos = s.end
    if pos < len(text):
        kept.append((n, pos, len(text) - pos))
    out.append(text[pos:])
    return "".join(out), kept
