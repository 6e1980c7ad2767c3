"""Names in running text without a name slot, read off the word segmentation (review 11).

The slot recognizer (:mod:`curate.pii.names`) needs a role word, an introducer or a separator before a name, or
an honorific after it. Bank text names people after many other words: a department (法遵部尤詩涵), a title that is
no role word (主管鄭凱文), a verb (感謝宋凱翔協助, 擬同意袁志清申請, 查詢柯欣妤之存款). Such a name is an unknown
word: jieba's dictionary route over the text around it (:func:`curate.lexicon.route`, read in Simplified) splits
it into single characters or a given-name word (鄭|凱文), with a word edge before the surname and after the given
name, while a word that starts with a surname character is one word (王道, 林業, 成功, 周轉, 黃金價格, 瓜田李下).

A candidate is an ordinary surname (``names.toml single_surnames`` or a compound one; not a word-like surname such
as 和, 成, 時) and one or two given-name characters (none of ``non_given`` or ``stop_after``) that
together read as a given name: their summed scores (``schemas/pii/given_chars.tsv``) reach ``names.toml
[segmented] min_given_two`` (two characters) or ``min_given_one`` (one). It is kept when the route has a word
edge at both its ends, no word of the route crosses either end, and the surname with its first given character is
no dictionary word of the route. Its score is the slot recognizer's weak one: a slot or honorific found by that
recognizer on the same characters wins.
"""

from __future__ import annotations

import re
from functools import lru_cache

from curate.pii.base import EntityRecognizer, RecognizerResult
from curate.pii.given_names import given_ok
from curate.pii.names import _W, _tables, given_char_scores, married_name_end
from curate.pii.text import is_han

#: the summed given-name score a two-character (one-character) given name needs without any slot
MIN_GIVEN_TWO: float = float(_W["segmented"]["min_given_two"])
MIN_GIVEN_ONE: float = float(_W["segmented"]["min_given_one"])
#: characters of the route read either side of a candidate
WINDOW = 8


@lru_cache(maxsize=1)
def _setup():
    """The surname tables. jieba's dictionary (about 45 MB per process) is read by :func:`_route` on first use, not
    here: a worker whose text holds no candidate (law texts) never loads it."""
    from curate.lexicon import to_simplified

    singles, compounds, not_names, non_given, words = _tables()
    ordinary = frozenset(singles - words)
    return to_simplified(), None, ordinary, compounds, not_names, non_given


@lru_cache(maxsize=1)
def given_class() -> str:
    """A regex class of the characters that may start a given name here (score above 0)."""
    return "[" + "".join(sorted(c for c, s in given_char_scores().items() if s > 0 and is_han(c))) + "]"


@lru_cache(maxsize=1)
def candidate_pattern() -> str:
    """A surname (compound first) followed by a character that reads as a given name's, or by one character and
    such a character (涂家瑋: 家 scores below 0): the pre-screen's part."""
    _, _, ordinary, compounds, _, _ = _setup()
    alt = "|".join(compounds) + "|[" + "".join(sorted(ordinary)) + "]"
    given = given_class()
    # the lookahead on the first character (implied by the alternation, so the matches are the same) leaves most
    # positions after one class test instead of trying each compound surname in turn: a third of the search time
    first = "".join(sorted(set(ordinary) | {c[0] for c in compounds}))
    return f"(?=[{first}])(?:{alt})(?={given}|[\u4e00-\u9fff]{given})"


def person_words() -> frozenset[str]:
    """jieba's dictionary entries tagged as a person's name (:func:`curate.lexicon.person_words`)."""
    from curate.lexicon import person_words as words

    return words()


@lru_cache(maxsize=1 << 13)
def _edges(window: str) -> tuple[int, ...] | None:
    """The word edges (0, every position between two words, len(window)) of jieba's route over ``window`` read in
    Simplified, or None when the conversion changes its length. The route is a run of adjacent words: its edges
    are the whole of it. Kept per process (8192 windows, about 3 MB): a name and the text around it recur in a
    record and across records (the same officer, the same template)."""
    from curate.lexicon import dictionary_words, route

    simp = _setup()[0].convert(window)
    if len(simp) != len(window):
        return None
    return (0, *(j for _, j in route(simp, 0, len(simp), dictionary_words())))


@lru_cache(maxsize=1)
def _not_names() -> tuple[frozenset[str], tuple[int, ...]]:
    not_names = _setup()[4]
    return frozenset(not_names), tuple(sorted({len(w) for w in not_names}))


def _not_name(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` starts with a ``not_names`` word, or the surname and the next character are one: set
    look-ups of each length the list holds, not a scan of the list."""
    words, lengths = _not_names()
    piece = text[start:end]
    return any(piece[:k] in words for k in lengths if k <= len(piece)) or text[start : start + 2] in words


def _person_word(text: str, start: int, end: int) -> bool:
    conv = _setup()[0]
    return conv.convert(text[start:end]) in person_words()


def segmented_name(text: str, start: int, sur_end: int) -> int | None:
    """The end of a name starting at ``start`` (surname ``text[start:sur_end]``) that the segmentation reads as an
    unknown word, or None."""
    scores = given_char_scores()
    for length, floor in ((2, MIN_GIVEN_TWO), (1, MIN_GIVEN_ONE)):
        end = sur_end + length
        if not given_ok(text, sur_end, end):
            continue
        if sum(scores.get(c, 0.0) for c in text[sur_end:end]) < floor:
            continue
        if _not_name(text, start, end):
            return None
        lo, hi = max(0, start - WINDOW), min(len(text), end + WINDOW)
        edges = _edges(text[lo:hi])
        if edges is None:
            return None
        if start - lo not in edges or end - lo not in edges:
            continue
        whole = not any(k - lo in edges for k in range(start + 1, end))  # the candidate is one word of the route
        if not whole and sur_end - lo not in edges:
            return None  # the surname is inside a word (王道, 林業, 成功)
        if whole and not _person_word(text, start, end):
            return None  # the whole candidate is one dictionary word that is no person's name
        return married_name_end(text, start, sur_end, end)
    return None


class SegmentedNameRecognizer(EntityRecognizer):
    """PERSON spans of names the word segmentation reads as unknown words (see the module's docstring)."""

    ENTITY = "PERSON"

    def __init__(self, supported_language: str = "zh", score: float = 0.5) -> None:
        self.score = score
        super().__init__(
            supported_entities=[self.ENTITY], name="SegmentedNameRecognizer", supported_language=supported_language
        )

    def load(self) -> None:
        self._regex = re.compile(candidate_pattern())

    def analyze(self, text: str, entities: list[str] | None = None, nlp_artifacts=None) -> list[RecognizerResult]:
        if entities and self.ENTITY not in entities:
            return []
        out: list[RecognizerResult] = []
        pos = 0
        while (m := self._regex.search(text, pos)) is not None:
            start = m.start()
            end = segmented_name(text, start, m.end())
            if end is None and m.end() - start == 2:  # a compound failed: try its first character alone
                end = segmented_name(text, start, start + 1) if text[start] in _setup()[2] else None
            if end is None:
                pos = start + 1
                continue
            meta = {
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            }
            out.append(RecognizerResult(self.ENTITY, start, end, self.score, recognition_metadata=meta))
            pos = end
        return out
