"""Names written with an English given name beside the Han surname (review 12): ``Kevin 黃``, ``黃 Kevin``,
``Amy 張雅婷``, and a signature's romanised name after the Han one (``葉家銘 Kevin Yeh``).

Bank staff and customers sign chat messages, e-mails and call notes so; the Han rules read no name there (a
surname alone is none, ``林小姐``), and the Latin rule (:mod:`curate.pii.latin_names`) needs a role word or a title
and two Latin words. Here the evidence is the pairing itself:

* an English given name (``schemas/pii/english_given_names.txt``: Faker's English name lists, so not ``Dior`` in
  ``Dior 包`` nor ``Visa``; no product or channel word of :data:`curate.pii.latin_names.NOT_NAME_WORDS`, no month
  such as ``May``) with at most one space, then an ordinary
  surname (``names.toml single_surnames`` less the word-like ones, or a compound one) that stands alone: no Han
  character after it, or one of ``names.toml stop_after`` (``Kevin 黃已聯繫``). When a Han given name follows instead whose characters read as one (score of
  ``schemas/pii/given_chars.tsv`` at least ``[segmented] min_given_two``), the whole is the name
  (``Amy 張雅婷``);
* the same surname standing alone (no Han character before it) with at most one space, then such a Latin word;
* a Han name standing alone (surname and two given characters that read as a name, as above) followed by one
  space and a Latin name of two words or more (:func:`curate.pii.latin_names.name_end`): its romanisation.

The surname must stand alone so that a word beside a Latin one (``Visa金卡``, ``高雄 Kaohsiung``) is no name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from curate.pii.base import EntityRecognizer, RecognizerResult
from curate.pii.english_given_names import english_given_names

#: score of such a name (as the Han rule's strong evidence: it wins over the Han rule's shorter span)
SCORE = 0.85
#: capitalised words that are no given name although shaped like one
NOT_GIVEN = frozenset(
    "january february march april may june july august september october november december monday tuesday "
    "wednesday thursday friday saturday sunday from sent to subject cc re fw fwd dear hi hello thanks regards best "
    "tel fax mobile ext email mail note".split()
)
_LATIN_GIVEN = r"[A-Z][a-z]{1,11}"
_CAPITALISED = re.compile(r"[A-Z][a-z]")


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    from curate.pii.segmented_names import _setup

    ordinary, compounds = _setup()[2], _setup()[3]
    sur = "(?:" + "|".join(compounds) + "|[" + "".join(sorted(ordinary)) + "])"
    han = "\u4e00-\u9fff"
    given_first = re.compile(rf"(?<![A-Za-z])({_LATIN_GIVEN}) ?({sur})")
    surname_first = re.compile(rf"(?<![{han}])({sur}) ?({_LATIN_GIVEN})(?![A-Za-z])")
    han_then_latin = re.compile(rf"(?<![{han}])({sur})([{han}]{{2}}) (?=[A-Z])")
    return given_first, surname_first, han_then_latin


def prescreen_patterns() -> list[str]:
    """What the engine's pre-screen needs to send a text here: a capitalised Latin word right before a Han
    character (the others start at a surname in a name slot, which the pre-screen already passes)."""
    return [rf"{_LATIN_GIVEN} ?[\u4e00-\u9fff]"]


def _given_word(word: str) -> bool:
    from curate.pii.latin_names import NOT_NAME_WORDS

    low = word.lower()
    return word in english_given_names() and low not in NOT_NAME_WORDS and low not in NOT_GIVEN


def bare_name_end(text: str, start: int) -> int | None:
    """End of a Latin-script name with no role, title or label before it (a signature's line, a cell's second value
    after a slash: review 14 of the fixes), None: none there. Besides :func:`name_end`'s checks, it must read as a
    person's: a word is an English given name (``Kevin Tsai``, ``Mary Wang``), hyphenated as a romanised given name
    is (``Huang Wei-Lun``), or the name is in a passport's capitals (``WU CHIA HAO``); ``Investor Relations``,
    ``Accounts Payable``, ``World Elite``, ``Taipei City`` are no one's.

    >>> [bare_name_end(t, 0) for t in ("Kevin Tsai", "WU CHIA-HAO", "Huang Wei-Lun", "Treasury Sales", "World Elite")]
    [10, 11, 13, None, None]
    """
    from curate.pii.labels import _WORD
    from curate.pii.latin_names import name_end

    end = name_end(text, start)
    if end is None:
        return None
    words = [w.group() for w in _WORD.finditer(text, start, end)]
    if any(_given_word(w) or "-" in w.strip("-") for w in words) or all(w.isupper() for w in words):
        return end
    return None


def _reads_as_given(given: str) -> bool:
    from curate.pii.given_names import given_ok
    from curate.pii.names import given_name_score
    from curate.pii.segmented_names import MIN_GIVEN_TWO

    return given_ok(given, 0, len(given)) and given_name_score(given) >= MIN_GIVEN_TWO


def _han_given_end(text: str, q: int) -> int | None:
    """End of the Han given name at ``q`` after an English given name and the surname (``Amy 張雅婷``, ``Amy
    張婷負責``): two characters that read as one, else one that reads as one (``[segmented] min_given_one``) and
    ends there (the text's end, no Han character, ``stop_after`` or a verb of ``names.toml verbs_after_name``);
    None: none."""
    from curate.pii.given_names import given_ok
    from curate.pii.names import STOP_AFTER, given_name_score, verb_follows
    from curate.pii.segmented_names import MIN_GIVEN_ONE

    if q + 2 <= len(text) and _reads_as_given(text[q : q + 2]):
        return q + 2
    if not given_ok(text, q, q + 1) or given_name_score(text[q]) < MIN_GIVEN_ONE:
        return None
    after = q + 1
    if after >= len(text) or not _han(text[after]) or text[after] in STOP_AFTER or verb_follows(text, after):
        return after
    return None


def _han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def mixed_names(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each name of the kinds above in ``text``.

    >>> t = "理專 Kevin 黃 已聯繫；黃 Kevin 下午到；Amy 張雅婷負責；Visa金卡"
    >>> [t[s:e] for s, e in mixed_names(t)]
    ['Kevin 黃', '黃 Kevin', 'Amy 張雅婷']
    """
    from curate.pii.latin_names import name_end
    from curate.pii.names import STOP_AFTER

    if _CAPITALISED.search(text) is None:  # every kind holds a capitalised Latin word: most text has none
        return []
    given_first, surname_first, han_then_latin = _patterns()
    found: list[tuple[int, int]] = []
    for m in given_first.finditer(text):
        if not _given_word(m.group(1)):
            continue
        end = m.end()
        if end < len(text) and _han(text[end]) and text[end] not in STOP_AFTER:
            given_end = _han_given_end(text, end)
            if given_end is None:
                continue
            end = given_end
        found.append((m.start(), end))
    for m in surname_first.finditer(text):
        if _given_word(m.group(2)):
            found.append((m.start(), m.end()))
    for m in han_then_latin.finditer(text):
        if not _reads_as_given(m.group(2)):
            continue
        end = name_end(text, m.end())
        if end is not None:
            found.append((m.end(), end))
    found.sort()
    out: list[tuple[int, int]] = []
    for s, e in found:
        if not out or s >= out[-1][1]:
            out.append((s, e))
    return out


def widened(text: str, start: int, end: int) -> int:
    """The end of a name of the kinds above that starts at ``start`` and runs past ``end``, else ``end``: a label
    reads a Latin value alone (``聯絡人：Kevin 黃`` gives ``Kevin``) and, scored higher than this rule, would hide the
    surname's span.

    >>> t = "聯絡人：Kevin 黃，電話"
    >>> t[4 : widened(t, 4, 9)], t[4 : widened("聯絡人：Kevin 黃金存摺", 4, 9)]
    ('Kevin 黃', 'Kevin')
    """
    return start + max(
        (e for s, e in mixed_names(text[start : end + 16]) if s == 0 and e > end - start), default=end - start
    )


class MixedNameRecognizer(EntityRecognizer):
    """PERSON: an English given name beside a Han surname, or a romanised name after a Han one (module docstring)."""

    ENTITY = "PERSON"

    def __init__(self, supported_language: str = "zh") -> None:
        super().__init__(
            supported_entities=[self.ENTITY], name="MixedNameRecognizer", supported_language=supported_language
        )

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str] | None = None, nlp_artifacts=None) -> list[RecognizerResult]:
        if entities and self.ENTITY not in entities:
            return []
        meta = {RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}
        return [
            RecognizerResult(self.ENTITY, s, e, SCORE, recognition_metadata=dict(meta)) for s, e in mixed_names(text)
        ]
