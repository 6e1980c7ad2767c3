"""Rule-based Chinese personal-name recognizer (no model).

A name is a surname from the tables below (compound surnames first) followed by one to three
given-name characters. A candidate is kept when the text around it looks like a name slot:

* left: a role or kinship word (客戶, 申請人, 負責人, 行員, 其母 ...: recognised by its last
  character), an introducer (姓名, 戶名, 我是, 冒用 ...), or a field separator / sentence start;
* right: an honorific (先生, 女士, 小姐, 君 ...), punctuation, or a character that typically
  follows a name in running text (的, 之, 於, 表示 ...).

The given-name length is chosen from the right boundary (2 characters by default, 1 when a
boundary follows directly, 3 for Vietnamese-style ``阮氏…`` names). Frequent words that
start with a surname character (高雄, 金額, 陳述 ...) are never names. The word lists live in
``schemas/pii/names.toml`` (reviewable data).
"""

from __future__ import annotations

import re
from functools import lru_cache

from curate.pii.base import EntityRecognizer, RecognizerResult
from curate.pii.text import is_han


def _load() -> dict:
    import importlib.resources
    import tomllib

    text = importlib.resources.files("schemas").joinpath("pii", "names.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


_W = _load()
#: single-character surnames in use in Taiwan (Traditional; Simplified forms are derived)
SINGLE_SURNAMES: str = _W["single_surnames"]
#: rare surnames whose character is a very common word (和, 時, 東): names only on stronger slot evidence
WORD_SURNAMES: str = _W["word_surnames"]
#: the given-name score (plus the role prior after a role word) a word-like surname needs without an honorific
WORD_SURNAME_MIN_GIVEN: float = float(_W["word_surname"]["min_given_score"])
#: compound surnames (including Taiwanese double surnames such as 范姜, 張簡)
COMPOUND_SURNAMES: tuple[str, ...] = tuple(_W["compound_surnames"])
#: Vietnamese-style middle characters of foreign residents' names (阮氏…, 范文…)
VIET_MIDDLE: str = _W["viet_middle"]
#: last characters of role / kinship words that introduce a name (客戶, 申請人, 行員, 胞弟 ...)
ROLE_END: set[str] = set(_W["role_end"])
#: characters that (practically) never occur in given names: legal, financial and function words
NON_GIVEN: set[str] = set(_W["non_given"])
#: introducer words directly before a name
INTRODUCERS: tuple[str, ...] = tuple(_W["introducers"])
#: introducers that are also a noun's modifier (鄰居家, 鄰居高樓): the name after one needs a clear right end
BOUNDED_INTRODUCERS: tuple[str, ...] = tuple(_W["bounded_introducers"])
#: separators / sentence starts that may precede a name (after half-width folding)
LEFT_PUNCT: set[str] = set(_W["left_punct"])
#: honorifics and titles after a name (strong evidence)
HONORIFICS: tuple[str, ...] = tuple(_W["honorifics"])
#: characters that typically follow a name in running text (never the end of a given name here)
STOP_AFTER: set[str] = set(_W["stop_after"])
#: 2-character words after a name
FOLLOW_WORDS: tuple[str, ...] = tuple(_W["follow_words"])
#: verbs that often follow a name (積欠, 申辦): see :func:`verb_follows`
VERBS_AFTER_NAME: tuple[str, ...] = tuple(_W["verbs_after_name"])
#: frequent words starting with a surname character that are not names
NOT_NAMES: tuple[str, ...] = tuple(_W["not_names"])
#: last characters of place and feature names: a file-name segment ending in one is no name (林森路, 卓蘭鎮)
PLACE_ENDS: str = _W["place_ends"]
#: evidence of the left context for the given-name plausibility test ("role", "punct")
GIVEN_NAME_PRIOR: dict[str, float] = dict(_W["given_name_prior"])


@lru_cache(maxsize=1)
def given_char_scores() -> dict[str, float]:
    """``schemas/pii/given_chars.tsv``: log10(frequency in given names / frequency in ordinary text) per character."""
    import importlib.resources

    text = importlib.resources.files("schemas").joinpath("pii", "given_chars.tsv").read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            ch, score = line.split("\t")
            out[ch] = float(score)
    return out


@lru_cache(maxsize=1)
def role_words() -> frozenset[str]:
    """``schemas/pii/role_words.txt``: words (and field-label endings) whose last character is a role character."""
    import importlib.resources

    text = importlib.resources.files("schemas").joinpath("pii", "role_words.txt").read_text(encoding="utf-8")
    return frozenset(w for w in text.splitlines() if w and not w.startswith("#"))


def given_name_score(given: str) -> float:
    """Summed character scores of a given name (> 0: more typical of names than of text).

    A Vietnamese-style middle character (the 氏 of 阮氏月) is structure, not scored.

    >>> given_name_score("志明") > 0 > given_name_score("控命")
    True
    """
    scores = given_char_scores()
    if len(given) > 1 and given[0] in VIET_MIDDLE:
        given = given[1:]
    return sum(scores.get(c, 0.0) for c in given)


#: a bracket right after a name that opens with the person's particulars (經查黃大年（身分證號碼…）, 被告王大年（男，民國
#: 70年生）, 阮氏秋（居留證…）): evidence like an honorific, whatever the given name reads like
#: what ends a time, a date or a number before a space that opens a name slot (see ``_left_kind``)
#: a number's unit that is also a surname: after a number and a space it is the unit (500 萬美元)
NUMBER_UNITS = frozenset("萬万")
_TIME_OR_NUMBER_END = re.compile(r"(?:\d|(?<![A-Za-z])[AaPp]\.?[Mm]\.?)$")
#: a number that is no time (a time's digits follow a colon: 09:41 萬家豪)
_NUMBER_END = re.compile(r"(?<![\d:])[\d,.]*\d$")
ID_BRACKET = re.compile(
    r"[(（][ \u3000]*(?:身分證|身份證|身分证|身份证|統一證號|统一证号|居留證|居留证|護照|护照|國民身分|年籍|出生|ID\b"
    r"|[A-Za-z][12A-Da-d89]\d{8}(?!\d)|民國\d{2,3}年|民国\d{2,3}年|\d{2,3}年(?:次|生)|[男女][，,、)）])"
)


@lru_cache(maxsize=1)
def _verbs_after_name() -> tuple[str, ...]:
    import opencc

    conv = opencc.OpenCC("t2s")
    return tuple(sorted(set(VERBS_AFTER_NAME) | {conv.convert(w) for w in VERBS_AFTER_NAME}))


def verb_follows(text: str, q: int) -> bool:
    """A verb that often follows a name (``names.toml verbs_after_name``) starts at ``q`` and its first character reads
    as text rather than as a given name's (score below 0): a name ends before ``q`` (江蕙 in 借款人江蕙積欠).

    >>> verb_follows("借款人江蕙積欠本金", 5), verb_follows("客戶李大同挪用", 4)
    (True, False)
    """
    return text.startswith(_verbs_after_name(), q) and given_char_scores().get(text[q], 0.0) < 0


#: the given-name score the last two characters of a married name (陳林秀琴) need: ``names.toml [married]``
MARRIED_MIN_GIVEN: float = float(_W["married"]["min_given"])


def married_name_end(text: str, start: int, sur_end: int, end: int) -> int:
    """The end of a married name (冠夫姓: the husband's surname before the woman's own, 陳林秀琴, 黃林美惠) read as a
    surname and a two-character given name ending at ``end`` (陳 + 林秀): after the next character when the second
    character is an ordinary surname, the next one reads as a given name's (score above 0, not ``non_given`` nor
    ``stop_after``), the last two characters together reach ``[married] min_given`` and the name may end after it
    (the text ends, a non-Han character, ``stop_after``, a follow word or honorific, or a verb that follows names);
    otherwise ``end``. A cut after 陳林秀 would leave 琴 in the clear.

    >>> t = "負責人黃林美惠未依規定"
    >>> t[3:married_name_end(t, 3, 4, 6)], t[3:married_name_end("負責人黃林美未依", 3, 4, 6)]
    ('黃林美惠', '黃林美')
    """
    singles, _, _, non_given, words = _tables()
    if sur_end - start != 1 or end != sur_end + 2 or text[sur_end] not in singles or text[sur_end] in words:
        return end
    if end >= len(text) or not is_han(nxt := text[end]) or nxt in non_given or nxt in STOP_AFTER:
        return end
    scores = given_char_scores()
    if scores.get(nxt, 0.0) <= 0 or given_name_score(text[sur_end + 1 : end + 1]) < MARRIED_MIN_GIVEN:
        return end
    after = end + 1
    if (
        after >= len(text)
        or not is_han(text[after])
        or text[after] in STOP_AFTER
        or text.startswith(tuple(FOLLOW_WORDS) + tuple(HONORIFICS), after)
        or verb_follows(text, after)
        or _word_follows(text, after)
    ):
        return after
    return end


def _word_follows(text: str, q: int) -> bool:
    """A two-character dictionary word (jieba's, read in Simplified) starts at ``q``, its first character reads as
    text rather than a given name's (score below 0) and the character before it forms no word with it: a name may
    end before ``q`` (張陳淑芬|挪用, 黃林美惠|擔任) as before :func:`verb_follows`'s list."""
    from curate.lexicon import dictionary_words, to_simplified

    if q + 2 > len(text) or given_char_scores().get(text[q], 0.0) >= 0:
        return False
    words = dictionary_words()
    simp = to_simplified().convert(text[q - 1 : q + 2])
    return len(simp) == 3 and simp[1:] in words and simp[:2] not in words


@lru_cache(maxsize=1 << 14)
def _verb_after(around: str, head: str) -> bool:
    """A name whose first two characters are ``head`` ends before the verb ``around[1:]`` (:func:`_word_follows` on
    ``around``, the character before the verb and the verb's two) unless ``head`` read in Simplified is a word of
    jieba's dictionary. Kept per process: the same names and verbs recur."""
    if len(around) < 3 or given_char_scores().get(around[1], 0.0) >= 0 or not _word_follows(around, 1):
        return False
    from curate.lexicon import dictionary_words, to_simplified

    return to_simplified().convert(head) not in dictionary_words()


@lru_cache(maxsize=1)
def _three_char_words() -> frozenset[str]:
    """jieba's three-character words that it tags as no person's name (古希腊 ns, 万美元 m, 谈恋爱 v; not nr)."""
    from curate.lexicon import dict_path

    out = set()
    with dict_path().open(encoding="utf-8") as src:
        for line in src:
            parts = line.split()
            if len(parts) == 3 and len(parts[0]) == 3 and not parts[2].startswith("nr"):
                out.add(parts[0])
    return frozenset(out)


def _verb_ends_name(text: str, start: int, q: int) -> bool:
    """A name ``text[start:q]`` (surname, two given characters) may end before the dictionary verb at ``q``
    (:func:`_verb_after`) unless the three characters read in Simplified are a word of jieba's dictionary that is
    no person's name: a sentence of a textbook opens so (古希臘|認為, 萬美元|計價, 談戀愛|進行)."""
    if not _verb_after(text[q - 1 : q + 2], text[start : start + 2]):
        return False
    from curate.lexicon import to_simplified

    return q - start != 3 or to_simplified().convert(text[start:q]) not in _three_char_words()


def _bare_han_after(text: str, q: int, follow: tuple[str, ...]) -> bool:
    """A Han character at ``q`` that opens nothing said after a name: no verb (表示, 請), no word of ``follow``
    (帳戶, an honorific), no particle or conjunction (的, 及, 與), no two-character word of jieba's dictionary
    (詢問): it is glued to what stands before it (金龍|卡持卡人, 高金|利定存: a card's or a product's name)."""
    if q >= len(text) or not is_han(text[q]) or text.startswith(follow, q) or text[q] in _JOINERS:
        return False
    if text.startswith(_verbs_after_name(), q):
        return False
    from curate.lexicon import dictionary_words, to_simplified

    return to_simplified().convert(text[q : q + 2]) not in dictionary_words()


#: what joins a name to the next word or name in running text (王偉及張傑, 游玉的, 白泰請), and the adverbs and
#: function words a clause goes on with after its subject (李娜已結清, 林強未繳, 周杰曾借款, 郭靖等三人, 黃蓉為保證人):
#: no card's or product's name goes on with one (金龍|卡, 高金|利)
_JOINERS = frozenset(
    "的之於于與与及並并和跟請说說已未不仍尚均皆亦也都就再又即將将曾為为被把向對对由以因所等是在需須應应要致自"
)


#: the numerals of ``之一``, ``之二`` after a role word (繼承人之一: one of the heirs)
_ONE_OF = "一二三四五六七八九十"
#: the given-name score that lets a name after a role word open with a word of ``not_names`` (父親黃金龍: 黃金 is gold;
#: 母親黃金花, 客戶林立平 scored 1.1 and 1.2 under review 17's 1.5 and went through in clear, review 18; 金存 of 黃金存摺
#: scores 0.86 but has no clear end, 金額 -0.75)
NOT_NAME_OVERRIDE: float = 1.0


def _named_after_role(given: str, left: str | None, bounded: bool) -> bool:
    """A name after a role word (父親, 客戶) with a clear end and two given characters that read strongly as a given
    name's (score ``NOT_NAME_OVERRIDE`` or more): it stands even where its first two characters are a word of
    ``not_names`` (黃金龍, 高金花; not 黃金存摺, 金額, 方面表示).

    >>> _named_after_role("金龍", "role", True), _named_after_role("金額", "role", True), _named_after_role("金龍", "punct", True)
    (True, False, False)
    """
    return left == "role" and bounded and len(given) == 2 and given_name_score(given) >= NOT_NAME_OVERRIDE


def plausible_given_name(given: str, context: str) -> bool:
    """Whether ``given`` reads as a given name after a left context of kind ``context`` ("role", "weak" or "punct":
    see :meth:`ChineseNameRecognizer._left_kind`; the priors are ``names.toml [given_name_prior]``)."""
    return GIVEN_NAME_PRIOR.get(context, 0.0) + given_name_score(given) >= 0


@lru_cache(maxsize=1)
def _tables() -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...], frozenset[str], frozenset[str]]:
    """Surname and stop-word tables in both scripts (Simplified derived with OpenCC t2s): single surnames (word-like
    ones included), compound surnames, not-names, non-given characters, word-like surnames."""
    import opencc

    conv = opencc.OpenCC("t2s")
    tw = opencc.OpenCC("s2tw")  # the detection view reads Simplified text in Taiwan characters

    def both(words):
        simp = {conv.convert(w) for w in words}
        return set(words) | simp | {tw.convert(w) for w in simp}

    words = set(WORD_SURNAMES) | set(conv.convert(WORD_SURNAMES))
    singles = set(SINGLE_SURNAMES) | set(conv.convert(SINGLE_SURNAMES))
    words -= singles  # a Simplified form shared with an ordinary surname stays ordinary
    compounds = both(COMPOUND_SURNAMES)
    not_names = both(NOT_NAMES)
    non_given = frozenset(both(NON_GIVEN))
    compounds = tuple(sorted(compounds, key=len, reverse=True))
    return frozenset(singles | words), compounds, tuple(not_names), non_given, frozenset(words)


def surname_class() -> str:
    """A regex character class of all single surnames (both scripts)."""
    singles = _tables()[0]
    return "[" + "".join(sorted(singles)) + "]"


def surname_first_chars() -> str:
    """Every character a surname (single or compound, both scripts) starts with, as a string."""
    singles, compounds = _tables()[0], _tables()[1]
    return "".join(sorted(set(singles) | {c[0] for c in compounds}))


def name_slot_pattern() -> str:
    """Cheap position filter for name candidates: a surname in a name slot.

    A slot is a role/introducer character, punctuation or the text start on the left, or an
    honorific within three characters on the right.
    """
    compounds = _tables()[1]
    alt = "|".join(compounds) + "|" + surname_class()
    left_chars = "".join(sorted(ROLE_END | {w[-1] for w in INTRODUCERS}))
    hon = "|".join(sorted(HONORIFICS, key=len, reverse=True))
    # both branches start with a surname here: the lookahead on its first character is a single class test,
    # which lets the regex leave most positions at once instead of trying the lookbehinds and every compound
    return (
        f"(?=[{surname_first_chars()}])(?:(?:(?<=[{left_chars}])|(?<=之[{_ONE_OF}])|(?<![\u4e00-\u9fff0-9A-Za-z]))"
        f"(?:{alt})"
        f"|(?:{alt})(?=[\u4e00-\u9fff]{{1,3}}(?:{hon})))"
    )


def word_surname_ok(text: str, start: int, sur_end: int, end: int, honorific: bool, bounded: bool, role: bool) -> bool:
    """Whether ``text[start:end]`` may be a name as far as a word-like surname goes (``bounded``: a clear end
    follows; ``role``: a role word, introducer or label comes before).

    A word-like surname (和, 時, 東: ``names.toml word_surnames``) is a name only on stronger evidence: a given name
    that reads as one (score >= 0) with an honorific after it, or a two-character given name with a clear end or a
    role word before it whose score plus the role word's prior (``[given_name_prior] role``) reaches ``[word_surname]
    min_given_score``. A role word alone is not enough
    (委託人國民, 開戶時留存), nor is a title after a word (解除經理人). It is never a name when an ordinary surname
    follows it (和王小明: the word before a name; a word-like character may follow: 車家睿).

    >>> word_surname_ok("客戶國民", 2, 3, 4, False, True, True)
    False
    >>> word_surname_ok("行員計依婷受理", 2, 3, 5, False, False, True)
    True
    """
    singles, compounds, _, _, words = _tables()
    if sur_end - start != 1 or text[start] not in words:
        return True
    nxt = text[sur_end]
    if (nxt in singles and nxt not in words) or text.startswith(compounds, sur_end):
        return False
    score = given_name_score(text[sur_end:end])
    if honorific and score >= 0:
        return True
    prior = GIVEN_NAME_PRIOR["role"] if role else 0.0
    return (bounded or role) and end - sur_end == 2 and prior + score >= WORD_SURNAME_MIN_GIVEN


class ChineseNameRecognizer(EntityRecognizer):
    """Rule-based PERSON recognizer for unspaced Chinese (works without any model)."""

    ENTITY = "PERSON"

    def __init__(
        self,
        supported_language: str = "zh",
        strong_score: float = 0.85,
        weak_score: float = 0.5,
        *,
        running_text: bool = True,
    ) -> None:
        self.strong_score, self.weak_score = strong_score, weak_score
        #: review 12's slots of running text (a space after a time, a verb of the dictionary after a name); off for
        #: file names, whose doc keys a catalogue made before holds (林佳蓉|授信講義.txt stays a title)
        self.running_text = running_text
        super().__init__(
            supported_entities=[self.ENTITY], name="ChineseNameRecognizer", supported_language=supported_language
        )

    def load(self) -> None:
        singles, compounds, not_names, non_given, words = _tables()
        self._non_given = non_given
        self._word_surnames = words
        self._singles = singles
        self._compounds = compounds
        self._not_names = not_names
        self._honorifics = tuple(sorted(HONORIFICS, key=len, reverse=True))
        self._regex = re.compile(name_slot_pattern())
        self._introducers = tuple(sorted(INTRODUCERS, key=len, reverse=True))
        self._follow = tuple(FOLLOW_WORDS) + self._honorifics
        self._short_titles = tuple(h for h in HONORIFICS if len(h) == 1)

    # -- helpers ---------------------------------------------------------------------------
    def _left_kind(self, text: str, start: int) -> str | None:
        """The evidence of the left context.

        'role': a word ending in a role character (客戶, 申請人, 看護: ``role_words.txt``) or a
        multi-character introducer (姓名, 我是, 經查); 'weak': a stray role character or a one-character
        introducer (為, 由, 與); 'punct': a separator or the text start; None: no name slot.
        """
        i = start
        # allow one space or colon between the role word and the name
        while i > 0 and text[i - 1] in " :" and start - i < 2:
            i -= 1
        if i == 0:
            return "punct"
        if i > 2 and text[i - 2] == "之" and text[i - 1] in _ONE_OF and self._left_kind(text, i - 2) == "role":
            return "role"  # 繼承人之一宋政達, 保證人之二: one of the role's persons (review 17)
        prev = text[i - 1]
        if (
            self.running_text
            and i < start
            and text[i] == " "
            and _TIME_OR_NUMBER_END.search(text, max(0, i - 5), i)
            and not (text[start] in NUMBER_UNITS and _NUMBER_END.search(text, max(0, i - 12), i))
        ):
            # a space after a time, a date or a number ("09:41 吳家豪：", "下午 3:05 PM 林志明", "Case 12 吳家豪");
            # not after a Latin word: a glossary's or a bilingual text's translation follows it (Goldman Sachs 高盛,
            # Moody's 穆迪, Schroders 施羅德投信), nor a number's unit after a number (500 萬美元)
            return "punct"
        if prev in ROLE_END:
            words = role_words()
            return "role" if text[max(0, i - 2) : i] in words or text[max(0, i - 3) : i] in words else "weak"
        head = text[max(0, i - 3) : i]
        if head.endswith(self._introducers):  # the longest matching introducer decides
            return "role" if any(len(x) > 1 and head.endswith(x) for x in self._introducers) else "weak"
        if i < start and text[i] == ":":
            return "punct"  # "...催告:" + name
        if prev in LEFT_PUNCT or not (is_han(prev) or prev.isalnum()):
            return "punct"
        return None

    def _is_boundary(self, text: str, q: int, start: int | None = None) -> bool:
        """A name may end before ``q``; with ``start`` (a name with two given characters), also before a verb of the
        dictionary (:func:`_word_follows`) unless the surname and the next character are a dictionary word (高鐵,
        簡訊); a one-character given name has no such end (萬泰|商業銀行, 馬祖|設有)."""
        if q >= len(text):
            return True
        ch = text[q]
        if not is_han(ch):
            return True
        if ch in STOP_AFTER:
            return True
        if text.startswith(self._follow, q):
            return True
        # a verb of the dictionary that reads as text (方建國|回覆, 藍正雄|否認): the name ends before it
        return self.running_text and start is not None and _verb_ends_name(text, start, q)

    def _role_word_before_name(self, text: str, start: int) -> bool:
        """A role word (``role_words.txt``) starts at ``start`` and a surname follows it directly."""
        words = role_words()
        for k in (2, 3):
            q = start + k
            if q < len(text) and text[start:q] in words:
                if text[q] in self._singles or text.startswith(self._compounds, q):
                    return True
        return False

    def _given_ok(self, text: str, a: int, b: int) -> bool:
        return b <= len(text) and all(is_han(c) and c not in self._non_given for c in text[a:b])

    def _candidate(self, text: str, start: int, sur_end: int) -> tuple[int, float] | None:
        """Pick the end of the name starting at ``start`` and score it (None = not a name)."""
        if text.startswith(self._honorifics, sur_end):
            return None  # a surname-only mention (林先生) is not a full name
        if self._role_word_before_name(text, start):
            return None  # 房東王小明, 與房客柯俊傑: the role word's first character is a surname, the name follows it
        left = self._left_kind(text, start)
        if left is None and not any(text.startswith(self._honorifics, q) for q in range(sur_end + 1, sur_end + 4)):
            return None  # neither a name slot on the left nor an honorific on the right
        compound = sur_end - start == 2
        options: list[int] = []
        # preferred order: 2 given chars, 1, then 3 (Vietnamese-style only)
        two, one, three = sur_end + 2, sur_end + 1, sur_end + 3
        # the person's particulars in a bracket right after (黃大年（身分證…）) end the name: its given name may hold a
        # character the rule otherwise refuses (年)
        options += [
            e
            for e in (two, one)
            if e < len(text)
            and all(is_han(c) and c not in STOP_AFTER for c in text[sur_end:e])
            and ID_BRACKET.match(text, e)
        ][:1]
        if (
            not options
            and self._given_ok(text, sur_end, two)
            and text[sur_end + 1] not in STOP_AFTER
            and text[sur_end] not in STOP_AFTER
        ):
            if self._is_boundary(text, two, start):
                options.append(two)
            elif (
                not compound
                and text[sur_end] in VIET_MIDDLE
                and self._given_ok(text, sur_end, three)
                and self._is_boundary(text, three)
            ):
                options.append(three)
        if not options and self._given_ok(text, sur_end, one) and text[sur_end] not in STOP_AFTER:
            # a one-character honorific after one given character ends the given name (張雅君), it is no title
            if self._is_boundary(text, one) and not text.startswith(self._short_titles, one):
                if not (left == "punct" and _bare_han_after(text, one, self._follow)):
                    options.append(one)
        weak_end = None
        if not options and text[:start].rstrip(" :").endswith(BOUNDED_INTRODUCERS):
            return None  # 鄰居高樓林立, 鄰居游泳池漏水: no clear end after a noun's modifier (review 17)
        if not options:
            if (
                self._given_ok(text, sur_end, two)
                and text[sur_end] not in STOP_AFTER
                and text[sur_end + 1] not in STOP_AFTER
            ):
                weak_end = two  # no clear right boundary
            else:
                return None
        end = options[0] if options else weak_end
        assert end is not None
        end = married_name_end(text, start, sur_end, end)
        if (text[start:end].startswith(self._not_names) or text[start : start + 2] in self._not_names) and (
            not _named_after_role(text[sur_end:end], left, bool(options)) or _bare_han_after(text, end, self._follow)
        ):
            return None  # a word of not_names, no clear name after a role (客戶白金小|卡: a card's name, review 18)
        honorific = text.startswith(self._honorifics, end) or ID_BRACKET.match(text, end) is not None
        if not honorific and not plausible_given_name(text[sur_end:end], left or "punct"):
            return None  # the "given name" reads as ordinary text (控命, 依足): no name evidence
        if not word_surname_ok(text, start, sur_end, end, honorific, bool(options), left == "role"):
            return None
        if honorific and left is not None:
            return end, self.strong_score
        if left in ("role", "weak") and options:
            return end, self.strong_score
        if left in ("role", "weak") or honorific:
            return end, self.weak_score
        if left == "punct" and options and not self._is_boundary(text, start + 1 if not compound else start + 2):
            return end, self.weak_score
        return None

    def analyze(self, text: str, entities: list[str] | None = None, nlp_artifacts=None) -> list[RecognizerResult]:
        if entities and self.ENTITY not in entities:
            return []
        results: list[RecognizerResult] = []
        pos = 0
        n = len(text)
        regex = self._regex
        while pos < n:
            m = regex.search(text, pos)
            if m is None:
                break
            start = m.start()
            found = self._candidate(text, start, m.end())
            # compound alternative failed: try single surname, unless an honorific follows the compound (歐陽小姐 is
            # a surname-only mention, as 林小姐 is: review 17)
            if found is None and m.end() - start == 2 and not text.startswith(self._honorifics, m.end()):
                if text[start] in self._singles:
                    found = self._candidate(text, start, start + 1)
            if found is None:
                pos = start + 1
                continue
            end, score = found
            results.append(
                RecognizerResult(
                    self.ENTITY,
                    start,
                    end,
                    score,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
            )
            pos = end
        return results
