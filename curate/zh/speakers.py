"""A surname starting a clause before a reporting verb: the clause's speaker (余建国说, 范文涛说, 于长春表示).

:mod:`curate.zh.surnames` reads a name off the segmentation and a given-name score, or off a title after it. A
speaker named at the start of a clause often has neither: 建国 scores low as a given name, 长春 is a place's name
(the preposition 于 before a place is 於). A clause does not open with a prepositional phrase followed directly by a
reporting verb (于长春表示 has no subject as a preposition): at a clause's start, a surname with a one- or two-character
given name (:func:`curate.pii.given_names.given_ok`) and then a reporting verb (:data:`REPORTING`) or a day's word
(:data:`DAYS`: 余建国昨天提交) is a person,
unless the surname is the preposition 于, the given name a time or place word of the dictionary and the whole no
person's word (于北京表示 stays 於).
The surname must start a word of jieba's route no longer than the name, or a person's word (范文 of 范文|涛; 余额表示,
范例说明 are words: not names), or a word ending inside a two-character given name that scores as one (范志|强), and the
verb must start a word of the route (说 of 说明 does not).
The given name's characters read as one on balance (their given-name scores sum above 0: 于信中, 于官网, 于稍早, 余皆
are none), a two-character person's word of jieba spanning the name only with a given character scoring as a
one-character name (jieba tags 余震, 余兴, 范畴 as names), and after the preposition 于 the given name ends in no
locative (于文中指出, 于会上表示: a place in a text or an event).
"""

from __future__ import annotations

from curate.lexicon import dictionary_words, person_words, route, time_place_words

#: reporting verbs after a clause's subject, Simplified (the one-character ones must be a word of the route alone)
REPORTING = ("表示", "指出", "认为", "强调", "透露", "坦言", "回应", "解释", "承认", "介绍", "说", "称", "问")
#: day words after a clause's subject (余建国昨天提交…): a clause opens with no preposition before one
DAYS = ("昨天", "今天", "明天", "前天", "昨日", "今日", "明日", "上午", "下午")
#: surname characters that are also a preposition before a time's or a place's name (于北京, 于今天)
PREPOSITIONS = frozenset("于")
#: what may stand before a clause's first character
CLAUSE_OPEN = frozenset("。！？；，、：\n\r「『“‘（(【 \u3000")
#: locatives closing a noun after the preposition 于 (于文中, 于会上, 于席间): a prepositional phrase, no name
LOCATIVES = frozenset("中上下里内外前后间")
_LOOK = 6


def clause_speaker(text: str, p: int, a: int, b: int) -> bool:
    """``text[p]`` (a surname character in ``text[a:b]``) opens a clause and names its speaker."""
    from curate.pii.given_names import given_ok
    from curate.pii.names import given_char_scores
    from curate.pii.segmented_names import MIN_GIVEN_ONE, MIN_GIVEN_TWO

    if p > a and text[p - 1] not in CLAUSE_OPEN:
        return False
    if p == a and a > 0 and text[a - 1] not in CLAUSE_OPEN:
        return False
    for k in (2, 1):
        e = p + 1 + k
        if e >= b or not given_ok(text, p + 1, e):
            continue
        score = sum(given_char_scores().get(c, 0.0) for c in text[p + 1 : e])
        if score <= 0 or (text[p] in PREPOSITIONS and text[e - 1] in LOCATIVES):
            continue  # 于信中, 余皆: no given name's characters; 于文中: a locative phrase
        verb = next((v for v in REPORTING + DAYS if text.startswith(v, e) and e + len(v) <= b), None)
        if verb is None:
            continue
        if text[p] in PREPOSITIONS and text[p + 1 : e] in time_place_words() and text[p:e] not in person_words():
            continue  # 于北京表示: a place's name, no one's (于长春 is a name of jieba's dictionary; 余建国 no place)
        words = route(text, p, min(b, e + _LOOK), dictionary_words())
        starts = dict(words)
        if e not in starts or (len(verb) == 1 and starts[e] != e + 1):
            continue  # the verb is inside a word (说明, 称号)
        if any(i < e < j for i, j in words):
            continue
        first = starts[p]
        # a two-character person's word spanning the name is one only with a given character scoring as a name alone
        # (jieba tags 余震, 余兴, 范畴 as people's names; 范文 of 范文|涛 ends inside the name)
        person = text[p:first] in person_words() and (first - p > 2 or first < e or score >= MIN_GIVEN_ONE)
        if first - p > 1 and not person:
            if first >= e or k < 2 or score < MIN_GIVEN_TWO:
                return False  # the surname starts a word that is no name (余额, 范例, 于是)
            # 范志|强: a word of the route ends inside a two-character given name that scores as one
        return True
    return False
