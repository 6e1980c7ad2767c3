"""Whether the words after a surname spell a given name (review 16r): after an English role word, the words after a
romanised surname are a name only where they spell one or two syllables of a Chinese given name (``Zhang Wei``,
``Wang Xiaoming``, ``Chen Yuting``, ``Lin Chihhao``), and after a Vietnamese surname only where each spells one
Vietnamese syllable (``Tran Minh``, ``Le Hoang Nam``). English words after a word that a surname spells name a
company or a place (``Yang Ming Marine``, ``Sun Life``, ``Lee Gardens``): they spell no such syllables.

Syllables are read by their shape, an initial then a final, in Hanyu Pinyin and in the Wade-Giles spellings of
Taiwanese passports (``hs``, ``ts``, ``tz``, ``ih``, ``ien``, ``ieh``, ``ung``); a bare ``e`` after b, p or f is none
(``Life`` is no ``li fe``).
"""

from __future__ import annotations

import re

_INITIAL = r"(?:zh|ch|sh|hs|ts|tz|sz|[bpmfdtnlgkhjqxrzcsyw])"
_FINAL = (
    r"(?:iang|iong|uang|ueng|iung|ang|eng|ing|ong|ung|iao|ian|ien|ieh|ueh|uai|uan|uei|ai|ei|ao|ou|an|en|in|un|ia|ie"
    r"|iu|ua|uo|ui|ue|ih|uh|eh|er|a|o|i|u|v|ü)"
)
_SYLLABLE = rf"(?:{_INITIAL}?{_FINAL}|(?:zh|ch|sh|ts|tz|[dtnlgkhrzcsmy])?e)"
_CHINESE = re.compile(_SYLLABLE)
_VOWELS = "aeiouyàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
_VIETNAMESE = re.compile(
    rf"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?[{_VOWELS}]{{1,3}}(?:ch|ng|nh|[cmnpt])?"
)


def _syllables(word: str) -> int:
    """How many pinyin or Wade-Giles syllables ``word`` spells (the fewest), 0 where it spells none."""
    w = word.lower()
    best = {0: 0}  # position -> fewest syllables to reach it
    for i in range(len(w)):
        if i not in best:
            continue
        for j in range(i + 1, min(len(w), i + 6) + 1):
            if _CHINESE.fullmatch(w, i, j) and best.get(j, 99) > best[i] + 1:
                best[j] = best[i] + 1
    return best.get(len(w), 0)


def chinese_given_name(words: list[str]) -> bool:
    """Whether ``words`` spell a Chinese given name: one or two syllables in all.

    >>> chinese_given_name(["Wei"]), chinese_given_name(["Xiaoming"]), chinese_given_name(["Chih", "Hao"])
    (True, True, True)
    >>> chinese_given_name(["Ming", "Marine"]), chinese_given_name(["Life"]), chinese_given_name(["Gardens"])
    (False, False, False)
    """
    counts = [_syllables(w) for w in words]
    return bool(words) and all(counts) and sum(counts) <= 2


def vietnamese_given_name(words: list[str]) -> bool:
    """Whether each of ``words`` (one to three) spells one Vietnamese syllable.

    >>> vietnamese_given_name(["Minh"]), vietnamese_given_name(["Hoang", "Nam"]), vietnamese_given_name(["Gardens"])
    (True, True, False)
    """
    return 0 < len(words) <= 3 and all(_VIETNAMESE.fullmatch(w.lower()) for w in words)
