"""The fast paths of curate.zh (Aho-Corasick term scan, in-place diff) equal the reference paths."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.zh.config import NormaliseConfig
from curate.zh.normalise import Edit, _diff_in_place, _engine
from curate.zh.terms import build_matcher

ENGINE = _engine(NormaliseConfig())
KEYS = sorted(ENGINE.matcher.table)


@pytest.fixture(autouse=True, scope="module")
def _vectorise_small_batches():
    """Small batches take the record path by default; here they take the vectorised one (that is what is tested)."""
    import curate.zh.batch as batch

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(batch, "SMALL_RECORDS", 0)
        yield


@pytest.fixture(autouse=True, scope="module")
def _reference_with_todays_matcher_rules():
    """The frozen reference builds its term matcher with today's ``build_matcher`` but predates its ``fold`` (the
    rule that a rewording does not repeat the text beside it: 用户客户端 stays 用戶客戶端, not 用戶用戶端); it gets the
    same rule, and round 12's crossing entries (curate/zh/crossings.py), so that what is compared is the batch path,
    not the matcher's rules."""
    import functools

    import zh_reference_normalise as ref

    from curate.zh.crossings import NOTE

    eng = _engine(NormaliseConfig())
    rules = {
        "fold": eng._fold,
        "convert": eng._profile,
        "crossings": eng.matcher.crossings,
        "across": eng.matcher.across,
    }
    init, convert_targets = ref._Engine.__init__, ref._Engine.convert_targets

    def with_crossing_terms(self, config):  # the engine's generated entries for this configuration, last
        init(self, config)
        self.terms += tuple(t for t in _engine(config).terms if t.note == NOTE)
        crossings = _engine(config).matcher.crossings
        self.matcher = ref.build_matcher(
            self.terms, self.base_protected, self.to_simp.convert, self.words, crossings=crossings
        )

    def deciding_no_crossing(self, text, targets, matcher, edits, decided, flags=None, fixed=None):
        got: list[tuple[int, int]] = []  # a crossing entry decides no ambiguous character (its flags stay)
        out = convert_targets(self, text, targets, matcher, edits, got, flags, fixed)
        decided.extend((a, b) for a, b in got if text[a:b] not in matcher.crossings)
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ref, "build_matcher", functools.partial(build_matcher, **rules))
        mp.setattr(ref._Engine, "__init__", with_crossing_terms)
        mp.setattr(ref._Engine, "convert_targets", deciding_no_crossing)
        ref._engine.cache_clear()
        yield
    ref._engine.cache_clear()


def _fragments() -> st.SearchStrategy[str]:
    """Dictionary keys, their prefixes and suffixes, and other characters (astral ones too)."""
    key = st.sampled_from(KEYS)
    return st.one_of(
        key,
        key.map(lambda k: k[: max(1, len(k) - 1)]),
        key.map(lambda k: k[1:] or k),
        st.sampled_from(["的", "。", "\n", "银", "行", "账", "𠀀", "a", " ", "证券"]),
    )


mixed = st.lists(_fragments(), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=mixed, data=st.data())
def test_find_equals_regex_reference(text: str, data) -> None:
    m = dataclasses.replace(ENGINE.matcher, words=None)  # without word boundaries (tests/zh/test_word_boundaries.py)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    ref = [x.span() for x in m.pattern.finditer(text, start, end)]
    assert m.find(text, start, end) == ref
    assert m.find(text) == [x.span() for x in m.pattern.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.text(alphabet="abc𠀀", min_size=1, max_size=4), max_size=8),
    text=st.text(alphabet="abcd𠀀", max_size=40),
)
def test_find_equals_regex_on_small_alphabets(words: list[str], text: str) -> None:
    """Overlapping and nested keys, where a plain "longest" Aho-Corasick scan goes wrong."""
    m = build_matcher([], words, lambda s: s)
    if m.pattern is None:
        assert m.find(text) == []
        return
    assert m.find(text) == [x.span() for x in m.pattern.finditer(text)]


def _reference_diff(pairs: list[tuple[int, str, str]], edits: list[Edit]) -> None:
    """The previous equal-length diff (pieces concatenated; per piece below four pieces)."""
    if not pairs:
        return
    if len(pairs) < 4:
        for off, before, after in pairs:
            for i in range(len(before)):
                if before[i] != after[i] and (i == 0 or before[i - 1] == after[i - 1]):
                    j = i
                    while j < len(before) and before[j] != after[j]:
                        j += 1
                    edits.append(Edit(off + i, before[i:j], after[i:j]))
        return
    before = "".join(p[1] for p in pairs)
    after = "".join(p[2] for p in pairs)
    lens = np.array([len(p[1]) for p in pairs], dtype=np.int64)
    cum = np.concatenate(([0], np.cumsum(lens)[:-1]))
    offs = np.array([p[0] for p in pairs], dtype=np.int64)
    a = np.frombuffer(before.encode("utf-32-le"), dtype="<u4")
    b = np.frombuffer(after.encode("utf-32-le"), dtype="<u4")
    idx = np.flatnonzero(a != b)
    if not idx.size:
        return
    piece = np.searchsorted(cum, idx, side="right") - 1
    orig = offs[piece] + (idx - cum[piece])
    breaks = np.flatnonzero((np.diff(orig) != 1) | (np.diff(idx) != 1))
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [idx.size - 1]))
    edits.extend(
        Edit(o, before[cs:ce], after[cs:ce])
        for o, cs, ce in zip(orig[starts].tolist(), idx[starts].tolist(), (idx[ends] + 1).tolist(), strict=True)
    )


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet="ab。”“𠀀", min_size=1, max_size=60),
    cuts=st.lists(st.integers(0, 60), max_size=14),
    data=st.data(),
)
def test_in_place_diff_equals_reference(text: str, cuts: list[int], data) -> None:
    bounds = sorted({c for c in cuts if c <= len(text)} | {0, len(text)})
    pairs = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        if data.draw(st.booleans()):  # a converted piece (abutting pieces included), else a gap
            after = data.draw(st.text(alphabet="ab。「」𠀀", min_size=b - a, max_size=b - a))
            if after != text[a:b]:
                pairs.append((a, text[a:b], after))
    new: list[Edit] = []
    ref: list[Edit] = []
    _diff_in_place(text, pairs, new)
    _reference_diff(pairs, ref)
    assert new == ref


@pytest.mark.parametrize("protected", [(), ("余额", "张三")])
def test_normalise_terms_through_fast_scan(protected) -> None:
    from curate.zh import normalise

    r = normalise("账户余额不足，请联系客户经理张三。", protected=protected)
    for e in r.edits:
        assert r.text  # edits point into the input
        assert "账户余额不足，请联系客户经理张三。"[e.offset : e.offset + len(e.before)] == e.before


def _reference_ambiguous(eng, text, targets, decided):
    """The previous per-character ambiguous-flag scan."""
    import bisect

    from curate.zh.normalise import SENT_RE, Flag

    covered = bytearray(len(text)) if decided else b""
    for a, b in decided:
        covered[a:b] = b"\x01" * (b - a)
    flags = []
    for ta, tb, _s in targets:
        seg = text[ta:tb]
        hits = [(p, c) for p, c in eng.amb.positions(seg) if not (covered and covered[ta + p])]
        if not hits:
            continue
        if len(seg) <= 200:
            flags.append(Flag(ta, tb, "ambiguous_chars", "".join(dict.fromkeys(c for _, c in hits))))
            continue
        spans = [m.span() for m in SENT_RE.finditer(seg) if m.end() > m.start()]
        starts = [a for a, _ in spans]
        grouped: dict = {}
        for p, c in sorted(hits):
            grouped.setdefault(bisect.bisect_right(starts, p) - 1, {})[c] = None
        for i, chars in sorted(grouped.items()):
            a, b = spans[i]
            flags.append(Flag(ta + a, ta + b, "ambiguous_chars", "".join(chars)))
    return flags


AMB = sorted(ENGINE.amb.bmp.pattern[1:-1].replace("\\", "")) if ENGINE.amb is not None else []


@pytest.mark.skipif(not AMB, reason="no one-to-many characters in the shipped tables")
@settings(max_examples=200, deadline=None)
@given(
    parts=st.lists(
        st.one_of(_fragments(), st.sampled_from(AMB[:40] or ["的"]), st.sampled_from(["。", "！", "\n", "”"])),
        min_size=20,
        max_size=160,
    ),
    data=st.data(),
)
def test_ambiguous_flags_equal_reference(parts: list[str], data) -> None:
    from curate.zh.normalise import _ambiguous_flags

    text = "".join(parts)
    cuts = sorted(set(data.draw(st.lists(st.integers(0, len(text)), max_size=4))) | {0, len(text)})
    targets = [(a, b, 1) for a, b in zip(cuts, cuts[1:], strict=False)]
    decided = [span for a, b, _ in targets for span in ENGINE.matcher.find(text, a, b)]
    assert _ambiguous_flags(ENGINE, text, targets, decided) == _reference_ambiguous(ENGINE, text, targets, decided)


# -- the batch path (normalise_many) and normalise() against the previous implementation ----------------------
import json  # noqa: E402
import os  # noqa: E402
from pathlib import Path  # noqa: E402

import zh_reference_normalise as reference  # noqa: E402  (tests/helpers: frozen copy of the code before the batch path)

from curate.zh import normalise, normalise_many  # noqa: E402
from curate.zh.batch import SEP  # noqa: E402

_DEV = (
    Path(os.environ.get("CURATE_SHARED", Path(__file__).resolve().parents[3] / "shared")) / "eval-dev" / "zh_dev.jsonl"
)
DEV_TEXTS = (
    [json.loads(x)["text"] for x in _DEV.read_text(encoding="utf-8").splitlines() if x.strip()] if _DEV.exists() else []
)
SNIPPETS = [
    *DEV_TEXTS,
    "账户余额不足，请联系客户经理张三。",
    "用户名和密码",
    "文件已保存到服务器，请下载文件。",
    "于必要时，范先生与余女士",
    "发了。",
    "本行依銀行法辦理。\n详细信息请登录官方网站查询。",
    "姓范的余先生在里長辦公室。",
    "𠀀这是测试𠀾。",
    "\r\n",
    "",
    "ABC 123",
]


def _lexical(text: str) -> bool:
    """Neutral text (neither script's characters) holding a mainland-only word, which the reference leaves."""
    from curate.zh.evidence import evidence_chars

    eng = _engine(NormaliseConfig())
    return not eng.simp.count(text) and not eng.trad.count(text) and evidence_chars(text) > 0


def _word_extended(text: str) -> bool:
    """A Traditional clause whose Simplified typo's word is converted whole (review 10: 余额 in 余额保險人 -> 餘額),
    where the reference converted the Simplified-only character alone."""
    from curate.zh.normalise import SENT_RE, _mixed_targets, _spans

    cfg = NormaliseConfig()
    eng = _engine(cfg)
    for a, b in _spans(SENT_RE, text):
        sent = text[a:b]
        if eng.simp.count(sent) and eng.trad.count(sent):
            typos = {p for p, _c in eng.simp.positions(sent)}
            if {ta for ta, _tb, s in _mixed_targets(eng, sent, 0, cfg, {}) if s == 0} - typos:
                return True
    return False


def _named(text: str) -> bool:
    """A surname starting a name without a title (review 14, curate/zh/surnames.py: 范德维 -> 范德維) or a book title
    (curate/zh/titles.py), which the reference converted as any other word."""
    from curate.zh.surnames import surname_positions

    return "《" in text or "〈" in text or bool(surname_positions(text))


def _same(new, old) -> None:
    assert new.text == old.text
    assert (new.script, new.shares, new.counts) == (old.script, old.shares, old.counts)
    assert new.edits == old.edits
    assert new.flags == old.flags
    assert new.changed == old.changed
    assert new.edits_json() == old.edits_json()
    if not old.edits:
        assert new.text is old.text or new.text == old.text


def _record() -> st.SearchStrategy[str]:
    """A record: dev texts and fragments spliced (sentences, long documents, both scripts)."""
    part = st.one_of(st.sampled_from(SNIPPETS), _fragments(), st.sampled_from(["。", "\n", "，", "」", "用户", "软件"]))
    return st.lists(part, max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_record(), max_size=12), data=st.data())
def test_normalise_many_equals_previous_implementation(texts: list[str], data) -> None:
    words = data.draw(st.lists(st.sampled_from(["余额", "张三", "客户经理", "银行", "文件"]), max_size=2))
    _equals_previous(texts, [tuple(words) if i % 2 else () for i in range(len(texts))])


@pytest.mark.parametrize("text", ["范德维", "《反洗钱法》第三条"])
def test_names_and_titles_follow_normalise_not_the_reference(text) -> None:
    """Drawn by the property test above (review 14): the reference reads 範德維 and 《防制洗錢法》."""
    _equals_previous([text, text], [(), ("余额",)])


def _equals_previous(texts: list[str], protected: list[tuple[str, ...]]) -> None:
    many = normalise_many(texts, protected=protected)
    assert len(many) == len(texts)
    for text, p, got in zip(texts, protected, many, strict=True):
        old = reference.normalise(text, protected=p)
        if _lexical(text) or _word_extended(text) or _named(text):  # rules added since (evidence.py 2026-12-05;
            old = normalise(text, protected=p)  # words_holding, review 10; names and titles, review 14): the reference
        _same(got, old)
        _same(normalise(text, protected=p), old)


def test_normalise_many_on_dev_documents_equals_previous_implementation() -> None:
    simp = [t for t in DEV_TEXTS if not reference._engine(NormaliseConfig()).trad.count(t)]
    docs = ["\n".join(simp[i : i + 40]) for i in range(0, len(simp), 7)] + ["".join(simp)] + simp
    for text, got in zip(docs, normalise_many(docs), strict=True):
        _same(got, reference.normalise(text))


@pytest.mark.parametrize(
    "config",
    [NormaliseConfig(opencc_config="s2tw"), NormaliseConfig(terminology=False), NormaliseConfig(flag_ambiguous=False)],
    ids=["s2tw", "no-terms", "no-ambiguous-flags"],
)
def test_normalise_many_with_other_configs(config) -> None:
    docs = [*SNIPPETS, "\n".join(SNIPPETS)]
    for text, got in zip(docs, normalise_many(docs, config), strict=True):
        _same(got, reference.normalise(text, config))


def test_normalise_many_edge_cases() -> None:
    assert normalise_many([]) == []
    texts = ["账户" + SEP + "余额", "账户余额", "", "帳戶"]  # a record holding the separator: one by one
    for text, got in zip(texts, normalise_many(texts), strict=True):
        _same(got, reference.normalise(text))
    with pytest.raises(ValueError, match="protected"):
        normalise_many(["a", "b"], protected=[()])


def test_result_edits_are_read_lazily_and_results_are_immutable() -> None:
    text = "网络银行的转账限额为每日二百万元。用户可以下载软件。"
    (lazy,) = normalise_many([text])
    eager = normalise(text)
    assert lazy.n_edits == len(lazy.edits) == len(eager.edits) > 0
    for r in (lazy, eager):  # the ledger's columns, from positions or from Edit tuples
        cols = r.edits_columns()
        assert cols == {k: [getattr(e, k) for e in eager.edits] for k in ("offset", "before", "after", "by")}
        bare = r.edits_columns(text=False)
        assert set(bare) == {"offset", "before_chars", "after_chars", "by"}
        assert bare["before_chars"] == [len(e.before) for e in eager.edits]
        assert bare["after_chars"] == [len(e.after) for e in eager.edits]
    assert normalise_many([text])[0].edits_columns() == eager.edits_columns()  # before the edits were read
    with pytest.raises(AttributeError):
        lazy.text = "x"  # type: ignore[misc]


@settings(max_examples=400, deadline=None)
@given(texts=st.lists(st.text(alphabet='ab。！?；」』”"）\n 𠀀', max_size=30), min_size=1, max_size=5))
def test_sentence_bounds_equal_the_sentence_regex(texts: list[str]) -> None:
    """The vectorised sentence boundaries of the batch path are SENT_RE's sentences, record by record."""
    from curate.zh.batch import _bounds, _codepoints, sentence_bounds
    from curate.zh.normalise import SENT_RE

    starts, lens = _bounds(texts)
    got = sentence_bounds(_codepoints(SEP.join(texts)), starts, lens).tolist()
    want = set()
    for off, text in zip(starts.tolist(), texts, strict=True):
        want |= {off, off + len(text)}
        want |= {off + x for m in SENT_RE.finditer(text) if m.end() > m.start() for x in m.span()}
    assert got == sorted(want)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.text(alphabet="abc𠀀", min_size=1, max_size=4), max_size=8),
    text=st.text(alphabet="abcd𠀀", max_size=40),
    real=mixed,
)
def test_batch_term_scan_equals_find(words: list[str], text: str, real: str) -> None:
    from curate.zh.scan import TermIndex, find_terms

    for m, t in ((build_matcher([], words, lambda s: s), text), (ENGINE.matcher, real)):
        index = TermIndex(m, {})
        a, b, k = find_terms(index, t)
        assert list(zip(a.tolist(), b.tolist(), strict=True)) == m.find(t)
        assert [index.keys[i] for i in k.tolist()] == [t[x:y] for x, y in m.find(t)]


@settings(max_examples=1500, deadline=None)
@given(
    a=st.one_of(st.text(alphabet="abc", max_size=25), st.text(alphabet="用户使者后後里裡的。\n", max_size=40)),
    b=st.one_of(st.text(alphabet="abc", max_size=25), st.text(alphabet="用户使者后後里裡的。\n", max_size=40)),
)
def test_changed_spans_equal_difflib(a: str, b: str) -> None:
    import difflib

    from curate.zh.normalise import changed_spans

    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    assert changed_spans(a, b) == [(i1, i2, j1, j2) for op, i1, i2, j1, j2 in sm.get_opcodes() if op != "equal"]


def test_normalise_many_cuts_large_batches_and_leaves_huge_records_to_the_record_path(monkeypatch) -> None:
    """Memory stays bounded: batches are cut by characters, a record above the cap is converted on its own."""
    import curate.zh.batch as batch

    calls: list[int] = []
    real = batch._convert_simplified

    def spy(eng, cfg, matcher, texts, n_simp):
        calls.append(sum(map(len, texts)) + len(texts) - 1)
        return real(eng, cfg, matcher, texts, n_simp)

    monkeypatch.setattr(batch, "MAX_BATCH_CHARS", 400)
    monkeypatch.setattr(batch, "_convert_simplified", spy)
    simp = [t for t in DEV_TEXTS if not reference._engine(NormaliseConfig()).trad.count(t)][:60]
    if not simp:
        pytest.skip(f"dev set not found at {_DEV} (set CURATE_SHARED)")
    texts = [*simp, "\n".join(simp)]  # the last one is over the cap
    for text, got in zip(texts, normalise_many(texts), strict=True):
        _same(got, reference.normalise(text))
    assert len(calls) > 1 and max(calls) <= 400 + max(map(len, simp))
    assert len("\n".join(simp)) not in calls
