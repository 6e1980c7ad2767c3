"""Many records at once: :func:`normalise_many`, vectorised for fully Simplified records.

A record without Traditional-only characters is converted whole (one segment), so a batch of such
records can be treated as one string: the records are joined with a Unicode noncharacter (U+FDD0,
which no table holds and OpenCC passes through unchanged), terms are found in one scan, the gaps
between terms (each term replaced by one U+FDD0, so OpenCC's maximum-match segmentation never
crosses a term or a record) go through **one** OpenCC call, and the equal-length gaps are compared
with the input in one numpy pass; sentences, ambiguous-character flags and context-decided terms are
found with numpy over the whole batch too. Edits are kept as positions (:class:`~curate.zh.result.BatchResult`)
and become ``Edit`` tuples only when read. Records with Traditional-only characters (mixed
sentences, Traditional sentences next to Simplified ones) take :func:`curate.zh.normalise.normalise`'s
sentence-by-sentence path, one record at a time. The output equals :func:`normalise` record by record
(``tests/zh/test_fast_path.py`` checks it against the previous implementation).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from curate.pii.scrubber import PLACEHOLDER_RE
from curate.zh.cantonese import CANTONESE_WORDS
from curate.zh.config import NormaliseConfig
from curate.zh.evidence import evidence_chars
from curate.zh.japanese import KANA_RE
from curate.zh.kept import kept_spans
from curate.zh.normalise import (
    _ASTRAL,
    _CLOSERS,
    _CTX_STOPS,
    _SENT_END,
    SENT_RE,
    _diff_gap_spans,
    _Engine,
    _engine,
    _flag_key,
    _normalise_segments,
    _unchanged,
)
from curate.zh.result import BatchResult, EditRows, Flag, Result, _tnew
from curate.zh.scan import TermIndex, find_terms
from curate.zh.surnames import surname_positions
from curate.zh.terms import TermMatcher
from curate.zh.titles import title_positions

#: joins records and marks term places for the batch (a noncharacter: never in text, passed by OpenCC)
SEP = "\ufdd0"
_SEP_CP = 0xFDD0
#: class bits of the per-code-point table (HAN: :data:`curate.zh.normalise._HAN`'s ranges)
SIMP, TRAD, AMB, HAN = 1, 2, 4, 8
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))


def _codepoints(s: str) -> np.ndarray:
    return np.frombuffer(s.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _string(cps: np.ndarray) -> str:
    return cps.astype("<u4", copy=False).tobytes().decode("utf-32-le", "surrogatepass")


def class_table(eng: _Engine) -> np.ndarray:
    """uint8 per code point: SIMP | TRAD | AMB bits (the engine's character sets, built once)."""
    lut = getattr(eng, "_lut", None)
    if lut is None:
        from curate.zh.charsets import script_sets

        sets = script_sets()
        lut = np.zeros(0x110000, dtype=np.uint8)
        for chars, bit in ((sets.simplified_only, SIMP), (sets.traditional_only, TRAD), (sets.ambiguous, AMB)):
            if chars:
                lut[np.fromiter(map(ord, chars), dtype=np.int64, count=len(chars))] |= bit
        for lo, hi in _HAN_RANGES:
            lut[lo : hi + 1] |= HAN
        eng._lut = lut
    return lut


def _bounds(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of each record in ``SEP.join(texts)``."""
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts), dtype=np.int64)
    if len(texts) > 1:
        starts[1:] = np.cumsum(lens + 1)[:-1]
    return starts, lens


def _per_record(mask: np.ndarray, starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    cs = np.zeros(mask.size + 1, dtype=np.int64)
    np.cumsum(mask, out=cs[1:])
    return cs[starts + lens] - cs[starts]


def normalise_many(
    texts: Sequence[str],
    config: NormaliseConfig | None = None,
    *,
    protected: Sequence[Sequence[str]] | None = None,
) -> list[Result]:
    """:func:`curate.zh.normalise` over many records; the same results, in order.

    Args:
        texts: the records' texts.
        config: options (default :class:`NormaliseConfig`).
        protected: per record, extra words never converted (``None``: none for any record).

    >>> [r.text for r in normalise_many(["账户余额不足。", "帳戶餘額", "ABC"])]
    ['帳戶餘額不足。', '帳戶餘額', 'ABC']
    """
    cfg = config or NormaliseConfig()
    eng = _engine(cfg)
    n = len(texts)
    if protected is not None and len(protected) != n:
        raise ValueError(f"protected: {len(protected)} entries for {n} texts")
    if not n:
        return []
    joined = SEP.join(texts)
    if joined.count(SEP) != n - 1:  # a record holds the separator itself: one by one
        from curate.zh.normalise import normalise

        return [normalise(t, cfg, protected=protected[i] if protected else ()) for i, t in enumerate(texts)]
    cps = _codepoints(joined)
    cls = class_table(eng)[cps]
    starts, lens = _bounds(texts)
    simp = _per_record(cls & SIMP, starts, lens)
    trad = _per_record((cls & TRAD) >> 1, starts, lens)
    out: list[Result | None] = [None] * n
    if (
        "〔" in joined
        or KANA_RE.search(joined)
        or "://" in joined
        or "www." in joined.lower()
        or any(c in joined for c in CANTONESE_WORDS)
    ):
        # the PII stage's placeholders (no script evidence, kept verbatim), Japanese sentences (kept as written,
        # curate.zh.japanese), links holding Han characters (kept, curate.zh.links) and Cantonese words (kept,
        # curate.zh.cantonese): normalise's own path
        from curate.zh.normalise import normalise

        for i in [
            i for i, t in enumerate(texts) if PLACEHOLDER_RE.search(t) or KANA_RE.search(t) or kept_spans(t, SENT_RE)
        ]:
            out[i] = normalise(texts[i], cfg, protected=protected[i] if protected else ())
            simp[i] = trad[i] = -1  # taken
    n_simp, n_trad = simp.tolist(), trad.tolist()
    keys = [tuple(sorted(set(p))) if p else () for p in protected] if protected and any(protected) else None
    for i in np.flatnonzero(simp == 0).tolist():
        lexical = evidence_chars(texts[i]) if cfg.terminology and not n_trad[i] else 0
        if not lexical:
            out[i] = _unchanged(texts[i], n_trad[i])
            continue
        # neutral text that a mainland-only word shows to be Simplified (curate.zh.evidence): normalise's path
        matcher = eng.matcher_with(keys[i]) if keys else eng.matcher
        out[i] = _normalise_segments(eng, cfg, texts[i], matcher, lexical, 0)
    for i in np.flatnonzero((simp > 0) & (trad > 0)).tolist():
        matcher = eng.matcher_with(keys[i]) if keys else eng.matcher
        out[i] = _normalise_segments(eng, cfg, texts[i], matcher, n_simp[i], n_trad[i])
    fast = np.flatnonzero((simp > 0) & (trad == 0)).tolist()
    # a surname starting a name (余伟, curate.zh.surnames; with the terminology layer), a book title (always, never
    # reworded): normalise's path
    for i in fast:
        t = texts[i]
        # a record with 《 or 〈 but no title the rule keeps (a < sign, no title's end) stays on the fast path
        titled = ("《" in t or "〈" in t) and bool(title_positions(t, 0, len(t), eng._fold))
        names = None if titled or not cfg.terminology else surname_positions(t)
        if titled or names:
            matcher = eng.matcher_with(keys[i]) if keys else eng.matcher
            out[i] = _normalise_segments(eng, cfg, t, matcher, n_simp[i], 0, names=names)  # names: read once
    fast = [i for i in fast if out[i] is None]
    groups: dict[tuple[str, ...], list[int]] = {}
    if keys:
        for i in fast:
            groups.setdefault(keys[i], []).append(i)
    elif fast:
        groups[()] = fast
    for key, idx in groups.items():
        matcher = eng.matcher_with(key)
        for chunk in _chunks(idx, lens):
            size = int(lens[chunk].sum())
            if (len(chunk) == 1 and size > MAX_BATCH_CHARS) or (len(chunk) <= SMALL_RECORDS and size <= SMALL_CHARS):
                # a huge record alone (the numpy arrays would be no smaller), or too little text to pay for the
                # vectorised call's fixed cost: record by record
                for i in chunk:
                    out[i] = _normalise_segments(eng, cfg, texts[i], matcher, n_simp[i], 0)
                continue
            if len(chunk) == n:  # the whole batch (the usual case): its code points and classes are known
                sub = list(texts)
                res = _convert_simplified(eng, cfg, matcher, sub, n_simp, (cps, cls, starts, lens))
            else:
                sub = [texts[i] for i in chunk]
                res = _convert_simplified(eng, cfg, matcher, sub, [n_simp[i] for i in chunk])
            if res is None:  # OpenCC did not keep the separators: record by record
                res = [_normalise_segments(eng, cfg, t, matcher, n_simp[i], 0) for i, t in zip(chunk, sub, strict=True)]
            for i, r in zip(chunk, res, strict=True):
                out[i] = r
    return out  # type: ignore[return-value]


#: records and characters per :func:`normalise_many` call in the normalise stage and ``curate zh convert``:
#: a call has a fixed cost (~40 numpy operations, one OpenCC call whose tables start cold), so one-sentence
#: records at 256 per call ran at ~0.45x bare s2twp and at 4,096 per call at ~0.6x; 262,144 characters bound
#: a call's memory (~40 MB at its peak) and hold ~370 documents of 2 KB
BATCH_RECORDS = 4096
BATCH_CHARS = 262_144

#: a vectorised call costs ~200 µs of CPU whatever its size (~100 numpy operations); fewer records and
#: characters than these are cheaper record by record (~20 µs per sentence, ~0.7 µs per character)
SMALL_RECORDS = 12
SMALL_CHARS = 1_200

#: characters converted per vectorised call: at its peak it holds ~150 bytes per character (numpy arrays,
#: the new texts, the edit positions: ~75 MB here); a longer record takes the record-by-record path
MAX_BATCH_CHARS = 500_000


def _chunks(idx: list[int], lens: np.ndarray) -> list[list[int]]:
    """``idx`` cut into runs of at most :data:`MAX_BATCH_CHARS` characters (a longer record alone)."""
    sizes = lens[idx] + 1
    if int(sizes.sum()) <= MAX_BATCH_CHARS:  # the usual case: one run
        return [idx]
    out: list[list[int]] = []
    cur: list[int] = []
    size = 0
    for i, n in zip(idx, sizes.tolist(), strict=True):
        if cur and size + n - 1 > MAX_BATCH_CHARS:
            out.append(cur)
            cur, size = [], 0
        cur.append(i)
        size += n
    if cur:
        out.append(cur)
    return out


def _term_index(eng: _Engine, matcher: TermMatcher) -> TermIndex:
    """The :class:`~curate.zh.scan.TermIndex` of ``matcher`` (kept on the engine, as many as its matchers)."""
    cache: dict[int, TermIndex] = eng.__dict__.setdefault("_term_index", {})
    got = cache.get(id(matcher))
    if got is None or got.matcher is not matcher:
        if len(cache) > 128:
            cache.clear()
        got = cache[id(matcher)] = TermIndex(matcher, eng.context)
    return got


def _convert_simplified(
    eng: _Engine,
    cfg: NormaliseConfig,
    matcher: TermMatcher,
    texts: list[str],
    n_simp: list[int],
    known: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> list[Result] | None:
    """Fully Simplified records (one segment each), vectorised; None if OpenCC moved a separator.

    ``known``: the code points of ``SEP.join(texts)``, their class bits, the records' starts and lengths.
    """
    J = SEP.join(texts)
    if known is None:
        X = _codepoints(J)
        cls = class_table(eng)[X]
        rstart, lens = _bounds(texts)
    else:
        X, cls, rstart, lens = known
    nJ = X.size
    # -- terms: leftmost-longest over the joined text (no key holds SEP, so none crosses a record)
    index = _term_index(eng, matcher)
    A, B, K = find_terms(index, X)
    context = eng.context
    keys, all_reps = index.keys, index.reps
    k_l = K.tolist()
    reps = [all_reps[k] for k in k_l]
    term_changed = index.changed[K]
    ctx_flags: list[tuple[int, Flag]] = []
    ctx = np.flatnonzero(index.in_context[K]).tolist() if context else []
    if ctx:  # as _Engine._by_context: the cue words are looked for between the nearest 。！？；or line breaks
        stops = np.flatnonzero(_PUNCT[X] & STOP)
        ca, cb = A[ctx], B[ctx]
        rec = np.searchsorted(rstart, ca, side="right") - 1
        ta = rstart[rec]
        tb = ta + lens[rec]
        if stops.size:
            li = np.searchsorted(stops, ca, side="left") - 1
            left = np.maximum(ta, np.where(li >= 0, stops[np.maximum(li, 0)] + 1, 0))
            ri = np.searchsorted(stops, cb, side="left")
            right = np.minimum(tb, np.where(ri < stops.size, stops[np.minimum(ri, stops.size - 1)], tb))
        else:
            left, right = ta, tb
        for t, r, lo, hi, t0 in zip(ctx, rec.tolist(), left.tolist(), right.tolist(), ta.tolist(), strict=True):
            piece = keys[k_l[t]]
            in_context, cues = context[piece]
            if cues.search(J, lo, hi):
                reps[t] = in_context
                term_changed[t] = in_context != piece
            else:
                ctx_flags.append((r, Flag(lo - t0, hi - t0, "ambiguous_term", piece)))
    if SEP in "".join(reps):
        return None
    n_terms = A.size
    # -- the OpenCC input: each term becomes one SEP (its first character), the rest of it is dropped
    inner = np.zeros(nJ + 1, dtype=np.int32)
    inner[A + 1] += 1
    inner[B] -= 1
    keep = np.cumsum(inner[:nJ]) == 0
    Xg = X.copy()
    Xg[A] = _SEP_CP
    gpos = np.flatnonzero(keep)  # G position -> J position
    Gc = Xg[gpos]
    G = _string(Gc)
    Z = eng._standard_forms(eng.converter.convert(G))
    Zc = _codepoints(Z)
    sepG = np.flatnonzero(Gc == _SEP_CP)
    sepZ = np.flatnonzero(Zc == _SEP_CP)
    if sepG.size != sepZ.size:
        return None
    startG = np.concatenate(([0], sepG + 1))
    lenG = np.concatenate((sepG, [Gc.size])) - startG
    startZ = np.concatenate(([0], sepZ + 1))
    lenZ = np.concatenate((sepZ, [Zc.size])) - startZ
    same_len = lenG == lenZ
    # which SEPs stand for a term (the others join records), and each SEP's growth in the new text
    is_term_sep = X[gpos[sepG]] != _SEP_CP
    term_sep = np.flatnonzero(is_term_sep)
    rep_len = np.fromiter(map(len, reps), dtype=np.int64, count=n_terms)
    extra = np.zeros(sepZ.size + 1, dtype=np.int64)
    extra[term_sep + 1] = rep_len - 1
    cum_extra = np.cumsum(extra)  # cum_extra[k]: growth of the SEPs before SEP k

    def new_pos(z: np.ndarray) -> np.ndarray:
        """Z position -> position in the joined new text (terms put back)."""
        return z + cum_extra[np.searchsorted(sepZ, z, side="left")]

    # -- edits, in the previous implementation's append order: terms, length-changing gaps, in-place
    tc = np.flatnonzero(term_changed)
    e_off = [A[tc]]
    e_blen = [B[tc] - A[tc]]
    e_new = [new_pos(sepZ[term_sep[tc]])]
    e_alen = [rep_len[tc]]
    e_term = [np.ones(tc.size, dtype=np.int64)]
    diff_rows: list[tuple[int, int, int, int]] = []
    for k in np.flatnonzero(~same_len).tolist():
        g0, z0 = int(startG[k]), int(startZ[k])
        j0 = int(gpos[g0]) if lenG[k] else 0
        before, after = G[g0 : g0 + int(lenG[k])], Z[z0 : z0 + int(lenZ[k])]
        diff_rows.extend((j0 + i1, i2 - i1, z0 + j1, j2 - j1) for i1, i2, j1, j2 in _diff_gap_spans(before, after))
    if diff_rows:
        d = np.array(diff_rows, dtype=np.int64).reshape(-1, 4)
        e_off.append(d[:, 0])
        e_blen.append(d[:, 1])
        e_new.append(new_pos(d[:, 2]))
        e_alen.append(d[:, 3])
        e_term.append(np.zeros(len(diff_rows), dtype=np.int64))
    pid = np.cumsum(Gc == _SEP_CP) - (Gc == _SEP_CP)
    sel = np.flatnonzero(same_len[pid])
    zi = sel - startG[pid[sel]] + startZ[pid[sel]]
    hit = Gc[sel] != Zc[zi]
    jp, zp = gpos[sel[hit]], zi[hit]
    if jp.size:
        br = np.flatnonzero(np.diff(jp) != 1)
        rs = np.concatenate(([0], br + 1))
        re_ = np.concatenate((br, [jp.size - 1]))
        e_off.append(jp[rs])
        e_blen.append(jp[re_] - jp[rs] + 1)
        e_new.append(new_pos(zp[rs]))
        e_alen.append(jp[re_] - jp[rs] + 1)
        e_term.append(np.zeros(rs.size, dtype=np.int64))
    off = np.concatenate(e_off)
    order = np.argsort(off, kind="stable")
    rows = np.stack(
        [off, np.concatenate(e_blen), np.concatenate(e_new), np.concatenate(e_alen), np.concatenate(e_term)]
    )
    rows = rows[:, order]
    rec = np.searchsorted(rstart, rows[0], side="right") - 1
    # -- the new texts: Z with each term's SEP replaced by the term's replacement, in code points
    z_sep = Zc == _SEP_CP
    z_new = np.arange(Zc.size, dtype=np.int64) + cum_extra[np.cumsum(z_sep) - z_sep]
    out_cp = np.empty(Zc.size + int(rep_len.sum()) - n_terms, dtype="<u4")
    z_keep = np.ones(Zc.size, dtype=bool)
    z_keep[sepZ[term_sep]] = False
    out_cp[z_new[z_keep]] = Zc[z_keep]
    if n_terms:
        rep_cp = _codepoints("".join(reps))
        rep_at = z_new[sepZ[term_sep]]
        first = np.cumsum(rep_len) - rep_len
        out_cp[np.repeat(rep_at - first, rep_len) + np.arange(rep_cp.size)] = rep_cp
    new_texts = _string(out_cp).split(SEP)
    if len(new_texts) != len(texts):
        return None
    rec_sep = sepZ[~is_term_sep]
    nstart = np.concatenate(([0], new_pos(rec_sep) + 1))
    rows[0] -= rstart[rec]
    rows[2] -= nstart[rec]
    ebounds = np.searchsorted(rec, np.arange(len(texts) + 1), side="left").tolist()
    # -- flags: ambiguous characters as one sorted list with per-record bounds, the rarer kinds per record
    extra_flags: dict[int, list[Flag]] = {}
    for r, f in ctx_flags:
        extra_flags.setdefault(r, []).append(f)
    weak = np.flatnonzero(np.array(n_simp) < cfg.min_signal_chars)  # all have n_simp > 0
    if weak.size:
        han = _per_record((cls & HAN).astype(bool), rstart[weak], lens[weak]).tolist()
        for r, h, n in zip(weak.tolist(), han, lens[weak].tolist(), strict=True):
            extra_flags.setdefault(r, []).append(
                _tnew(Flag, (0, n, "short" if h < cfg.min_han_chars else "weak_signal", ""))
            )
    amb_flags: list[Flag] = []
    fbounds = [0] * (len(texts) + 1)
    if cfg.flag_ambiguous and eng.amb is not None:
        covered = ~keep
        covered[A] = True
        if matcher.crossings and index.crossing[K].any():  # crossing entries (crossings.py) decide nothing
            bounds = np.zeros(nJ + 1, dtype=np.int32)
            dec = np.flatnonzero(~index.crossing[K])
            bounds[A[dec]] += 1
            bounds[B[dec]] -= 1
            covered = np.cumsum(bounds[:nJ]) > 0
        amb = np.flatnonzero((cls & AMB).astype(bool) & ~covered)
        if amb.size:
            amb_flags, fbounds = _ambiguous_flags(X, rstart, lens, amb, bool(eng.amb.astral))
    out: list[Result] = []
    append = out.append
    amb_t = tuple(amb_flags)  # a slice of it is the record's flags tuple
    batch_rows = EditRows(rows)
    for r, (text, new, s, lo, hi, flo, fhi) in enumerate(
        zip(texts, new_texts, n_simp, ebounds, ebounds[1:], fbounds, fbounds[1:])
    ):
        fl = amb_t[flo:fhi]
        if extra_flags and r in extra_flags:
            fl = tuple(sorted([*extra_flags[r], *fl], key=_flag_key))
        append(
            BatchResult(new, text, batch_rows, lo, hi, fl, s)
            if hi > lo
            else Result(
                text,
                "simplified",
                {"traditional": 0.0, "simplified": 1.0},
                (),
                fl,
                {"simplified_chars": s, "traditional_chars": 0, "converted_segments": 1},
            )
        )
    return out


_REASON_AMB = "ambiguous_chars"
#: punctuation classes per code point: END ends a sentence, CLOSE a closing quote after it (SENT_RE's
#: classes), STOP ends the sentence of a context-decided term (:meth:`curate.zh.normalise._Engine._by_context`)
END, CLOSE, STOP = 1, 2, 4
_PUNCT = np.zeros(0x110000, dtype=np.uint8)
for _chars, _bit in ((_SENT_END, END), (_CLOSERS, CLOSE), (_CTX_STOPS, STOP)):
    _PUNCT[[ord(c) for c in _chars]] |= _bit


def sentence_bounds(X: np.ndarray, rstart: np.ndarray, lens: np.ndarray, punct: np.ndarray | None = None) -> np.ndarray:
    """Sorted positions where a sentence of :data:`~curate.zh.normalise.SENT_RE` starts or ends, records joined.

    ``SENT_RE`` ends a sentence after a run of end punctuation and the closing quotes after it (and
    one line break right after those), or after a line break; each record's start and end bound it too.
    """
    n = X.size
    punct = _PUNCT[X] if punct is None else punct
    is_end = (punct & END).astype(bool)
    run_end = np.flatnonzero(is_end & ~np.append(is_end[1:], False)) + 1
    # first position at or after each run's end that is not a closing quote
    not_close = np.where(punct & CLOSE, n, np.arange(n))
    nxt = np.minimum.accumulate(not_close[::-1])[::-1]
    after = np.append(nxt, n)[run_end]
    after = after[np.append(X, 0)[after] != 10]  # a line break right there ends the sentence after it
    newline = np.flatnonzero(X == 10) + 1
    return np.unique(np.concatenate((after, newline, rstart, rstart + lens)))


def _ambiguous_flags(
    X: np.ndarray, rstart: np.ndarray, lens: np.ndarray, amb: np.ndarray, astral: bool
) -> tuple[list[Flag], list[int]]:
    """``ambiguous_chars`` flags of all records in record and offset order, and each record's bounds in that list.

    As :func:`curate.zh.normalise._ambiguous_flags`: one flag over a record of up to 200 characters, else
    one per sentence holding such characters; the characters once each, in order of first occurrence
    (a short record lists its BMP characters before its astral ones).
    """
    rec = np.searchsorted(rstart, amb, side="right") - 1
    r0, rlen = rstart[rec], lens[rec]
    short = rlen <= 200
    start, end = r0.copy(), r0 + rlen
    if not short.all():
        bounds = sentence_bounds(X, rstart, lens)
        at = np.searchsorted(bounds, amb[~short], side="right")
        start[~short] = bounds[at - 1]
        end[~short] = bounds[at]
    # one group per flag; each group's characters once, in order of first occurrence
    new_group = np.ones(amb.size, dtype=bool)
    new_group[1:] = start[1:] != start[:-1]
    group = np.cumsum(new_group) - 1
    cps = X[amb]
    order = np.lexsort((cps, group))  # by group, then character (stable: first occurrence first)
    dup = np.zeros(amb.size, dtype=bool)
    dup[order[1:]] = (group[order[1:]] == group[order[:-1]]) & (cps[order[1:]] == cps[order[:-1]])
    first = ~dup
    uniq = _string(cps[first])
    g_first = np.flatnonzero(new_group)
    g_uniq = np.searchsorted(group[first], np.arange(g_first.size + 1), side="left").tolist()
    chars = [uniq[lo:hi] for lo, hi in zip(g_uniq[:-1], g_uniq[1:], strict=True)]
    if astral:
        for i in np.flatnonzero(short[g_first]).tolist():
            cs = chars[i]
            if _ASTRAL.search(cs):
                chars[i] = "".join(c for c in cs if c < "\U00010000") + "".join(_ASTRAL.findall(cs))
    g_r0 = r0[g_first]
    flags = [
        _tnew(Flag, t)
        for t in zip(
            (start[g_first] - g_r0).tolist(),
            (end[g_first] - g_r0).tolist(),
            [_REASON_AMB] * g_first.size,
            chars,
            strict=True,
        )
    ]
    fbounds = np.searchsorted(rec[g_first], np.arange(rstart.size + 1), side="left").tolist()
    return flags, fbounds
