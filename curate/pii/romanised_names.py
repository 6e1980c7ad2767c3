"""Romanised Taiwanese names in English or bilingual running text (review 15): ``tuition for Chen Yu-Ting``,
``remit to beneficiary HSU MING-CHE``, ``我們跟 Kevin Liao confirm 過了``, ``Attendees: David Lin, Grace Huang``.

The Latin-name rule (:mod:`curate.pii.latin_names`) needs a Han role word, a title or a label before a name; English
prose has none, and each of those went through in clear. A romanised name has a shape of its own, read here as
evidence as a checksum is:

* a surname of :data:`SURNAMES` (Wade-Giles, pinyin and the spellings of Taiwanese passports) and a given name of
  two syllables joined by a hyphen (``Chen Yu-Ting``, ``HSU MING-CHE``, ``Huang Mei-Hua``), the passport form; or
* an English given name of ``schemas/pii/english_given_names.txt`` (:mod:`curate.pii.english_given_names`; no
  organisation's, product's, reply's or month's word) before such a surname (``Kevin Liao``, ``Grace Huang``), where
  the given name is not itself a surname (``Hong Kong``). Any capitalised word before a surname was read as one, and
  English words before a word a surname spells (``Governing Law``, ``Japanese Yen``, ``Offshore Yuan``, ``The Lin
  family``) or romanised places and charities (``Kwun Tong``, ``Tzu Chi``, ``Jih Sun``) were scrubbed as names.

Either is no name when a capitalised word stands right before or after it (``National Sun Yat-sen University``,
``Shin Kong Life``, ``Chairman David Lin Foundation``): a longer proper name, an institution's; a title or a
salutation before it is none (``Prof. Chen Shih-Hao``), nor is an organisation after ``of`` (``Chen Shih-Hao of Cathay
United Bank``: the person's employer).
"""

from __future__ import annotations

import re

from curate.pii.english_given_names import english_given_names

#: romanised surnames of Taiwan (lower case): the common ones in Wade-Giles, Tongyong/pinyin and passport spellings
SURNAMES = frozenset(
    (
        "chen chan chang zhang cheung lin lim lam huang hwang wong wang wu ng liu lau tsai cai choi yang yeung hsu xu "
        "hsueh cheng zheng hsieh xie tse kuo guo kwok hung hong chiu qiu tseng zeng liao lai chou zhou chow yeh ye "
        "su chuang zhuang lu lo luo law kao gao hsiao xiao chien jian chu zhu pan sung song tang fan ho he peng fang "
        "shih shi yu tu du chung zhong wei chiang jiang tai dai fu ku gu teng deng yen yan chao zhao lee li hu "
        "chi ji sun kang jen ren chueh yao tsao cao tsou zou lien lian tien tian weng hou shen tsui cui wen cho chuo "
        "kuan kwan mao ou lei tung tong chin kan kung yin yuan tsay"
    ).split()
)
_SYL = r"[A-Z][a-z]{1,5}|[A-Z]{2,6}"
#: surname and hyphenated given name (Chen Yu-Ting, HSU MING-CHE, Sun Yat-sen); or given name and surname
_SHAPE = re.compile(
    rf"(?<![A-Za-z])(?:(?P<sur>{_SYL}) (?P<given>(?:{_SYL})-(?:{_SYL}|[a-z]{{2,6}}))"
    rf"|(?P<first>[A-Z][a-z]{{1,11}}) (?P<last>[A-Z][a-z]{{1,6}}))(?![A-Za-z'’-])"
)
#: a capitalised word right before or after: the name is part of a longer proper name
_CAP_BEFORE = re.compile(r"[A-Z][A-Za-z.]*[ ]$")
_CAP_AFTER = re.compile(r"[ ][A-Z]")
#: capitalised words that are no English given name before a surname: places (Taiwan Li, Kaohsiung Chen, Hong Kong's
#: Sai Kung, a given name of the list too) and a letter's closing (Best Chen)
_NOT_GIVEN = frozenset(
    "taiwan taipei kaohsiung taichung tainan taoyuan hsinchu keelung chiayi yilan hualien taitung pingtung miaoli "
    "changhua nantou yunlin penghu kinmen matsu china japan korea asia america europe best kind warm sai".split()
)
#: capitalised words before a name that open a letter or a line, or a person's title, not a proper name (Dear Huang
#: Mei-Hua, Prof. Chen Shih-Hao)
_SALUTATIONS = frozenset(
    "dear hi hello attn to cc from by with for thanks thank prof professor mr mrs ms miss mdm madam dr sir".split()
)


def romanised_names(text: str, not_name: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """Spans of romanised names in ``text`` (see the module docstring); a word of ``not_name`` (products, channels:
    :data:`curate.pii.latin_names.NOT_NAME_WORDS`, lower case) makes none.

    >>> t = "tuition for Chen Yu-Ting; 跟 Kevin Liao 說; Hong Kong; National Sun Yat-sen University; Dear Lin Ya-Wen,"
    >>> [t[s:e] for s, e in romanised_names(t)]
    ['Chen Yu-Ting', 'Kevin Liao', 'Lin Ya-Wen']
    """
    from curate.pii.labels import LATIN_NOT_NAME
    from curate.pii.latin_replies import is_reply_word

    out, pos = [], 0
    while m := _SHAPE.search(text, pos):
        pos = m.start() + 1  # a rejected `Dear Huang` may start `Huang Mei-Hua`
        if m.group("sur"):
            ok = m.group("sur").lower() in SURNAMES
            words = [m.group("sur"), *m.group("given").split("-")]
        else:
            first = m.group("first")
            ok = m.group("last").lower() in SURNAMES and not is_reply_word(first)
            # an English given name of the list, not any capitalised word: Governing Law, Japanese Yen, Tzu Chi
            ok = (
                ok
                and first.lower() not in SURNAMES
                and first.lower() not in _NOT_GIVEN
                and first in english_given_names()
            )
            words = [first, m.group("last")]
        if not ok or any(w.lower() in LATIN_NOT_NAME or w.lower() in not_name for w in words):
            continue
        before = _CAP_BEFORE.search(text, max(0, m.start() - 30), m.start())
        if (before and before.group().strip(" .").lower() not in _SALUTATIONS) or _CAP_AFTER.match(text, m.end()):
            continue
        out.append((m.start(), m.end()))
        pos = m.end()
    return out


def prescreen_pattern() -> str:
    """What the engine's pre-screen needs to send a text to :func:`romanised_names`: the shapes it reads, a word and a
    hyphenated pair (``Chen Yu-Ting``) or a capitalised word before a surname of :data:`SURNAMES` (``Kevin Liao``).
    Any two capitalised words sent nearly every English text to every recognizer (review of 58cc717a).

    >>> p = re.compile(prescreen_pattern())
    >>> [bool(p.search(t)) for t in ("for Chen Yu-Ting", "HSU MING-CHE", "Kevin Liao", "Value Date", "Mr Linwood")]
    [True, True, True, False, False]
    """
    surnames = "|".join(sorted((w.capitalize() for w in SURNAMES), key=len, reverse=True))
    return rf"[A-Z][A-Za-z]{{1,5}} [A-Z][A-Za-z]{{1,5}}-[A-Za-z]|[A-Z][a-z]{{1,11}} (?:{surnames})(?![A-Za-z])"
