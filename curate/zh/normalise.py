"""Detect the script per sentence and convert only Simplified segments to Taiwan Traditional.

Pure library code (no catalogue): :func:`normalise` returns a :class:`Result` with the new
text, the record's script (traditional | simplified | mixed | neutral), the shares of
script-specific characters, every edit (offset into the input, before, after) and the
proofreading flags. Text without Simplified-only characters is returned unchanged (the same
string object, so byte-identical, ``\\r\\n`` included).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from curate._optional import require
from curate.zh.charsets import script_sets
from curate.zh.config import NormaliseConfig
from curate.zh.terms import TermMatcher, build_matcher, charmap, protected_terms, surname_terms, terminology

_SENT_END = "。！？!?；;"
_CLOSERS = "」』”’\"'）)】"
#: a sentence: up to and including its end punctuation (+ closing quotes) or line break
SENT_RE = re.compile(rf"[^{_SENT_END}\n]*(?:[{_SENT_END}]+[{_CLOSERS}]*\n?|\n|$)")
#: a clause inside a sentence
CLAUSE_RE = re.compile(r"[^，,、：:\n]*(?:[，,、：:]+|$)")


@dataclass(frozen=True, slots=True)
class Edit:
    """One change: ``before`` at ``offset`` (code points into the input) became ``after``."""

    offset: int
    before: str
    after: str
    #: what made it: "opencc" or "term"
    by: str = "opencc"


@dataclass(frozen=True, slots=True)
class Flag:
    """A span of the input worth a human proofreader's look."""

    start: int
    end: int
    reason: str
    chars: str = ""


@dataclass(frozen=True, slots=True)
class Result:
    """What :func:`normalise` returns."""

    text: str
    script: str
    shares: dict[str, float]
    edits: tuple[Edit, ...] = ()
    flags: tuple[Flag, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.edits)

    def edits_json(self) -> list[dict[str, Any]]:
        return [asdict(e) for e in self.edits]

    def flags_json(self) -> list[dict[str, Any]]:
        return [asdict(f) for f in self.flags]


class _Engine:
    """Compiled state for one configuration (OpenCC converter, regexes, term matcher)."""

    def __init__(self, config: NormaliseConfig) -> None:
        opencc = require("opencc", extra="zh", purpose="Simplified -> Traditional conversion")
        sets = script_sets()
        self.config = config
        self.converter = opencc.OpenCC(config.opencc_config)
        self.to_simp = opencc.OpenCC("tw2s")
        self.simp_re = re.compile("[" + re.escape("".join(sorted(sets.simplified_only))) + "]")
        self.trad_re = re.compile("[" + re.escape("".join(sorted(sets.traditional_only))) + "]")
        amb = "".join(sorted(sets.ambiguous))
        self.amb_re = re.compile("[" + re.escape(amb) + "]") if amb else None
        self.charmap = charmap()
        self.terms = (terminology() + surname_terms()) if config.terminology else ()
        self.base_protected = tuple(p.term for p in protected_terms() if p.source_id == "*")
        self.matcher = build_matcher(self.terms, self.base_protected, self.to_simp.convert)

    @functools.lru_cache(maxsize=64)  # noqa: B019 - engines are few and long-lived
    def matcher_with(self, extra: tuple[str, ...]) -> TermMatcher:
        if not extra:
            return self.matcher
        return build_matcher(self.terms, self.base_protected + extra, self.to_simp.convert)

    # -- conversion of one Simplified segment ----------------------------------------------
    def convert_segment(self, seg: str, offset: int, matcher: TermMatcher,
                        edits: list[Edit]) -> str:
        out: list[str] = []
        for rel, piece, rep, kind in matcher.split(seg):
            if rep is not None:
                if rep != piece:
                    edits.append(Edit(offset + rel, piece, rep, "term"))
                out.append(rep)
                continue
            conv = self.converter.convert(piece).translate(self.charmap)
            if conv != piece:
                _diff(piece, conv, offset + rel, edits)
            out.append(conv)
        return "".join(out)


def _diff(before: str, after: str, offset: int, edits: list[Edit]) -> None:
    """Append minimal edits turning ``before`` into ``after``."""
    if len(before) == len(after):
        a = np.frombuffer(before.encode("utf-32-le"), dtype="<u4")
        b = np.frombuffer(after.encode("utf-32-le"), dtype="<u4")
        idx = np.flatnonzero(a != b)
        if not idx.size:
            return
        breaks = np.flatnonzero(np.diff(idx) > 1)
        starts = np.concatenate(([idx[0]], idx[breaks + 1]))
        ends = np.concatenate((idx[breaks], [idx[-1]])) + 1
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            edits.append(Edit(offset + s, before[s:e], after[s:e]))
        return
    sm = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op != "equal":
            edits.append(Edit(offset + i1, before[i1:i2], after[j1:j2]))


@functools.cache
def _engine(config: NormaliseConfig) -> _Engine:
    return _Engine(config)


def _spans(regex: re.Pattern[str], text: str, start: int = 0) -> Iterable[tuple[int, int]]:
    for m in regex.finditer(text):
        if m.end() > m.start():
            yield start + m.start(), start + m.end()


def normalise(text: str, config: NormaliseConfig | None = None, *,
              protected: Sequence[str] = ()) -> Result:
    """Convert the Simplified parts of ``text`` to Taiwan Traditional.

    Args:
        text: the input (any mix of scripts; empty and Han-free text are fine).
        config: options (default :class:`NormaliseConfig`, OpenCC ``s2twp``).
        protected: extra words never converted for this call (person names found by the PII
            stage, per-source glossary additions).

    Returns:
        A :class:`Result`; ``result.text is text`` when nothing was Simplified.

    >>> r = normalise("账户余额不足。")
    >>> r.text, r.script
    ('帳戶餘額不足。', 'simplified')
    >>> normalise("姓范的余先生在里長辦公室。").edits
    ()
    """
    cfg = config or NormaliseConfig()
    eng = _engine(cfg)
    n_simp_total = len(eng.simp_re.findall(text))
    if not n_simp_total:
        n_trad = len(eng.trad_re.findall(text))
        script = "traditional" if n_trad else "neutral"
        shares = {"traditional": 1.0 if n_trad else 0.0, "simplified": 0.0}
        return Result(text, script, shares, counts={"simplified_chars": 0, "traditional_chars": n_trad})

    matcher = eng.matcher_with(tuple(sorted(set(protected))))
    sentences = []  # (start, end, s, t)
    n_trad_total = 0
    for a, b in _spans(SENT_RE, text):
        sent = text[a:b]
        s = len(eng.simp_re.findall(sent))
        t = len(eng.trad_re.findall(sent))
        n_trad_total += t
        sentences.append((a, b, s, t))
    has_trad_sentence = any(t and not s for _, _, s, t in sentences)

    edits: list[Edit] = []
    flags: list[Flag] = []
    out: list[str] = []
    pos = 0
    n_conv = 0
    for a, b, s, t in sentences:
        sent = text[a:b]
        if s == 0 and (t or has_trad_sentence):
            continue  # Traditional or neutral next to Traditional: untouched
        if t == 0:
            targets = [(a, b)]
        else:
            targets = list(_mixed_targets(eng, sent, a, cfg))
            flags.append(Flag(a, b, "mixed_signals"))
        for ta, tb in targets:
            out.append(text[pos:ta])
            seg = text[ta:tb]
            n_before = len(edits)
            out.append(eng.convert_segment(seg, ta, matcher, edits))
            pos = tb
            n_conv += 1
            if 0 < s < cfg.min_signal_chars and t == 0:
                flags.append(Flag(ta, tb, "short"))
            if cfg.flag_ambiguous and eng.amb_re is not None:
                amb = _unresolved_ambiguous(eng, edits[n_before:], seg, ta)
                if amb:
                    flags.append(Flag(ta, tb, "ambiguous_chars", amb))
    out.append(text[pos:])
    new_text = "".join(out) if edits else text
    conv_sent = sum(1 for _, _, s, _t in sentences if s)
    trad_sent = sum(1 for _, _, s, t in sentences if t and not s)
    mixed_sent = any(s and t for _, _, s, t in sentences)
    script = "mixed" if mixed_sent or (trad_sent and conv_sent) else "simplified"
    total = n_simp_total + n_trad_total
    shares = {"traditional": round(n_trad_total / total, 4), "simplified": round(n_simp_total / total, 4)}
    counts = {"simplified_chars": n_simp_total, "traditional_chars": n_trad_total,
              "sentences": len(sentences), "converted_segments": n_conv}
    return Result(new_text, script, shares, tuple(edits), tuple(flags), counts)


def _mixed_targets(eng: _Engine, sent: str, start: int, cfg: NormaliseConfig):
    """Clauses of a sentence with both scripts' characters that should be converted."""
    for a, b in _spans(CLAUSE_RE, sent):
        clause = sent[a:b]
        s = len(eng.simp_re.findall(clause))
        if not s:
            continue
        t = len(eng.trad_re.findall(clause))
        if t == 0 or s / (s + t) >= cfg.mixed_convert_share:
            yield start + a, start + b


def _unresolved_ambiguous(eng: _Engine, seg_edits: list[Edit], seg: str, offset: int) -> str:
    """One-to-many characters of ``seg`` that no terminology entry decided."""
    by_term = set()
    for e in seg_edits:
        if e.by == "term":
            by_term.update(range(e.offset - offset, e.offset - offset + len(e.before)))
    chars = []
    for m in eng.amb_re.finditer(seg):
        if m.start() not in by_term and m.group() not in chars:
            chars.append(m.group())
    return "".join(chars)
