"""Authors in a citation (review 14): ``（參見張志銘，2018，頁112）``, ``陳聰明（2020）指出``,
``李文德、王曉君（2017）。金融消費者保護法釋義``, ``Chen (2019)``.

Training material and research reports cite published authors by name and year; the name is public authorship,
not a customer's data, and scrubbing it breaks the reference (as the licence's credit is kept: README). A name is
an author's when a year of publication follows it in the citation's form: in brackets (``（2020）``, ``(2019a)``,
``（2018，頁45）``) or after a comma before a page or a closing bracket (``，2018，頁112``, ``, 2018, p. 12``, ``（林聰明，2021）``), also through a list of
authors (``李文德、王曉君（2017）``, ``林大同與陳美玲（2015）``, ``王小明等（2016）``). A name after a person's role
or label (``客戶王小明（1962）``) stays a name: a note of a customer's year of birth is personal data. So does a name
whose bracketed year is followed by what a citation is not followed by (review 14 of the fixes): an author's year is
followed by a verb of reporting (指出, 認為, 研究 ...), a punctuation mark, a title or the end of the text, or by more
authors with their years; ``陳聰明（2020）於本行申請房貸`` and ``王小明（1962）三人共同借款`` are customers.
"""

from __future__ import annotations

import re

_YEAR = r"(?:19|20)\d{2}[a-z]?"
#: what follows an author's name: more authors, then the year in the citation's form
_CITED = re.compile(
    r"(?:[、與与和及,，][\u4e00-\u9fff]{2,4})*(?:等人?|et al\.?)?"
    rf"(?:[ ]?[（(]{_YEAR}(?:[，,][ ]?(?:頁|页|p\.|pp\.)[ ]?\d+(?:[-–]\d+)?)?[)）]"
    rf"|[，,][ ]?{_YEAR}(?:[，,][ ]?(?:頁|页|p\.|pp\.)|[)）]))"
)
#: what follows an author's bracketed year in running text: a verb of reporting, a punctuation mark, a title
_AFTER = re.compile(
    r"[ ]?(?:指出|認為|认为|研究|發現|发现|主張|主张|提出|分析|整理|建議|建议|定義|定义|說明|说明|歸納|归纳|探討|探讨"
    r"|表示|提到|強調|强调|亦|也|則|则|之研究|的研究|之觀點|的觀點|之见解|之見解|的看法|一文|一書|一书|等"
    r"|[。．.，,；;：:）)」』《〈》〉\]]|\s*$)"
)
#: another author and year in a list of citations (``陳聰明（2020）、李大同（2019）指出``)
_NEXT = re.compile(rf"[、與与和及][\u4e00-\u9fff]{{2,4}}(?:等人?)?[ ]?[（(]{_YEAR}[)）]")

_BRACKETED = re.compile(rf"[（(]{_YEAR}")


def cited(text: str, start: int, end: int) -> bool:
    """Whether the name at ``text[start:end]`` is an author's in a citation (see the module docstring).

    >>> t = "參考文獻：李文德、王曉君（2017）。"
    >>> cited(t, 5, 8), cited(t, 9, 12), cited("（參見張志銘，2018，頁112）", 3, 6), cited("客戶王小明（1962）", 2, 5)
    (True, True, True, False)
    >>> cited("王小明（A123456789）", 0, 3), cited("王小明，2018年開戶", 0, 3), cited("（林聰明，2021）", 1, 4)
    (False, False, True)
    >>> cited("陳聰明（2020）於本行申請房貸", 0, 3), cited("陳聰明（2020）、李大同（2019）指出", 0, 3)
    (False, True)
    """
    m = _CITED.match(text, end)
    if not m:
        return False
    if _BRACKETED.search(m.group()):  # 陳聰明（2020）…, not （林聰明，2021）: a bracket closes that citation
        at = m.end()
        while n := _NEXT.match(text, at):
            at = n.end()
        if not _AFTER.match(text, at):
            return False  # 陳聰明（2020）於本行申請房貸: a customer's year, no citation's
    from curate.pii.latin_names import role_before

    return not role_before(text, start)


def drop_cited(text: str, spans: list) -> list:
    """``spans`` without the names of cited authors."""
    return [s for s in spans if s.entity_type != "PERSON" or not cited(text, s.start, s.end)]
