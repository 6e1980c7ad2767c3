"""Detect the script per sentence and convert only Simplified segments to Taiwan Traditional.

Pure library code (no catalogue): :func:`normalise` returns a :class:`Result` with the new text, the record's
script (traditional | simplified | mixed | neutral), the shares of script-specific characters, every edit (offset
into the input, before, after) and the proofreading flags. Text without Simplified-only characters is returned unchanged (the same
string object, so byte-identical, ``\\r\\n`` included), unless it holds no Traditional-only character either
and a mainland-only word (:mod:`curate.zh.evidence`: 方便面, 柜台) says it is Simplified.
"""

from __future__ import annotations

import bisect
import functools
import operator
import re
from collections.abc import Iterable, Sequence

import numpy as np

from curate.pii.scrubber import PLACEHOLDER_RE
from curate.zh.charsets import script_sets
from curate.zh.clause_forms import SIMPLIFIED_CLAUSE, clause_forms
from curate.zh.config import NormaliseConfig
from curate.zh.crossings import with_crossings
from curate.zh.evidence import evidence_chars
from curate.zh.japanese import blank_japanese, without_spans
from curate.zh.kept import kept_spans
from curate.zh.opencc_io import Converter
from curate.zh.quotes import clause_runs
from curate.zh.result import Edit, Flag, Result
from curate.zh.surnames import split_targets
from curate.zh.terms import (
    Term,
    TermMatcher,
    build_matcher,
    charmap,
    context_terms,
    protected_terms,
    respell,
    spelling_fixes,
    surname_terms,
    terminology,
)
from curate.zh.words import dictionary_words, words_holding

_SENT_END = "。！？!?；;"
_CLOSERS = "」』”’\"'）)】"
#: a sentence: up to and including its end punctuation (+ closing quotes) or line break
SENT_RE = re.compile(rf"[^{_SENT_END}\n]*(?:[{_SENT_END}]+[{_CLOSERS}]*\n?|\n|$)")
#: where the sentence of a context-decided term ends (its cue words are looked for up to these)
_CTX_STOPS = "。！？；\n"
#: a clause inside a sentence
CLAUSE_RE = re.compile(r"[^，,、：:\n]*(?:[，,、：:]+|$)")

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class _CharClass:
    """Fast membership counting for a large character set.

    Python's ``re`` matches a character class of BMP characters with a bitmap (hundreds of
    MB/s) but falls back to a slow linear scan once the class holds one astral character, so
    astral members (CJK Ext B+) are checked separately, and only when the text has any.
    """

    def __init__(self, chars: Iterable[str]) -> None:
        chars = set(chars)
        bmp = "".join(sorted(c for c in chars if ord(c) < 0x10000))
        self.bmp = re.compile("[" + re.escape(bmp) + "]") if bmp else None
        self.astral = frozenset(c for c in chars if ord(c) >= 0x10000)

    def count(self, text: str) -> int:
        n = len(self.bmp.findall(text)) if self.bmp is not None else 0
        if self.astral and _ASTRAL.search(text):
            n += sum(1 for c in _ASTRAL.findall(text) if c in self.astral)
        return n

    def positions(self, text: str) -> Iterable[tuple[int, str]]:
        if self.bmp is not None:
            for m in self.bmp.finditer(text):
                yield m.start(), m.group()
        if self.astral:
            for m in _ASTRAL.finditer(text):
                if m.group() in self.astral:
                    yield m.start(), m.group()


class _Engine:
    """Compiled state for one configuration (OpenCC converter, regexes, term matcher)."""

    def __init__(self, config: NormaliseConfig) -> None:
        sets = script_sets()
        self.config = config
        self.converter = Converter(config.opencc_config)
        self.to_simp = Converter("tw2s")
        #: character-level conversion (no Taiwan vocabulary) of the Simplified characters of a Traditional clause
        self.char_level = Converter("s2tw")
        self.simp = _CharClass(sets.simplified_only)
        self.trad = _CharClass(sets.traditional_only)
        self.amb = _CharClass(sets.ambiguous) if sets.ambiguous else None
        self.charmap = charmap()
        self.charmap_pairs = tuple((chr(k), v) for k, v in self.charmap.items())
        ctx = context_terms() if config.terminology else ()
        self.terms = (
            (terminology() + surname_terms() + tuple(Term(c.source, c.default, c.domain, c.note) for c in ctx))
            if config.terminology
            else ()
        )
        #: ambiguous pairs decided by cue words in the same sentence (schemas/zh/context_terms.tsv)
        self.context = {
            c.source: (c.in_context, re.compile("|".join(re.escape(w) for w in sorted(c.cues, key=len, reverse=True))))
            for c in ctx
        }
        self.base_protected = tuple(p.term for p in protected_terms() if p.source_id == "*")
        self.words = dictionary_words() if config.terminology and config.word_boundaries else None
        self.terms, crossing, across = with_crossings(self.terms, self._profile, self.words is not None)
        self._args = (self.to_simp.convert, self.words, self._fold, self._profile, crossing, across)
        self.matcher = build_matcher(self.terms, self.base_protected, *self._args)
        self.spelling = spelling_fixes(self.matcher, self._fold, crossing)  # a typo's characters follow them too

    @functools.lru_cache(maxsize=64)  # noqa: B019 - engines are few and long-lived
    def matcher_with(self, extra: tuple[str, ...]) -> TermMatcher:
        if not extra:
            return self.matcher
        return build_matcher(self.terms, self.base_protected + extra, *self._args)

    def _profile(self, s: str) -> str:  # what OpenCC gives where no entry fires (build_matcher's convert)
        return self._standard_forms(self.converter.convert(s))

    def _fold(self, s: str) -> str:
        """Simplified text in Taiwan's standard characters, word by word left alone (s2tw, MOE forms)."""
        return self._standard_forms(self.char_level.convert(s))

    # -- conversion of the Simplified segments of one record ---------------------------------
    def convert_targets(
        self,
        text: str,
        targets: Sequence[tuple[int, int, int]],
        matcher: TermMatcher,
        edits: list[Edit],
        decided: list[tuple[int, int]],
        flags: list[Flag] | None = None,
        fixed: dict[int, str] | None = None,
    ) -> str:
        """Convert ``text[a:b]`` for each target; terms first, the gaps with OpenCC in one call.

        ``decided`` receives the spans settled by a terminology or protected entry; ``flags`` the
        ambiguous pairs no cue word decided; ``fixed``: the conversion of one-character targets decided
        by their clause (:func:`_mixed_targets`).
        """
        items: list[tuple[int, int, str | None]] = []
        add_item, add_edit, add_decided = items.append, edits.append, decided.append
        table, find, context = matcher.table, matcher.find, self.context
        for ta, tb, _s in targets:
            if fixed and ta in fixed:
                piece = text[ta:tb]
                if fixed[ta] != piece:
                    add_edit(_tnew(Edit, (ta, piece, fixed[ta], "opencc")))
                add_item((ta, tb, fixed[ta]))
                continue
            pos = ta
            if table:
                for a, b in find(text, ta, tb):
                    if a > pos:
                        add_item((pos, a, None))
                    piece = text[a:b]
                    rep = table[piece][0]
                    if context and piece in context:
                        rep = self._by_context(text, ta, tb, a, b, piece, rep, context[piece], flags)
                    if piece not in matcher.crossings:  # a crossing entry decides nothing: its flags stay
                        add_decided((a, b))
                    if rep != piece:
                        add_edit(_tnew(Edit, (a, piece, rep, "term")))
                    add_item((a, b, rep))
                    pos = b
            if pos < tb:
                add_item((pos, tb, None))
        gap_items = [(a, b) for a, b, rep in items if rep is None]
        gaps = [text[a:b] for a, b in gap_items]
        convs = self._convert_many(gaps)
        same: list[tuple[int, str, str]] = []
        for (a, _b), piece, conv in zip(gap_items, gaps, convs, strict=True):
            if conv == piece:
                continue
            if len(conv) == len(piece):
                same.append((a, piece, conv))
            else:
                _diff_gap(piece, conv, a, edits)
        _diff_in_place(text, same, edits)
        conv_iter = iter(convs)
        out: list[str] = []
        pos = 0
        for a, b, rep in items:
            out.append(text[pos:a])
            out.append(next(conv_iter) if rep is None else rep)
            pos = b
        out.append(text[pos:])
        edits.sort(key=_offset)
        return "".join(out)

    @staticmethod
    def _by_context(text, ta, tb, a, b, piece, default, rule, flags) -> str:
        """The in-context form when a cue word is in the same sentence, else the default (flagged)."""
        in_context, cues = rule
        left = max(ta, max(text.rfind(c, ta, a) for c in _CTX_STOPS) + 1)
        ends = [i for i in (text.find(c, b, tb) for c in _CTX_STOPS) if i >= 0]
        right = min(ends) if ends else tb
        if cues.search(text, left, right):
            return in_context
        if flags is not None:
            flags.append(Flag(left, right, "ambiguous_term", piece))
        return default

    def _standard_forms(self, s: str) -> str:
        for old, new in self.charmap_pairs:
            if old in s:
                s = s.replace(old, new)
        return s

    def _convert_many(self, pieces: list[str]) -> list[str]:
        """OpenCC over many pieces in one call (OpenCC's per-call cost dominates short text)."""
        conv = self.converter
        if len(pieces) > 1 and not any(_SEP in p for p in pieces):
            parts = self._standard_forms(conv.convert(_SEP.join(pieces))).split(_SEP)
            if len(parts) == len(pieces):
                return parts
        return [self._standard_forms(conv.convert(p)) for p in pieces]


#: builds a NamedTuple without its Python-level ``__new__`` (hot loops; all fields given)
_tnew = tuple.__new__
_offset = operator.itemgetter(0)
_flag_key = operator.attrgetter("start", "reason")
#: joins pieces for one OpenCC call: a Unicode noncharacter, passed through unchanged
_SEP = "\ufdd0"
#: pieces longer than this are diffed chunk by chunk when their length changed
_LONG = 256


def _diff_in_place(text: str, pairs: list[tuple[int, str, str]], edits: list[Edit]) -> None:
    """Edits for equal-length (offset, before, after) pieces of ``text``, sorted by offset.

    One vectorised compare of ``text`` against itself with the pieces replaced: a change run
    ends where the text between pieces (a term, an unconverted stretch) starts. Fewer than four
    pieces are diffed one by one (a run also ends at each piece's start), as before.
    """
    if not pairs:
        return
    if len(pairs) < 4:
        for off, before, after in pairs:
            _diff(before, after, off, edits)
        return
    lo = pairs[0][0]
    parts: list[str] = []
    pos = lo
    for a, before, after in pairs:
        parts.append(text[pos:a])
        parts.append(after)
        pos = a + len(before)
    before_s = text[lo:pos]
    after_s = "".join(parts)
    x = np.frombuffer(before_s.encode("utf-32-le"), dtype="<u4")
    y = np.frombuffer(after_s.encode("utf-32-le"), dtype="<u4")
    idx = np.flatnonzero(x != y)
    if not idx.size:
        return
    breaks = np.flatnonzero(np.diff(idx) != 1)
    starts = np.concatenate(([idx[0]], idx[breaks + 1])).tolist()
    ends = (np.concatenate((idx[breaks], [idx[-1]])) + 1).tolist()
    edits.extend(
        [_tnew(Edit, (lo + s, before_s[s:e], after_s[s:e], "opencc")) for s, e in zip(starts, ends, strict=True)]
    )


def _diff_gap(before: str, after: str, offset: int, edits: list[Edit]) -> None:
    edits.extend(Edit(offset + i1, before[i1:i2], after[j1:j2]) for i1, i2, j1, j2 in _diff_gap_spans(before, after))


def _diff_gap_spans(before: str, after: str) -> list[tuple[int, int, int, int]]:
    """``(i1, i2, j1, j2)``: ``before[i1:i2]`` became ``after[j1:j2]``, minimal, in order.

    A long stretch whose length changed is aligned sentence by sentence (conversion keeps
    sentence punctuation); without a sentence anchor it is one coarse edit.
    """
    if before == after:
        return []
    if len(before) <= 4 * _LONG:
        return _diff_spans(before, after)
    b_spans = [m.span() for m in SENT_RE.finditer(before) if m.end() > m.start()]
    a_spans = [m.span() for m in SENT_RE.finditer(after) if m.end() > m.start()]
    if len(b_spans) != len(a_spans) or len(b_spans) < 2:
        return [(0, len(before), 0, len(after))]
    out: list[tuple[int, int, int, int]] = []
    for (ba, bb), (aa, ab) in zip(b_spans, a_spans, strict=True):
        out.extend(
            (ba + i1, ba + i2, aa + j1, aa + j2) for i1, i2, j1, j2 in _diff_gap_spans(before[ba:bb], after[aa:ab])
        )
    return out


def _diff_spans(before: str, after: str) -> list[tuple[int, int, int, int]]:
    """:func:`_diff` as ``(i1, i2, j1, j2)`` spans."""
    if len(before) == len(after):
        got: list[Edit] = []
        _diff(before, after, 0, got)
        return [(e.offset, e.offset + len(e.before), e.offset, e.offset + len(e.after)) for e in got]
    return changed_spans(before, after)


def changed_spans(a: str, b: str) -> list[tuple[int, int, int, int]]:
    """The non-equal opcodes of ``difflib.SequenceMatcher(None, a, b, autojunk=False)``, as ``(i1, i2, j1, j2)``.

    The same algorithm as difflib (longest matching block first, ties to the smallest ``i``, then ``j``;
    then both sides of it), without junk handling, in about half the time on short strings.
    """
    b2j: dict[str, list[int]] = {}
    for j, c in enumerate(b):
        b2j.setdefault(c, []).append(j)
    nothing: list[int] = []
    blocks = []
    queue = [(0, len(a), 0, len(b))]
    while queue:
        alo, ahi, blo, bhi = queue.pop()
        besti, bestj, bestsize = alo, blo, 0
        j2len: dict[int, int] = {}
        for i in range(alo, ahi):
            get = j2len.get
            new: dict[int, int] = {}
            for j in b2j.get(a[i], nothing):
                if j < blo:
                    continue
                if j >= bhi:
                    break
                k = new[j] = get(j - 1, 0) + 1
                if k > bestsize:
                    besti, bestj, bestsize = i - k + 1, j - k + 1, k
            j2len = new
        if bestsize:
            blocks.append((besti, bestj, bestsize))
            if alo < besti and blo < bestj:
                queue.append((alo, besti, blo, bestj))
            if besti + bestsize < ahi and bestj + bestsize < bhi:
                queue.append((besti + bestsize, ahi, bestj + bestsize, bhi))
    blocks.sort()
    out = []
    i = j = 0
    i1 = j1 = k1 = 0
    merged = []
    for i2, j2, k2 in blocks:  # adjacent blocks become one
        if i1 + k1 == i2 and j1 + k1 == j2:
            k1 += k2
        else:
            if k1:
                merged.append((i1, j1, k1))
            i1, j1, k1 = i2, j2, k2
    if k1:
        merged.append((i1, j1, k1))
    merged.append((len(a), len(b), 0))
    for ai, bj, size in merged:
        if i < ai or j < bj:
            out.append((i, ai, j, bj))
        i, j = ai + size, bj + size
    return out


def _diff(before: str, after: str, offset: int, edits: list[Edit]) -> None:
    """Append minimal edits turning ``before`` into ``after``."""
    if len(before) == len(after):
        if len(before) <= 512:
            idx = [i for i, x, y in zip(range(len(before)), before, after, strict=True) if x != y]
            if not idx:
                return
            start = prev = idx[0]
            for i in idx[1:]:
                if i != prev + 1:
                    edits.append(
                        _tnew(Edit, (offset + start, before[start : prev + 1], after[start : prev + 1], "opencc"))
                    )
                    start = i
                prev = i
            edits.append(_tnew(Edit, (offset + start, before[start : prev + 1], after[start : prev + 1], "opencc")))
            return
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
    for i1, i2, j1, j2 in changed_spans(before, after):
        edits.append(Edit(offset + i1, before[i1:i2], after[j1:j2]))


@functools.cache
def _engine(config: NormaliseConfig) -> _Engine:
    return _Engine(config)


def _spans(regex: re.Pattern[str], text: str, start: int = 0) -> Iterable[tuple[int, int]]:
    for m in regex.finditer(text):
        if m.end() > m.start():
            yield start + m.start(), start + m.end()


def normalise(text: str, config: NormaliseConfig | None = None, *, protected: Sequence[str] = ()) -> Result:
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
    probe, marks = _without_placeholders(text)
    for kept in kept_spans(
        text, SENT_RE
    ):  # Japanese sentences, links holding Han characters, Cantonese words: no evidence
        probe = blank_japanese(probe, kept)
    n_simp = eng.simp.count(probe)
    n_trad = eng.trad.count(probe)
    if not n_simp and (n_trad or not cfg.terminology or not (n_simp := evidence_chars(probe))):
        return _unchanged(text, n_trad)
    protected = (*protected, *marks)
    matcher = eng.matcher_with(tuple(sorted(set(protected)))) if protected else eng.matcher
    return _normalise_segments(eng, cfg, text, matcher, n_simp, n_trad, probe)


def _without_placeholders(text: str) -> tuple[str, tuple[str, ...]]:
    """``text`` with the PII stage's placeholders blanked (same length), and the placeholders.

    A placeholder (〔電話〕, 〔銀行帳號#3fa2c1〕) is written in Traditional characters by the pipeline itself: it is
    no evidence of the text's script, and it is kept verbatim (a protected word of the call).
    """
    if "〔" not in text:
        return text, ()
    marks = list(PLACEHOLDER_RE.finditer(text))
    if not marks:
        return text, ()
    probe = PLACEHOLDER_RE.sub(lambda m: "\u3000" * len(m.group()), text)
    return probe, tuple(m.group() for m in marks)


def _unchanged(text: str, n_trad: int) -> Result:
    """The result for text without Simplified-only characters (returned as it is)."""
    script = "traditional" if n_trad else "neutral"
    shares = {"traditional": 1.0 if n_trad else 0.0, "simplified": 0.0}
    return Result(text, script, shares, counts={"simplified_chars": 0, "traditional_chars": n_trad})


def _normalise_segments(
    eng: _Engine, cfg: NormaliseConfig, text: str, matcher: TermMatcher, n_simp: int, n_trad: int, probe="", names=None
) -> Result:
    """One record with Simplified-only characters, sentence by sentence (``n_simp`` > 0).

    ``probe``: the text the scripts are counted on (placeholders blanked), ``text`` when empty; ``names``: the
    record's surname positions when known (:func:`curate.zh.surnames.split_targets`).
    """
    probe = probe or text
    edits: list[Edit] = []
    flags: list[Flag] = []
    # (start, end, simplified-only chars) of each segment to convert
    targets: list[tuple[int, int, int]] = []
    mixed_sentence = has_trad_sentence = False
    fixed: dict[int, str] = {}  # one-character targets -> their conversion
    if not n_trad:
        # nothing Traditional-only anywhere: the whole record is one Simplified segment
        targets.append((0, len(text), n_simp))
    else:
        sentences = [(a, b, eng.simp.count(probe[a:b]), eng.trad.count(probe[a:b])) for a, b in _spans(SENT_RE, text)]
        has_trad_sentence = any(t and not s for _, _, s, t in sentences)
        for a, b, s, t in sentences:
            if s == 0 and (t or has_trad_sentence):
                continue  # Traditional, or neutral next to Traditional: untouched
            if t == 0:
                targets.append((a, b, s))
            else:
                mixed_sentence = True
                flags.append(Flag(a, b, "mixed_signals"))
                targets.extend(_mixed_targets(eng, probe[a:b], a, cfg, fixed, matcher))

    for kept in kept_spans(text, SENT_RE):  # kept as written (kept.py)
        targets = without_spans(targets, kept)
    targets, decided = split_targets(text, targets, fixed, eng._fold, names, surnames=cfg.terminology)
    new_text = eng.convert_targets(text, targets, matcher, edits, decided, flags, fixed)
    if not edits:
        new_text = text
    for ta, tb, s in targets:
        if 0 < s < cfg.min_signal_chars:
            reason = "short" if len(_HAN.findall(text, ta, tb)) < cfg.min_han_chars else "weak_signal"
            flags.append(Flag(ta, tb, reason))
    if cfg.flag_ambiguous and eng.amb is not None:
        flags.extend(_ambiguous_flags(eng, text, targets, decided))
    script = "mixed" if mixed_sentence or has_trad_sentence else "simplified"
    total = n_simp + n_trad
    shares = {"traditional": round(n_trad / total, 4), "simplified": round(n_simp / total, 4)}
    counts = {"simplified_chars": n_simp, "traditional_chars": n_trad, "converted_segments": len(targets)}
    flags.sort(key=_flag_key)
    return Result(new_text, script, shares, tuple(edits), tuple(flags), counts)


def _mixed_targets(eng: _Engine, sent: str, start: int, cfg: NormaliseConfig, fixed: dict, matcher=None):
    """What to convert in a sentence with both scripts' characters.

    A Simplified clause (at least ``min_signal_chars`` Simplified-only characters and nothing Traditional, or a
    Simplified share of at least ``mixed_convert_share``) is converted whole; one with two at the character level
    (:mod:`curate.zh.clause_forms`). In a clause with a typo (得设置基金) only the Simplified-only characters are, with
    their words' other characters (后续將: 後續), one by one: other words keep their form (設置, not 設定; 准, not 準).
    These targets carry 0 Simplified characters: no short/weak flag (the sentence is ``mixed_signals``).
    """
    for a, b, quoted, s, t, run in clause_runs(sent, CLAUSE_RE, eng.simp.count, eng.trad.count):
        clause = sent[a:b]
        if not s:
            continue
        if quoted or (t == 0 and run >= cfg.min_signal_chars) or (t and s / (s + t) >= cfg.mixed_convert_share):
            yield start + a, start + b, s
        else:
            # read in an all-Simplified clause, so s2tw's phrases see their words whole (頭发 -> 头发 -> 頭髮, 農历 ->
            # 農曆; respell: the entries against an OpenCC phrase, 别着 -> 別著)
            simp = eng.to_simp.convert(clause)
            conv = eng._standard_forms(eng.char_level.convert(simp)) if len(simp) == len(clause) else ""
            conv = respell(eng.matcher, eng.spelling, simp, conv) if conv and len(conv) == len(clause) else ""
            marked = [p for p, _c in sorted(eng.simp.positions(clause))]
            if conv and not t and run >= SIMPLIFIED_CLAUSE:  # a Simplified clause, not a typo (clause_forms.py)
                marked, conv = clause_forms(matcher or eng.matcher, sent, a, b, simp, conv, cfg.terminology)
            elif conv and eng.words is not None:
                # a word holding a Simplified-only character is Simplified whole: its other characters take s2tw's
                # phrase too (后续將持續 -> 後續將持續, not 后續), never a Traditional-only one (裏 stays)
                marked = [
                    p
                    for p in words_holding(simp, marked, eng.words)
                    if p in marked or (conv[p] != clause[p] and not eng.trad.count(clause[p]))
                ]
            for p in marked:
                if conv:  # s2tw's phrases pick the character (合并 -> 合併, not 並)
                    fixed[start + a + p] = conv[p]
                yield start + a + p, start + a + p + 1, 0


def _ambiguous_flags(
    eng: _Engine, text: str, targets: Sequence[tuple[int, int, int]], decided: list[tuple[int, int]]
) -> list[Flag]:
    """One flag per converted sentence holding one-to-many characters no term decided."""
    masked = text
    if decided:  # decided spans (sorted, disjoint) blanked out: they hold no ambiguous character
        parts: list[str] = []
        pos = 0
        for a, b in decided:
            parts.append(text[pos:a])
            parts.append("\0" * (b - a))
            pos = b
        parts.append(text[pos:])
        masked = "".join(parts)
    bmp, astral = eng.amb.bmp, eng.amb.astral
    has_astral = bool(astral) and _ASTRAL.search(masked) is not None
    flags: list[Flag] = []
    for ta, tb, _s in targets:
        if tb - ta <= 200:
            chars = bmp.findall(masked, ta, tb) if bmp is not None else []
            if has_astral:
                chars += [c for c in _ASTRAL.findall(masked, ta, tb) if c in astral]
            if chars:
                flags.append(Flag(ta, tb, "ambiguous_chars", "".join(dict.fromkeys(chars))))
            continue
        if not has_astral and bmp is not None:  # sentence by sentence (sentences tile the segment)
            for m in SENT_RE.finditer(text[ta:tb]):
                a, b = m.span()
                if b > a and (chars := bmp.findall(masked, ta + a, ta + b)):
                    flags.append(Flag(ta + a, ta + b, "ambiguous_chars", "".join(dict.fromkeys(chars))))
            continue
        hits = [(m.start() - ta, m.group()) for m in bmp.finditer(masked, ta, tb)] if bmp is not None else []
        if has_astral:
            hits += [(m.start() - ta, m.group()) for m in _ASTRAL.finditer(masked, ta, tb) if m.group() in astral]
        if not hits:
            continue
        seg = text[ta:tb]
        spans = [m.span() for m in SENT_RE.finditer(seg) if m.end() > m.start()]
        starts = [a for a, _ in spans]
        grouped: dict[int, dict[str, None]] = {}
        for p, c in sorted(hits):
            grouped.setdefault(bisect.bisect_right(starts, p) - 1, {})[c] = None
        for i, chars in sorted(grouped.items()):
            a, b = spans[i]
            flags.append(Flag(ta + a, ta + b, "ambiguous_chars", "".join(chars)))
    return flags
