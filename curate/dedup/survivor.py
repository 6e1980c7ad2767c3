"""Survivor policy: which copy of a duplicate cluster stays active, and which rule decided."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from curate import textchars
from curate.dedup.config import DedupConfig
from provenance.licences import permissiveness
from sources.dates import leading_date
from sources.numerals import HAN_DIGITS, HAN_UNITS, han_to_digits


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the policy knows about one record."""

    id: str
    source_kind: str | None = None
    licence_id: str | None = None
    version: str | None = None
    length: int = 0
    document: str | None = None
    """The document the record belongs to (its ``container``, e.g. one law in one language)."""


_DIGITS = re.compile(r"\d+")


@functools.cache
def _unseen() -> np.ndarray:
    """Mask over all code points of the characters a reader does not see and hygiene deletes: zero-width spaces, BOM,
    bidi marks, soft hyphens, controls (:data:`curate.textchars.CONTROL`, :data:`~curate.textchars.ZERO_WIDTH`), less
    the joiners hygiene keeps inside an emoji sequence or a word. What hygiene keeps (variation selectors, tags, such
    joiners) counts: a hygiene-cleaned text's length is as stored before review 17, so records indexed before and
    after compare as one run would compare them."""
    body = (textchars.CONTROL + textchars.ZERO_WIDTH).encode().decode("unicode_escape")  # characters and ranges
    mask = np.zeros(0x110000, dtype=bool)
    for m in re.finditer(r"(.)-(.)|(.)", body, re.DOTALL):
        lo, hi = (m[1], m[2]) if m[1] else (m[3], m[3])
        mask[ord(lo) : ord(hi) + 1] = True
    mask[0x200C] = mask[0x200D] = False  # ZWNJ, ZWJ: counted by their neighbours (seen_length), as hygiene keeps them
    return mask


def seen_length(text: str) -> int:
    """The length the ``longer`` rule compares: the text without the invisible characters hygiene deletes. Counted as
    stored, a copy padded with zero-width spaces or a BOM (a PDF's, a web page's, in a pipeline without hygiene) was
    "longer" than a copy with more of the text and survived in its place; a copy differing only in them now ties, and
    the smaller id decides. A text hygiene cleaned counts as stored (whitespace too: the index holds the lengths of
    earlier runs).

    >>> seen_length("第\u200b2條\ufeff"), seen_length("第2條"), seen_length("第 2 條"), seen_length("\u2764\ufe0f")
    (3, 3, 5, 2)
    """
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    n = len(text) - int(np.count_nonzero(_unseen()[cps]))
    if "\u200c" in text or "\u200d" in text:  # a joiner counts where hygiene keeps it, not where it pads
        n -= sum(1 for m in _JOINERS.finditer(text) if not textchars.kept_joiner(text, m.start()))
    return n


_JOINERS = re.compile("[\u200c\u200d]")


def version_order(version: str | None) -> str:
    """``version`` with every run of digits compared by its value, not character by character (edition 10 after
    edition 2, 2024/10/1 after 2024/9/1; as stored, "10" < "2" chose the older edition).

    >>> version_order("10") > version_order("2"), version_order("2024/10/1") > version_order("2024/9/1")
    (True, True)
    >>> version_order("20230628") > version_order("20190116"), version_order(None)
    (True, '')
    >>> version_order("第１２版") < version_order("第13版"), version_order("第０９版") < version_order("第10版")
    (True, True)

    A version without a digit (``不詳``, ``n.d.``, ``unknown``, as a manifest's unknown date is written) says nothing
    of its age: it is no version (compared as text, a letter or a Han character came after every digit and such a copy
    was the newest of all):

    >>> version_order("不詳") < version_order("2024-01-01"), version_order("n.d."), version_order("NaN")
    (True, '', '')

    Han numerals are numbers too (a textbook's 三版, 第十二版, 初版; 民國一一三年): read as text, 四版 came after 五版,
    and taken for no version, 第三版 lost to 第2版:

    >>> version_order("四版") < version_order("五版"), version_order("第十版") > version_order("第9版")
    (True, True)
    >>> version_order("初版") < version_order("二版") < version_order("第3版"), version_order("民國一一三年")
    (True, '0042024年')

    A date in ROC years (a law's 113.05.01, 民國113年5月1日, 1130501) is the western day it names
    (:func:`sources.dates.leading_date`, what follows the day still counts), and so is an ROC year alone (民國113年): compared as written, 113.05.01 (2024)
    lost to 2023-01-01 and 民國110年 beat 2024-01-01:

    >>> version_order("113.05.01") > version_order("2023-01-01"), version_order("民國110年5月1日") < version_order("2024-01-01")
    (True, True)
    >>> version_order("民國113年") > version_order("2023"), version_order("1130501") == version_order("2024-05-01")
    (True, True)
    >>> version_order("112年版") < version_order("2024年版"), version_order("99年版") > version_order("2009年版")
    (True, True)
    >>> version_order("10.2.1") < version_order("10.10.0"), version_order("99.05.01") > version_order("2009-12-31")
    (True, True)
    >>> version_order("113.05.01 第2版") < version_order("113.05.01 第3版"), version_order("民國113年5月1日") == version_order("2024-05-01")
    (True, True)
    """
    if not version:
        return ""
    version = _HAN_NUMBER.sub(_han_number, version)
    lead = None if _RELEASE.match(version) else leading_date(version)
    if lead is not None:
        version = "".join(lead)  # the day as ISO, and what follows it (113.05.01 第3版 after 113.05.01 第2版)
    else:
        version = _ROC_YEAR.sub(_western_year, version)
    if not _DIGITS.search(version):
        return ""
    return _DIGITS.sub(_number, version)


_HAN_NUMBER = re.compile(f"初(?=版)|[{''.join(HAN_DIGITS)}{''.join(HAN_UNITS)}]+")


#: a dotted release number (10.2.1, 11.0.12): a two-digit first part and an unpadded single-digit second or third part
#: is no ROC date (those are written 99.05.01); read as ROC 10 (1921-02-01), 10.2.1 came after 10.10.0, no day
_RELEASE = re.compile(r"^\s*\d{2}\.(?:\d\.\d{1,2}|\d{1,2}\.\d)(?!\d)")


#: an ROC year at the start of a version that is no whole date (民國113年, 中華民國 99 年版, a textbook's 112年版: a year
#: of two or three digits before 年 is an ROC one in this corpus, whose first year is 1912)
_ROC_YEAR = re.compile(r"^\s*(?:(?:中華)?民國\s*(\d{1,3})|(\d{2,3}))\s*(?=年)")


def _western_year(m: re.Match[str]) -> str:
    return str(int(m.group(1) or m.group(2)) + 1911)


def _han_number(m: re.Match[str]) -> str:
    """A run of Han numerals as Arabic digits (:func:`sources.numerals.han_to_digits`, as text: no :class:`int` limit);
    初 (of 初版, the first edition) is 1."""
    s = m.group()
    return "1" if s == "初" else han_to_digits(s)


def _number(m: re.Match[str]) -> str:
    """A run of digits as its length and value (full-width ones, 第１２版 as typed in Chinese, read as their values:
    "１２" compared by code point beat "13")."""
    d = m.group()
    if not d.isascii():
        d = "".join(str(unicodedata.digit(c)) for c in d)
    d = d.lstrip("0")
    return f"{len(d):03d}{d}"


def rule_values(c: Candidate, config: DedupConfig) -> dict[str, object]:
    """Comparable value of every rule for one record (higher wins)."""
    return {
        "authority": config.authority_rank(c.source_kind),
        "licence": permissiveness(c.licence_id),
        "newest": version_order(c.version),
        "longer": c.length,
    }


def _key(c: Candidate, config: DedupConfig) -> tuple:
    vals = rule_values(c, config)
    return tuple(vals[r] for r in config.rules)


def choose(cands: list[Candidate], config: DedupConfig) -> Candidate:
    """The survivor: best by the configured rules in order; ties go to the smallest id.

    >>> cfg = DedupConfig()
    >>> choose([Candidate("a", "moda"), Candidate("b", "law_moj")], cfg).id
    'b'
    """
    best = cands[0]
    for c in cands[1:]:
        kc, kb = _key(c, config), _key(best, config)
        if kc > kb or (kc == kb and c.id < best.id):
            best = c
    return best


def deciding_rule(survivor: Candidate, removed: Candidate, config: DedupConfig) -> str:
    """Name of the first rule that prefers ``survivor`` over ``removed`` (``"id"`` for a tie).

    >>> cfg = DedupConfig()
    >>> deciding_rule(Candidate("a", "law_moj", length=5), Candidate("b", "law_moj", length=3), cfg)
    'longer'
    """
    vs, vr = rule_values(survivor, config), rule_values(removed, config)
    for r in config.rules:
        if vs[r] != vr[r]:
            return r
    return "id"
