"""Latin-script names in running text: ``申請人Nguyen Thi Lan於``, ``客戶 Tsai Ming-Che 於``, ``Mr. Chen Wei-Lun``.

The Chinese name rule reads Han names only, and a labelled value (:mod:`curate.pii.labels`) needs a separator after
its label. A foreign resident's or a romanised name in a sentence is a name when

* a person's role or an introducer stands right before it (one space or colon between allowed): a word ending in a
  role character (申請人, 客戶, 外籍人士, 移工: ``names.toml role_end``, ``role_words.txt``), a field label of
  ``labels.tsv``, a name head (姓名, 戶名: ``員工姓名 TRAN MINH DUC``, a form's cell break hygiene made a space) or an
  introducer of two characters or more (經查, 致電); or
* a courtesy title stands right before it (``Mr.``, ``Ms``, ``Mrs.``, ``Dr.``): the title is left out of the span;
* an English label of a person's name stands before it with a space (``English name Huang Wei-Lun``);
* an English phrase of a person's act or holding stands before it (``accessed by Ong Swee Lan on``, ``in the name of
  HO KAR WAI``, ``on behalf of``): its capitalised words, none a bank's, a place's or a role's (review 17);
* a person's role word with 名稱 stands before it (``受款人名稱: PUTRI AYU WULANDARI``, review 17).

Its words are checked as a labelled Latin value's are (:func:`curate.pii.labels._latin_end`: every word capitalised,
none an organisation's, a role's or a placeholder's), and it needs two words at least: a surname alone (``Ms. Lin``)
is no full name, as ``林小姐`` is none. A word that names a product or a channel (``Visa Card``, ``Line Pay``) or a
short acronym beside capitalised words (``ATM Card``) makes it no name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from curate.pii.base import EntityRecognizer, RecognizerResult
from curate.pii.foreign_names import foreign_names
from curate.pii.foreign_names import prescreen_pattern as foreign_prescreen
from curate.pii.romanised_names import prescreen_pattern as romanised_prescreen
from curate.pii.romanised_names import romanised_names

#: courtesy titles before a Latin name (left out of the span)
TITLE = re.compile(r"(?<![A-Za-z])(?:Mr|Mrs|Ms|Miss|Mdm|Madam|Dr)\.? ?(?=[A-Z])")
#: where a candidate may start: a capital letter after a Han character, a colon or a space
_START = re.compile(r"(?<=[\u4e00-\u9fff:：] )[A-Z]|(?<=[\u4e00-\u9fff:：])[A-Z]")
#: words of products, payment channels and cards (compared in lower case): never a person's name
NOT_NAME_WORDS = frozenset(
    "card visa mastercard master jcb amex unionpay gold platinum titanium infinite signature world premier classic "
    "business online mobile app pay plus line apple google samsung play store banking account loan fund life care "
    "easy smart debit credit cash points reward rewards club name".split()
)
#: an English label naming a person's name with a space and no colon before the name (``English name Huang Wei-Lun``,
#: ``Name in English CHEN YI-TING``: review 14); a Han one (英文名 Chen Chih-Ming) is a label of ``labels.tsv``
_EN_NAME_LABEL = re.compile(
    r"(?<![A-Za-z])(?:(?:English|Chinese|Full|Legal) [Nn]ame|Name in English)[ \u3000]+(?=[A-Z])"
)
#: a person's role word with 名稱 after it names the person (受款人名稱: PUTRI AYU WULANDARI, review 17)
_NAME_OF = ("名稱", "名称")
#: an English phrase that says a person did or holds something, before the name (``accessed by Ong Swee Lan``,
#: ``in the name of HO KAR WAI``, ``on behalf of Tan Mei Ling``: review 17); the name's words are checked as after a
#: role (an office, a team or a bank is no name: ``approved by Credit Committee``)
_EN_BY = re.compile(
    r"(?<![A-Za-z])(?i:(?:accessed|approved|authori[sz]ed|signed|countersigned|witnessed|requested|initiated|"
    r"opened|withdrawn|deposited|collected|guaranteed|checked|verified|reviewed|processed|handled|prepared) by|"
    r"in (?:the )?names? of|on behalf of|for the account of)[ \u3000]+(?-i:(?=[A-Z]))"
)
#: the capitalised words after such a phrase: a lower-case word ends the name (``Ong Swee Lan on 2024-01-03``)
_CAPITALISED = re.compile(r"[A-Z][A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ'’-]*(?: [A-Z][A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ'’-]*)*")
#: score of a Latin name after a role word or a title (as the Han rule's strong evidence)
SCORE = 0.85


def _firm_word(word: str) -> bool:
    """A word of a bank's name (``Citibank``), a place's or a role's after an English phrase: no person's, as the
    foreign-name rule reads it."""
    from curate.pii.foreign_names import _bad_word

    w = word.lower()
    return w.endswith("bank") or _bad_word(word, NOT_NAME_WORDS)


#: Hokkien and Teochew romanised surnames of Southeast-Asian Chinese (王 Ong, 陳 Tan, 吳 Goh, 張 Teo, 黃 Ng ...)
_HOKKIEN_SURNAMES = frozenset("ong tan goh teo ng koh khoo ooi yeo quek tay sim toh chua lau".split())


def _person_words(words: list[str]) -> bool:
    """Whether the capitalised words after an English phrase (``accessed by``) spell a person's name: none a bank's,
    a place's or a role's, and a name's shape (:func:`curate.pii.foreign_names._is_name`) or a romanised surname
    first (``Ong Swee Lan``, ``Lin Mei-Hua``, ``HO KAR WAI``); not ``Senior Vice President``. Capitals are a form's
    case, no evidence of a name: ``approved by RISK CONTROL`` is a unit's.

    >>> _person_words(["Ong", "Swee", "Lan"]), _person_words(["Senior", "Vice", "President"])
    (True, False)
    >>> _person_words(["HO", "KAR", "WAI"]), _person_words(["RISK", "CONTROL"])
    (True, False)
    >>> _person_words(["JOHN", "SMITH"]), _person_words(["Mary", "Tan"]), _person_words(["Credit", "Committee"])
    (True, True, False)
    """
    from curate.pii.english_given_names import english_given_names
    from curate.pii.foreign_names import VIETNAMESE_SURNAMES, _is_name
    from curate.pii.romanised_names import SURNAMES

    if any(_firm_word(w) for w in words):
        return False
    first = words[0].lower()
    if first in SURNAMES or first in VIETNAMESE_SURNAMES or first in _HOKKIEN_SURNAMES or _is_name(words):
        return True
    # an English given name and one or two more words after the act phrase, in a form's capitals or not (``approved
    # by JOHN SMITH``, ``authorised by Mary Tan``, review 18): the phrase says a person acted, so the surname need
    # not be on a list (English surnames are not); a unit's words are firm words above
    return len(words) <= 3 and words[0].capitalize() in english_given_names()


def prescreen_patterns() -> list[str]:
    """What the engine's pre-screen needs to send a text here: a title, or two capitalised words after a Han
    character or a colon."""
    return [
        r"(?:Mr|Mrs|Ms|Miss|Mdm|Madam|Dr)\.? ?[A-Z]",
        r"(?<=[\u4e00-\u9fff:：])[A-Z][A-Za-z]+[ -][A-Za-z]",
        r"(?<=[\u4e00-\u9fff:：] )[A-Z][A-Za-z]+[ -][A-Za-z]",
        _EN_NAME_LABEL.pattern,
        _EN_BY.pattern,
        romanised_prescreen(),
        foreign_prescreen(),
    ]


@lru_cache(maxsize=1)
def _role_heads() -> tuple[tuple[str, ...], frozenset[str]]:
    """Multi-character introducers and labels (longest first), and the role words of ``role_words.txt``."""
    from curate.pii.labels import MINGZI, NAME_HEADS, labels
    from curate.pii.names import INTRODUCERS, role_words

    # 名字 is the labelled-value rule's: it tells a person's name from a thing's (基金英文名字). A name head that
    # names a person alone (姓名, 戶名) counts: hygiene makes a form's cell break after it a space where a Latin value
    # follows (員工姓名\tTRAN MINH DUC -> 員工姓名 TRAN MINH DUC), and the labelled-value rule needs the break
    heads = {w for w in INTRODUCERS if len(w) > 1 and w != MINGZI} | set(NAME_HEADS)
    heads |= {lb.label for lb in labels() if lb.entity_type == "PERSON" and not lb.label.endswith(MINGZI)}
    return tuple(sorted(heads, key=len, reverse=True)), role_words()


def role_before(text: str, start: int) -> bool:
    """A person's role, a person label or an introducer ends right before ``start`` (one space or colon between).

    >>> role_before("申請人Nguyen", 3), role_before("外籍移工 Siti", 5), role_before("本行Visa", 2)
    (True, True, False)
    """
    from curate.pii.names import ROLE_END

    i = start
    while i > 0 and text[i - 1] in " :：" and start - i < 2:
        i -= 1
    if i == 0:
        return False
    heads, words = _role_heads()
    if text.endswith(_NAME_OF, 0, i) and text[i - 3 : i - 2] in ("人", "者"):  # 受款人名稱: a person's name label
        return text[max(0, i - 5) : i - 2] in words or text[max(0, i - 4) : i - 2] in words
    return text[i - 1] in ROLE_END or text.endswith(heads, 0, i) or text[max(0, i - 4) : i] in words


def _head_only(text: str, start: int) -> bool:
    """Only a name head (姓名, 戶名) with a space stands before ``start``: no colon, role or introducer."""
    from curate.pii.labels import NAME_HEADS
    from curate.pii.names import ROLE_END

    i = start - 1 if text[start - 1 : start] == " " else start
    if not text.endswith(NAME_HEADS, 0, i) or text[i - 1] in ROLE_END:
        return False
    heads, words = _role_heads()
    return not any(text.endswith(h, 0, i) for h in heads if not h.endswith(NAME_HEADS)) and text[i - 4 : i] not in words


def _in_form_cells(text: str, start: int, end: int) -> bool:
    """The name head before ``start`` is a form's label cell and the name at ``start:end`` its value cell, as
    hygiene leaves them (a tab beside a Latin value made one space): the label starts a line, follows a tab or a bar
    or a space after a cell of digits or Latin letters, and has at most eight Han characters before its head; the
    name ends its line, the text, a cell or stands before the next cell's Han label. Running text after a name head
    (``申請書應載明姓名 Personal Data Protection Act 之規定``) is no form."""
    from curate.pii.labels import _CELL_END, _LATIN_CELL_END
    from curate.pii.text import is_han

    if not (_CELL_END.match(text, end) or _LATIN_CELL_END.match(text, end - 1)):
        return False
    from curate.pii.names import ROLE_END

    i = j = start - 1 if text[start - 1 : start] == " " else start
    while j > 0 and i - j <= 10 and is_han(text[j - 1]):
        j -= 1
    # what names the person before the head: nothing, a role (員工, 帳戶, 申請人) and a script or document word
    # (英文姓名, 申請人護照姓名); a sentence's words (應載明姓名, 核對其姓名) are no label
    before = re.sub(f"(?:{_QUALIFIERS})$", "", text[j : i - 2])
    if i - j > 10 or (before and before[-1] not in ROLE_END):
        return False
    return j == 0 or text[j - 1] in "\n\t|" or (text[j - 1] == " " and j > 1 and _CELL_BEFORE.match(text[j - 2]))


#: words between a person's role and a name head in a form's label (申請人英文姓名, 帳戶中文戶名)
_QUALIFIERS = "英文|中文|外文|護照|护照|真實|真实|法定|登記|登记"


#: what a cell before a label's may end with where hygiene made the tab after it a space (as in labels.py)
_CELL_BEFORE = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ.)]")


def name_end(text: str, start: int) -> int | None:
    """End of a Latin-script name of two words or more at ``start`` (None: none there)."""
    from curate.pii.labels import _LATIN, _WORD, _latin_end

    m = _LATIN.match(text, start)
    if m is None:
        return None
    # a colon after it ends a salutation (致Ms Huang Yi-Chen：), not a next field's label as in a labelled value
    end = _latin_end(text[: m.end()] if text.startswith(":", m.end()) else text, start)
    if end is None:
        return None
    words = [w.group() for w in _WORD.finditer(text, start, end)]
    if len(words) < 2 or any(w.lower().strip("'’-") in NOT_NAME_WORDS for w in words):
        return None
    caps = [w for w in words if w.isupper()]
    if caps and len(caps) < len(words) and any(len(w) <= 4 for w in caps):
        return None  # `ATM Card`, `KYC Review`: an acronym beside words (a passport's `CHEN WEI LUN` is all capitals)
    return end


class LatinNameRecognizer(EntityRecognizer):
    """PERSON: a Latin-script name after a person's role or a courtesy title (see the module docstring)."""

    ENTITY = "PERSON"

    def __init__(self, supported_language: str = "zh") -> None:
        super().__init__(
            supported_entities=[self.ENTITY], name="LatinNameRecognizer", supported_language=supported_language
        )

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str] | None = None, nlp_artifacts=None) -> list[RecognizerResult]:
        if entities and self.ENTITY not in entities:
            return []
        found: dict[int, int] = {}
        for m in TITLE.finditer(text):
            end = name_end(text, m.end())
            if end is not None:
                found[m.end()] = end
        for m in _EN_BY.finditer(text):
            run = _CAPITALISED.match(text, m.end())
            end = name_end(text[: run.end()], m.end()) if run and not TITLE.match(text, m.end()) else None
            if end is not None and _person_words(text[m.end() : end].split()):
                found[m.end()] = end
        for m in _EN_NAME_LABEL.finditer(text):
            end = name_end(text, m.end())
            if end is not None:
                found[m.end()] = end
        for m in _START.finditer(text):
            if m.start() not in found and not TITLE.match(text, m.start()) and role_before(text, m.start()):
                end = name_end(text, m.start())
                if end is not None and (not _head_only(text, m.start()) or _in_form_cells(text, m.start(), end)):
                    found[m.start()] = end
        for s, e in romanised_names(text, NOT_NAME_WORDS):  # Chen Yu-Ting, Kevin Liao in English prose (review 15)
            if not any(s < fe and fs < e for fs, fe in found.items()):
                found[s] = e
        for s, e in foreign_names(text, NOT_NAME_WORDS):  # Pham Thi Thu, Applicant Zhang Wei (review 16)
            if not any(s < fe and fs < e for fs, fe in found.items()):
                found[s] = e
        meta = {RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}
        return [RecognizerResult(self.ENTITY, s, e, SCORE, recognition_metadata=dict(meta)) for s, e in found.items()]
