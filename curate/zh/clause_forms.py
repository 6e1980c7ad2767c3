"""A short Simplified clause in a Traditional sentence, read at the character level (review 17).

臺灣銀行公告：请稍后再试。 is a Traditional notice and a Simplified message of one clause with two Simplified-only
characters (请, 试): fewer than ``min_signal_chars``, so it was read as a typo, word by word, and 稍后 (no
Simplified-only character) kept its 后 (請稍后再試). Two Simplified-only characters and nothing Traditional-only
(:data:`SIMPLIFIED_CLAUSE`) are a Simplified clause, not a typo: every character that its character-level conversion
(OpenCC s2tw's phrases and the MOE forms, no rewording) changes takes it (稍后 -> 稍後). A single one stays a typo
(得准移充清算费用 keeps 准). s2tw's phrases keep what Traditional writes so (核准, 皇后, 設置); the terminology's
spellings decide their characters (于先生, 面签 -> 面簽); its rewordings are not done in a Traditional sentence
(设置 stays 設置, not 設定: the clause keeps its words); a surname before a given name (于海涛经理) stays.
"""

from __future__ import annotations

from collections.abc import Mapping

from curate.zh.surnames import surname_positions
from curate.zh.terms import TermMatcher

#: Simplified-only characters (and nothing Traditional-only) that make a clause of a mixed sentence Simplified at the
#: character level (fewer: a typo, converted word by word; ``min_signal_chars``: with the terminology's rewordings)
SIMPLIFIED_CLAUSE = 2


def clause_forms(
    matcher: TermMatcher, sent: str, a: int, b: int, simp: str, conv: str, surnames: bool = True
) -> tuple[list[int], str]:
    """The positions of ``sent[a:b]`` to convert and their forms (``conv`` with the terminology's spellings).

    ``simp``: the clause read as Simplified; ``conv``: its character-level conversion (as long as the clause);
    ``surnames`` False (no terminology layer): no surname kept.
    """
    clause = sent[a:b]
    keep = {p - a for p in surname_positions(sent, a, b)} if surnames else set()
    forms = list(conv)
    back: Mapping[str, str] = matcher.readback or {}
    for i, j in matcher.find(simp):
        key = simp[i:j]
        rep = matcher.table[key][0]
        if len(rep) != j - i:
            keep.update(range(i, j))
        elif back.get(key, key) == key:  # a spelling (于先生, 面签 -> 面簽), not another word (设置 -> 設定)
            forms[i:j] = rep
    marked = [p for p in range(len(clause)) if forms[p] != clause[p] and p not in keep]
    return marked, "".join(forms)
