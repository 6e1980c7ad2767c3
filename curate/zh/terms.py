"""The maintained cross-strait terminology layer and the protected-term glossary.

Both live in ``schemas/zh/`` as reviewable tab-separated files, one entry per line with its
domain:

* ``terminology.tsv``: ``simplified<TAB>taiwan<TAB>domain<TAB>basis<TAB>note`` - established
  Taiwan usage that OpenCC's ``s2twp`` lacks (账户 -> 帳戶, 国债 -> 公債) and overrides where
  ``s2twp`` drifts meaning in this domain (窗口 stays 窗口, 程序 stays 程序); ``basis`` says where
  each entry comes from (see :data:`BASIS_KINDS`);
* ``context_terms.tsv``: ``simplified<TAB>default<TAB>in_context<TAB>domain<TAB>cues<TAB>basis<TAB>note`` -
  ambiguous pairs decided per sentence by cue words (数据 資料 / 數據, 程序 程序 / 程式, 通过 透過 / 通過);
  without a cue the default is kept and the sentence is flagged ``ambiguous_term``;
* ``protected.tsv``: ``term<TAB>domain<TAB>source<TAB>note`` - law, institution and product
  names that are never converted (``source`` = ``*`` or one source id for per-source
  additions); the Simplified spelling of each protected term maps to its canonical form;
* ``charmap.tsv``: ``from<TAB>to<TAB>note`` - Ministry of Education standard forms applied to
  OpenCC output only (賬 -> 帳, 佈 -> 布);
* ``surnames.toml``: surnames with one-to-many conversions (于, 范, 余 ...) and the titles
  after which they are kept as surnames (于先生, 范女士).

Matching is leftmost-longest: an Aho-Corasick automaton (``pyahocorasick``) finds every occurrence
and the leftmost, then longest, non-overlapping ones are kept - the same spans as the trie-shaped
regular expression kept as :attr:`TermMatcher.pattern` (the reference; ~3x slower on long text).
With a word list (:mod:`curate.zh.words`, jieba's dictionary), an occurrence of a terminology entry
that would split a longer word is no match (保理 in 确保理财, 期权 in 长期权益); protected words match
everywhere.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ahocorasick

from curate._optional import require
from curate.zh.charsets import script_sets
from curate.zh.words import splits_word
from provenance.errors import ConfigError

#: domains an entry may declare
DOMAINS = frozenset(
    {
        "banking",
        "finance",
        "securities",
        "insurance",
        "payments",
        "accounting",
        "tax",
        "it",
        "telecom",
        "admin",
        "law",
        "institution",
        "product",
        "daily",
        "transport",
        "food",
        "general",
        "person",
        "privacy",
        "contract",
        "banking_channel",
    }
)

#: where a terminology entry comes from: ``kind`` or ``kind:detail`` in the ``basis`` column
BASIS_KINDS: dict[str, str] = {
    "opencc": "OpenCC's own TWPhrases pair (Apache-2.0); listed because s2twp misses it in running text "
    "(its segmentation splits the word) or applies it in the wrong place",
    "moe": "Ministry of Education standard form (重編國語辭典修訂本, 常用國字標準字體表)",
    "law": "wording of a Taiwan statute or regulation; detail names it (law:個人資料保護法)",
    "reg": "terminology of a Taiwan regulator or market institution; detail names it "
    "(reg:FSC, reg:CBC, reg:TWSE, reg:TDCC, reg:JCIC, reg:TII)",
    "usage": "established Taiwan usage in this domain, hand-curated; detail names the field "
    "(usage:banking, usage:it, usage:daily)",
    "keep": "override that keeps the character-level form where s2twp's phrase table drifts meaning",
}


@dataclass(frozen=True, slots=True)
class Term:
    """One terminology entry: Simplified source -> Taiwan Traditional target."""

    source: str
    target: str
    domain: str
    note: str = ""
    #: where the entry comes from (``kind`` or ``kind:detail``, kinds in :data:`BASIS_KINDS`)
    basis: str = ""


@dataclass(frozen=True, slots=True)
class Protected:
    """One protected term, kept verbatim wherever it occurs."""

    term: str
    domain: str
    source_id: str = "*"
    note: str = ""


def _schema_text(name: str) -> str:
    return importlib.resources.files("schemas").joinpath("zh", name).read_text(encoding="utf-8")


def _rows(name: str, text: str, ncols: int) -> Iterable[tuple[int, list[str]]]:
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < ncols or not all(c.strip() for c in cols[:ncols]):
            raise ConfigError(
                f"schemas/zh/{name} line {n}: expected {ncols} tab-separated non-empty columns, got {line!r}"
            )
        yield n, [c.strip() for c in cols]


def _check_domain(name: str, n: int, domain: str) -> None:
    if domain not in DOMAINS:
        raise ConfigError(f"schemas/zh/{name} line {n}: unknown domain {domain!r}; valid: {', '.join(sorted(DOMAINS))}")


def _check_basis(name: str, n: int, basis: str) -> None:
    kind, _, detail = basis.partition(":")
    if kind not in BASIS_KINDS or (kind in {"law", "reg", "usage"} and not detail.strip()):
        raise ConfigError(
            f"schemas/zh/{name} line {n}: basis {basis!r} must be one of {', '.join(BASIS_KINDS)}"
            " (law, reg and usage need a detail: law:民法); say where the entry comes from"
        )


def parse_terminology(text: str, name: str = "terminology.tsv") -> tuple[Term, ...]:
    """Parse terminology rows; duplicates, unknown domains and a missing basis are errors."""
    seen: dict[str, int] = {}
    out = []
    for n, cols in _rows(name, text, 4):
        _check_domain(name, n, cols[2])
        _check_basis(name, n, cols[3])
        if cols[0] in seen:
            raise ConfigError(f"schemas/zh/{name} line {n}: {cols[0]!r} already on line {seen[cols[0]]}")
        seen[cols[0]] = n
        out.append(Term(cols[0], cols[1], cols[2], cols[4] if len(cols) > 4 else "", cols[3]))
    return tuple(out)


def parse_protected(text: str, name: str = "protected.tsv") -> tuple[Protected, ...]:
    """Parse protected-term rows."""
    out = []
    for n, cols in _rows(name, text, 3):
        _check_domain(name, n, cols[1])
        out.append(Protected(cols[0], cols[1], cols[2], cols[3] if len(cols) > 3 else ""))
    return tuple(out)


@functools.cache
def terminology() -> tuple[Term, ...]:
    """The shipped terminology dictionary."""
    return parse_terminology(_schema_text("terminology.tsv"))


@dataclass(frozen=True, slots=True)
class ContextTerm:
    """An ambiguous pair: ``default`` unless a cue word of the other sense is in the sentence."""

    source: str
    default: str
    in_context: str
    domain: str
    cues: tuple[str, ...]
    note: str = ""
    basis: str = ""


def parse_context_terms(text: str, name: str = "context_terms.tsv") -> tuple[ContextTerm, ...]:
    """Parse context-term rows (cue words comma-separated; basis as in terminology.tsv)."""
    out, seen = [], set()
    for n, cols in _rows(name, text, 6):
        _check_domain(name, n, cols[3])
        _check_basis(name, n, cols[5])
        if cols[0] in seen:
            raise ConfigError(f"schemas/zh/{name} line {n}: {cols[0]!r} listed twice")
        seen.add(cols[0])
        cues = tuple(c.strip() for c in cols[4].split(",") if c.strip())
        out.append(ContextTerm(cols[0], cols[1], cols[2], cols[3], cues, cols[6] if len(cols) > 6 else "", cols[5]))
    return tuple(out)


@functools.cache
def context_terms() -> tuple[ContextTerm, ...]:
    """The shipped context-decided pairs (``schemas/zh/context_terms.tsv``)."""
    return parse_context_terms(_schema_text("context_terms.tsv"))


@functools.cache
def protected_terms() -> tuple[Protected, ...]:
    """The shipped protected-term glossary."""
    return parse_protected(_schema_text("protected.tsv"))


@functools.cache
def charmap() -> dict[int, str]:
    """Taiwan standard-form character map applied to OpenCC output."""
    table: dict[int, str] = {}
    for n, cols in _rows("charmap.tsv", _schema_text("charmap.tsv"), 2):
        if len(cols[0]) != 1 or len(cols[1]) != 1:
            raise ConfigError(f"schemas/zh/charmap.tsv line {n}: single characters expected")
        table[ord(cols[0])] = cols[1]
    return table


@dataclass(frozen=True, slots=True)
class SurnameTable:
    """``schemas/zh/surnames.toml``: surnames OpenCC converts one-to-many (Simplified -> the Taiwan surname form),
    the titles after a name and the prefixes (姓) before a surname."""

    surnames: dict[str, str]
    titles: tuple[str, ...]
    prefixes: tuple[str, ...]


@functools.cache
def surname_table() -> SurnameTable:
    """The surname table, read once per process: its one owner (:func:`surname_terms`, :mod:`curate.zh.surnames`)."""
    data = tomllib.loads(_schema_text("surnames.toml"))
    return SurnameTable(dict(data["surnames"]), tuple(data["titles"]), tuple(data.get("prefixes", [])))


@functools.cache
def surname_terms() -> tuple[Term, ...]:
    """Surname + title combinations (于先生 -> 于先生, 钟女士 -> 鍾女士) from surnames.toml."""
    opencc = require("opencc", extra="zh", purpose="surname terms")
    s2tw = opencc.OpenCC("s2tw").convert
    table = surname_table()
    out = []
    for simp, trad in table.surnames.items():
        for title in table.titles:
            out.append(Term(simp + title, trad + s2tw(title), "person", "surname before title"))
        for prefix in table.prefixes:
            out.append(Term(prefix + simp, prefix + trad, "person", "after 姓"))
    return tuple(out)


def _trie_pattern(words: Iterable[str]) -> str:
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if end else body

    return build(trie)


@dataclass(frozen=True)
class TermMatcher:
    """Longest-match lookup of terminology and protected terms in a Simplified segment."""

    pattern: re.Pattern[str] | None
    #: matched text -> (replacement, kind) where kind is "term" or "protected"
    table: Mapping[str, tuple[str, str]]
    #: Aho-Corasick automaton over the table's keys (value: key length)
    automaton: Any = None
    #: keys that must not split a word of :attr:`words`: the terminology entries that change the word (网上 ->
    #: 網路上); not protected words, nor entries that only fix the spelling (账户 -> 帳戶, 金发 -> 金發 read back as
    #: their key, and pin a character-level conversion against an OpenCC phrase), unless the entry gives a one-to-many
    #: character another reading than it takes alone (尽快 -> 儘快: not in 耗尽|快要)
    guarded: frozenset[str] = frozenset()
    #: dictionary words (:func:`curate.zh.words.dictionary_words`); None: no word boundaries
    words: Mapping[str, float] | None = None
    #: guarded key -> the Simplified text its Taiwan form adds before and after it (话费 -> 電話費: 电, "")
    spelled_out: Mapping[str, tuple[str, str]] | None = None
    #: guarded key -> its Taiwan form read back as Simplified (险产品 -> 險商品 -> 险商品)
    readback: Mapping[str, str] | None = None
    #: Simplified text -> its Taiwan standard characters (s2tw and the MOE forms: 应收账款 -> 應收帳款), to compare
    #: the text beside a rewording with its replacement; None: no such check
    fold: Any = None
    #: entries of :mod:`curate.zh.crossings`: no match unless ``across(text, a, b, lo, hi)`` says an OpenCC phrase
    #: crosses their edge there (elsewhere OpenCC converts them as the entry would)
    crossings: frozenset[str] = frozenset()
    across: Any = None

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """``(start, end)`` of the leftmost-longest non-overlapping matches in ``text[start:end]``.

        An occurrence of a guarded key that would split a word inside ``text[start:end]`` is no match.
        Without :attr:`words`: the same spans as ``pattern.finditer(text, start, end)``.
        """
        if self.automaton is None:
            return []
        end = len(text) if end is None else end
        # over a slice: iter(text, start, end) reads the whole text on each call (a 1 MB record cut in thousands of
        # targets by its names and book titles, curate.zh.surnames.split_targets, took seconds)
        first = start + 1
        hits = sorted([(e - n + first, -n) for e, n in self.automaton.iter(text[start:end])]) if end > start else []
        out = []
        pos = start
        check = self.words is not None
        for a, neg in hits:
            if a >= pos and not (check and self.splits(text, a, a - neg, start, end)):
                pos = a - neg
                out.append((a, pos))
        return out

    def splits(self, text: str, a: int, b: int, lo: int, hi: int) -> bool:
        """Whether ``text[a:b]`` is a guarded key that must not fire there (inside ``text[lo:hi]``).

        It must not where its replacement would split a word (保理 in 确保|理财), or where the text
        already has what its Taiwan form spells out (话费 -> 電話費 in 电话费).
        """
        key = text[a:b]
        if key not in self.guarded:
            return False
        if key in self.crossings and not self.across(text, a, b, lo, hi):
            return True
        if self.spelled_out and key in self.spelled_out:
            before, after = self.spelled_out[key]
            if (before and text[max(lo, a - len(before)) : a] == before) or (
                after and text[b : min(hi, b + len(after))] == after
            ):
                return True
        back = self.readback[key] if self.readback else ""
        if (
            self.fold is not None
            and back
            and key not in back
            and _echoes(text, a, b, lo, hi, self.table[key][0], self.fold)
        ):
            return True
        return splits_word(text, a, b, lo, hi, self.words, back)

    def split(self, text: str) -> Iterable[tuple[int, str, str | None, str]]:
        """Yield ``(offset, piece, replacement_or_None, kind)`` covering ``text``."""
        pos = 0
        for a, b in self.find(text):
            if a > pos:
                yield pos, text[pos:a], None, ""
            rep, kind = self.table[text[a:b]]
            yield a, text[a:b], rep, kind
            pos = b
        if pos < len(text):
            yield pos, text[pos:], None, ""


def build_matcher(
    terms: Iterable[Term],
    protected: Iterable[str],
    to_simplified,
    words: Mapping[str, float] | None = None,
    fold: Any = None,
    convert: Any = None,
    crossings: frozenset[str] = frozenset(),
    across: Any = None,
) -> TermMatcher:
    """Combine terms and protected words; a protected word's Simplified spelling maps to it.

    ``to_simplified`` converts a Traditional string to Simplified (OpenCC ``tw2s``). ``words``: the
    dictionary words a term's match must not split (:func:`curate.zh.words.dictionary_words`). ``fold``:
    see :attr:`TermMatcher.fold`. ``convert``: the configured profile's conversion (s2twp), what OpenCC gives
    where an entry does not fire. ``crossings``: entries that fire only where ``across(text, a, b, lo, hi)`` (an
    OpenCC phrase crosses their edge) and they split no word (the generated list of :mod:`curate.zh.crossings`).
    """
    table: dict[str, tuple[str, str]] = {}
    for t in terms:
        table[t.source] = (t.target, "term")
    protected_simp: set[str] = set()
    for word in protected:
        if not word:
            continue
        simp = to_simplified(word)
        if simp != word:
            table[simp] = (word, "term")
            protected_simp.add(simp)
        table[word] = (word, "protected")
    if not table:
        return TermMatcher(None, {})
    automaton = ahocorasick.Automaton()
    for key in table:
        automaton.add_word(key, len(key))
    automaton.make_automaton()
    readback = {
        k: back
        for k, (rep, kind) in table.items()
        if kind == "term" and k not in protected_simp and (back := to_simplified(rep)) != k
    }
    if fold is not None:
        # entries right only as a whole word: never matched across jieba's word boundaries
        ambiguous = script_sets().ambiguous
        for k, (rep, kind) in table.items():
            if kind != "term" or k in protected_simp or k in readback:
                continue
            # an entry that gives a one-to-many character another reading than it takes alone (尽快 -> 儘快, 尽 alone:
            # 盡) is right only as that word: inside another (耗尽|管理层, 耗尽|快要) it would give 耗儘 (review 10)
            reads_otherwise = len(rep) == len(k) and rep != "".join(fold(c) for c in k)
            # an entry holding a one-to-many character that says what character-level conversion says of it as a word
            # (后台 -> 後臺) pins nothing, but as a spelling-only entry it fired across jieba's words and hid the word
            # beside it from OpenCC (以后|台风 gave 以後臺風 for 以後颱風, round 11); one that overrides OpenCC's phrase
            # (金发 -> 金發, not 金髮, for 基金发行) still fires everywhere, and so does one that overrides the profile's
            # phrase (对象 -> 對象, not s2twp's 物件: 反对|象牙 gave 反物件牙, 邮局|部分 郵區域性分, review of round 11)
            pins_nothing = any(c in ambiguous for c in k) and rep == fold(k) and (convert is None or rep == convert(k))
            if reads_otherwise or pins_nothing:
                readback[k] = k
    crossings = frozenset(k for k in crossings if table.get(k, ("", ""))[1] == "term")  # not protected words
    for k in crossings:
        readback.setdefault(k, k)
    spelled = {k: parts for k, back in readback.items() if (parts := _spelled_out(k, back))}
    return TermMatcher(
        re.compile(_trie_pattern(table)),
        table,
        automaton,
        frozenset(readback),
        words,
        spelled,
        readback,
        fold,
        crossings,
        across,
    )


def _echoes(text: str, a: int, b: int, lo: int, hi: int, rep: str, fold: Any) -> bool:
    """Whether the text beside a rewording (a key its Taiwan form ``rep`` does not contain) already says two or more of
    ``rep``'s first or last characters: 保理 -> 應收帳款承購 after 应收账款 would say 應收帳款 twice."""
    n = len(rep)
    before = fold(text[max(lo, a - n) : a]) if a > lo else ""
    after = fold(text[b : min(hi, b + n)]) if b < hi else ""
    return any(before.endswith(rep[:k]) or after.startswith(rep[-k:]) for k in range(2, n))


def _spelled_out(key: str, target_simplified: str) -> tuple[str, str] | None:
    """What a target adds around its key, both in Simplified (话费, 电话费 -> ("电", "")), or None."""
    at = target_simplified.find(key)
    if at < 0 or target_simplified == key:
        return None
    return target_simplified[:at], target_simplified[at + len(key) :]


def spelling_fixes(matcher: TermMatcher, fold, skip: frozenset[str] = frozenset()) -> frozenset[str]:
    """The entries that only pick another character than an OpenCC phrase does, each character as it reads alone
    (别着 -> 別著 against STPhrases' 彆著, 钟太太 -> 鍾太太, 金发 -> 金發): ``fold`` (s2tw with the MOE forms) reads
    the key otherwise as a whole than character by character. ``skip``: keys left out (the generated crossings)."""
    return frozenset(
        k
        for k, (rep, kind) in matcher.table.items()
        if kind == "term" and k not in skip and len(rep) == len(k) and rep == "".join(map(fold, k)) != fold(k)
    )


def respell(matcher: TermMatcher, keys: frozenset[str], simp: str, conv: str) -> str:
    """``conv`` (s2tw's characters for the Simplified clause ``simp``, as long) with the characters of the entries
    ``keys`` (:func:`spelling_fixes`) where ``matcher`` matches them in ``simp``: a typo's characters in a Traditional
    clause follow them as the converted clauses do (请别着急 beside a Traditional clause: 請別著急, not 請彆著急)."""
    if not any(k in simp for k in keys):
        return conv
    for a, b in matcher.find(simp):
        if simp[a:b] in keys:
            conv = conv[:a] + matcher.table[simp[a:b]][0] + conv[b:]
    return conv
