"""Quoted Simplified speech inside a Traditional sentence: one clause, converted whole (review 12).

客戶回覆：「我们下周再谈」，請業務同仁追蹤。 quotes a Simplified utterance; read clause by clause it has two
Simplified-only characters (们, 谈), fewer than ``min_signal_chars``, so only those were converted and 周 stayed
(我們下周再談, not 我們下週再談). A quoted span (「」, 『』, “”) on one line with no Traditional-only character and at
least :data:`MIN_QUOTED` Simplified-only ones is a Simplified clause of its own. A quoted term with one Simplified
character (「设置」) is still read as a typo, character by character.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

#: a quoted span on one line (the innermost pair of its kind)
QUOTE_RE = re.compile(r"「[^「」\n]*」|『[^『』\n]*』|“[^“”\n]*”")
#: the Simplified-only characters a quoted span with nothing Traditional-only needs to be converted whole
MIN_QUOTED = 2


def clauses(
    sent: str, clause_re: re.Pattern[str], simplified: Callable[[str], bool]
) -> Iterator[tuple[int, int, bool]]:
    """``(start, end, whole)`` of the clauses of ``sent`` (``clause_re``), where each quoted span that
    ``simplified`` accepts is one clause to convert whole (``whole`` True).

    >>> list(clauses("他說：「我们下周再谈」，好。", re.compile(r"[^，：]*(?:[，：]+|$)"), lambda q: True))
    [(0, 3, False), (3, 11, True), (11, 12, False), (12, 14, False)]
    """
    pos = 0
    for m in QUOTE_RE.finditer(sent):
        if simplified(m.group()):
            yield from _split(sent, pos, m.start(), clause_re)
            yield m.start(), m.end(), True
            pos = m.end()
    yield from _split(sent, pos, len(sent), clause_re)


def clause_runs(
    sent: str, clause_re: re.Pattern[str], simp: Callable[[str], int], trad: Callable[[str], int]
) -> list[tuple[int, int, bool, int, int, int]]:
    """``(start, end, whole, s, t, run)`` per clause of ``sent`` (:func:`clauses`): its Simplified-only and
    Traditional-only character counts, and ``run``, the Simplified-only characters of the run of adjacent clauses
    with nothing Traditional-only that holds it (review 16): 錯誤代碼：网络异常，请稍后重试 is a code then one Simplified
    message of two clauses, and 请稍后重试 (two Simplified-only characters, fewer than ``min_signal_chars``) is read
    with the clause before it, so 稍后 is 稍後, as in the message alone. A clause with a Traditional-only character
    or a quoted span converted whole ends a run.

    >>> [r[-1] for r in clause_runs("代碼：网络异常，请稍后", re.compile(r"[^，：]*(?:[，：]+|$)"),
    ...     lambda q: sum(c in "网络异请" for c in q), lambda q: sum(c in "碼" for c in q))]
    [0, 4, 4]
    """
    rows = []
    for a, b, whole in clauses(sent, clause_re, lambda q: not trad(q) and simp(q) >= MIN_QUOTED):
        q = sent[a:b]
        rows.append([a, b, whole, simp(q), trad(q), 0])
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and not rows[j][2] and not rows[j][4]:
            j += 1
        total = sum(r[3] for r in rows[i:j])
        for r in rows[i:j]:
            r[5] = total
        i = max(j, i + 1)
    return [tuple(r) for r in rows]


def _split(sent: str, a: int, b: int, clause_re: re.Pattern[str]) -> Iterator[tuple[int, int, bool]]:
    for m in clause_re.finditer(sent, a, b):
        if m.end() > m.start():
            yield m.start(), m.end(), False
