"""Surnames of people named without a title in Simplified text (余伟 -> 余偉, 于晓明 -> 于曉明, not 餘偉, 於曉明).

``schemas/zh/surnames.toml`` lists the surnames OpenCC converts one-to-many; before a title or after 姓 the
terminology layer keeps them (:func:`curate.zh.terms.surname_terms`). A name is often written without either. Here a
surname character of that list whose OpenCC form is not its surname form (余 -> 餘, 于 -> 於, 范 -> 範, 钟 -> 鐘) is
kept as the surname where it starts a person's name:

* the word segmentation reads it as one (:func:`curate.pii.segmented_names.segmented_name`, the PII stage's rule: a
  surname and a given name scoring high, with word edges around them, the surname inside no dictionary word: 于是,
  余额, 余下, 范围 stay words and are converted);
  and no place's or organisation's last character after the name (于光明路 is 於光明路: :data:`PLACE_ENDS`), the
  given name no time or place word of the dictionary (于宁波, 于国庆假期, 于凌晨 are 於: the preposition);
* or it opens a clause before a reporting verb (:mod:`curate.zh.speakers`: 余建国说, 于长春表示);
* or a title of ``surnames.toml`` follows its one- or two-character given name (余伟先生, 于海涛经理), the surname
  starting a word of jieba's route.

Only characters of the Simplified segments being converted are read: Traditional text is never touched.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from curate._optional import require
from curate.lexicon import dictionary_words, noun_words, route, time_place_words
from curate.zh.speakers import clause_speaker
from curate.zh.titles import title_positions

#: characters of the route read after a title candidate's surname
_WINDOW = 8
#: characters after a candidate that the name rule may read (a given name, a married name, the words after it)
_AROUND = 48
#: a place's or an organisation's last character: a candidate before one names the place (于光明路, 于新华社)
PLACE_ENDS = frozenset("路街道巷弄区市县省州镇乡村里港湾岛山河江湖桥站厂店行社司局所院校楼园号馆")


@functools.cache
def _tables() -> tuple[dict[str, str], re.Pattern[str] | None, re.Pattern[str] | None]:
    from curate.pii.given_names import not_given_chars
    from curate.zh.terms import surname_table

    table = surname_table()
    s2tw = require("opencc", extra="zh", purpose="surnames").OpenCC("s2tw").convert
    forms = {simp: trad for simp, trad in table.surnames.items() if len(simp) == 1 and s2tw(simp) != trad}
    titles = sorted((t for t in table.titles if len(t) > 1), key=len, reverse=True)
    # a candidate is followed by a Han character that may start a given name (given_ok: the name rule and the title
    # rule read none before a character of not_given_chars, the 于 of 于本法 or 于其 is no name: not a candidate at all)
    bad = "".join(sorted(c for c in not_given_chars() if "\u4e00" <= c <= "\u9fff"))
    nope = f"(?![{re.escape(bad)}])" if bad else ""
    pattern = re.compile("[" + "".join(sorted(forms)) + "]" + nope + "(?=[\u4e00-\u9fff])") if forms else None
    # one regex for "a title starts here" (a generator of str.startswith over every title took half the time of a
    # Simplified law article's surname scan)
    title_re = re.compile("|".join(map(re.escape, titles))) if titles else None
    return forms, title_re, pattern


def _titled(text: str, p: int, b: int, title_re: re.Pattern[str] | None) -> bool:
    """A title follows a one- or two-character given name after the surname at ``p``, which starts a route word
    no longer than the name."""
    from curate.pii.given_names import given_ok

    if title_re is None:
        return False
    for k in (2, 1):
        e = p + 1 + k
        if e < b and title_re.match(text, e) and given_ok(text, p + 1, e):
            lo = max(0, p - _WINDOW)
            words = route(text, lo, min(b, e + _WINDOW), dictionary_words())
            if any(i <= p < j and (i < p or j > e) for i, j in words):
                continue  # the surname is inside a longer word (于是, 其余)
            return True
    return False


#: one-character titles a surname takes alone in Mainland usage (于总 for 于 the general manager, 游董 for 游 the
#: chairman); not in surnames.toml: a title there is a terminology entry too, and 总 and 董 start many words (总部, 董事会)
SHORT_TITLES = frozenset("总董")


@functools.cache
def _bare_title_re() -> re.Pattern[str] | None:
    """A surname of the list directly before a one-character title (于总, 游董). Before a title of surnames.toml
    (于先生, 于总经理) the terminology layer's entries keep it: such a record stays on the vectorised path."""
    forms = _tables()[0]
    if not forms:
        return None
    return re.compile("[" + "".join(sorted(forms)) + "](?=[" + "".join(sorted(SHORT_TITLES)) + "])")


def _bare_titled(text: str, p: int, b: int) -> bool:
    """The surname at ``p`` and the one-character title after it are words of jieba's route alone (review 16):
    于总已经签字 is 于 | 总 | 已经, 游董说 游 | 董 | 说, while 位于总部 (位于 | 总部), 于总体而言 (于 | 总体而言) and 于董事会
    (于 | 董事会) are no name before a title, nor 于总、分行, 于董、监事 (a shared head) or 于总分行 (an organisation)."""
    lo = max(0, p - _WINDOW)
    words = route(text, lo, min(b, p + 2 + _WINDOW), dictionary_words())
    if (p, p + 1) not in words or (p + 1, p + 2) not in words:
        return False
    # 于总、分行 (总行、分行), 于董、监事 (董事、监事): a shared head, unless the list is of titled names (于总、李总)
    if text[p + 2 : p + 3] == "、":
        return any(c in SHORT_TITLES for c in text[p + 3 : p + 6])
    # the title starts an organisation's name (于总分行, 于总支行: 总 | 分行 is the head and branch offices) or a
    # noun's (存放于总账户: 总 | 账户 is the general account); the manager 于 is read before a verb, an adverb, a
    # particle (于总已经签字, 于总说, 于总的意见), as on main the noun stays ambiguous (于总办公室 is 於總辦公室)
    nouns = noun_words()
    return not any(i == p + 2 and (text[j - 1] in PLACE_ENDS or text[i:j] in nouns) for i, j in words)


def _time_or_place(text: str, a: int, b: int) -> bool:
    """The given name ``text[a:b]`` starts with a time or place word of the dictionary (国庆, 凌晨, 宁波)."""
    words = time_place_words()
    return any(text[a : a + k] in words for k in range(2, min(4, b - a) + 1))


def surname_positions(text: str, a: int = 0, b: int | None = None) -> dict[int, str]:
    """Positions in ``text[a:b]`` (a Simplified segment) of surnames starting a person's name -> the surname form."""
    forms, title_re, pattern = _tables()
    if pattern is None:
        return {}
    b = len(text) if b is None else b
    from curate.pii.segmented_names import segmented_name

    out: dict[int, str] = {}
    if (bare := _bare_title_re()) is not None:
        out.update((m.start(), forms[m.group()]) for m in bare.finditer(text, a, b) if _bare_titled(text, m.start(), b))
    last = -2
    for m in pattern.finditer(text, a, b):
        p = m.start()
        if p < last + 2:
            continue
        lo = max(0, p - _WINDOW)  # the rule reads a few characters around the name: no copy of the whole text
        end = segmented_name(text[lo : min(b, p + _AROUND)], p - lo, p - lo + 1)
        end = None if end is None else end + lo
        if end is not None and (text[end : end + 1] in PLACE_ENDS or _time_or_place(text, p + 1, end)):
            end = None  # 于宁波, 于国庆假期, 于凌晨: the preposition before a place's or a time's name
        if end is not None or _titled(text, p, b, title_re) or clause_speaker(text, p, a, b):
            out[p] = forms[text[p]]
            last = p
    return out


def split_targets(
    text: str,
    targets: list[tuple[int, int, int]],
    fixed: dict[int, str],
    fold: Callable[[str], str],
    known: dict[int, str] | None = None,
    *,
    surnames: bool = True,
) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
    """``targets`` with each surname found in them and each character of a book title (:mod:`curate.zh.titles`,
    converted by ``fold``) as a one-character target of its own (its form in ``fixed``), and the surnames' spans
    (decided: no ambiguity flag). A target's Simplified count stays on its first piece. ``known``: the
    :func:`surname_positions` of the whole text when the caller read them already (used for a target that is the
    whole text: :func:`curate.zh.batch.normalise_many` reads them to choose the path). ``surnames`` False (no
    terminology layer, ``NormaliseConfig(terminology=False)``): the titles only, never reworded by s2twp either."""
    out: list[tuple[int, int, int]] = []
    spans: list[tuple[int, int]] = []
    marks = "《" in text or "〈" in text  # once per record, not per target (a mixed record holds thousands)
    for ta, tb, s in targets:
        if tb - ta < 2:
            out.append((ta, tb, s))
            continue
        if not surnames:
            names = {}
        elif known is not None and ta == 0 and tb == len(text):
            names = known
        else:
            names = surname_positions(text, ta, tb)
        found = title_positions(text, ta, tb, fold) if marks else {}
        if not names and not found:
            out.append((ta, tb, s))
            continue
        found.update(names)
        pos = ta
        for p in sorted(found):
            if p > pos:
                out.append((pos, p, s))
                s = 0
            fixed[p] = found[p]
            out.append((p, p + 1, 0))
            if p in names:
                spans.append((p, p + 1))
            pos = p + 1
        if pos < tb:
            out.append((pos, tb, s))
    return out, spans
