"""English words that open a turn of a transcript or a date, never a person's name (review 15).

A role label reads the Latin value after its colon as a name (``Customer: Lin Chia-Hui``), and an English
transcript's speaker tags are role labels: ``Customer: Sure, thanks.``, ``Customer: Yes, 0928-416-730.``,
``Customer: It's 12 June 1990.`` were read as customers named Sure, Yes and It's, scrubbed, and, as labelled names,
propagated to every other record of the source (every ``Sure`` of a transcript corpus scrubbed). A value whose word
is one of these is what a person says, not who they are. Months that are also given names (April, May, June) are not
listed: they are a date only before its day (:func:`is_month_before_day`).
"""

from __future__ import annotations

import re

#: replies, greetings, fillers and pronoun forms an English turn opens with (compared in lower case, apostrophes
#: and hyphens stripped at the ends); not those that romanise a surname (Oh, So, He, You, How, Im, Ah)
LATIN_REPLY_WORDS = frozenset(
    (
        "sure yes yeah yep yup no nope nah ok okay okey alright right fine great good perfect thanks thank thx cheers "
        "hi hello hey bye goodbye sorry please pardon well um uh hmm er erm wait hold noted understood correct "
        "exactly absolutely certainly definitely indeed actually just let sounds got i i'm i've i'll i'd it's its it "
        "that's thats this that there here what who why when where which we they my our your not never maybe also "
        "and but then now speaking morning afternoon evening"
    ).split()
)
#: month names and their short forms that name no person (``March 14, 1982``; April, May, June, August, Jan and Jun
#: are given names, ``Beneficiary: Jun Chen``: :func:`is_month_before_day`)
MONTHS = frozenset(
    "january february march july september october november december feb mar apr jul aug sep sept oct nov dec".split()
)
#: every month's name, for a date's month before its day (``May 3, 1985``)
_ANY_MONTH = MONTHS | {"april", "may", "june", "august", "jan", "jun"}
_DAY_AFTER = re.compile(r"\.?,? ?\d")


def is_reply_word(word: str) -> bool:
    """Whether a capitalised Latin word is a reply or a month, not a name.

    >>> [is_reply_word(w) for w in ("Sure", "It's", "Thanks", "March", "Mary", "Lin", "May")]
    [True, True, True, True, False, False, False]
    """
    w = word.lower().strip("'’-").replace("’", "'")
    return w in LATIN_REPLY_WORDS or w in MONTHS


def is_month_before_day(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a month's name followed by its day (``May 3, 1985``): a date, no name.

    >>> t = "Customer: May 3, 1985"
    >>> is_month_before_day(t, 10, 13), is_month_before_day("Customer: May Lin", 10, 13)
    (True, False)
    """
    return text[start:end].lower().rstrip(".") in _ANY_MONTH and bool(_DAY_AFTER.match(text, end))


def opens_turn(text: str, words: list[re.Match[str]]) -> bool:
    """Whether the words of a Latin value read as a turn of a transcript or a date, not a name: the first is a
    reply or a month (:func:`is_reply_word`), or a month before its day (:func:`is_month_before_day`). Only the first:
    a later word may be a next field's label (``Tseng Hsiao-Wen Card No.:``).

    >>> t = "Customer: Sure, thanks."
    >>> opens_turn(t, list(re.finditer(r"[A-Za-z]+", t[10:]))), opens_turn("Lin", [re.match("Lin", "Lin")])
    (True, False)
    """
    if not words:
        return False
    first = words[0]
    return is_reply_word(first.group()) or is_month_before_day(text, first.start(), first.end())
