"""The detection view: a length-preserving copy of the text that recognizers read.

Three 1:1 foldings, so every offset in the view is an offset into the original text:

* full-width ASCII to half-width (``０９１２`` -> ``0912``, :func:`curate.pii.text.halfwidth`);
* a letter OCR read for a digit inside a run of digits to the digit (``O912-4l7-630``, :mod:`curate.pii.ocr_digits`);
* Simplified to Traditional characters in text written in Simplified, so that ``于必要时`` is read
  as ``於必要時`` (a preposition, not the surname 于) and ``发``/``發`` alike. Sentences that hold a
  Traditional-only character are left as they are (converting Traditional text corrupts it:
  ``姓于`` -> ``姓於``). A Simplified surname whose Traditional form is not a surname stays as
  written (``余``, ``范``, ``游``), unless that form is a function word (``于`` -> ``於``).

The character table ``schemas/pii/fold_s2t.tsv`` is derived from OpenCC's own converters
(Apache-2.0): each CJK code point converted alone with ``s2tw`` (``S`` rows: Simplified-only
characters and their one Taiwan form) and ``tw2s`` (``T`` rows: Traditional-only characters).
Regenerate it with ``python -m curate.pii.view > schemas/pii/fold_s2t.tsv``.
"""

from __future__ import annotations

import importlib.resources
import re
from functools import lru_cache

from curate.pii.ocr_digits import fold_ocr_digits
from curate.pii.text import halfwidth

_SENTENCE = re.compile(r"[^。！？!?\n;；]*[。！？!?\n;；]?")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], re.Pattern[str], re.Pattern[str], re.Pattern[str] | None]:
    """(Simplified -> Traditional table, Simplified-only class, Traditional-only class, kept-surname rule)."""
    text = importlib.resources.files("schemas").joinpath("pii", "fold_s2t.tsv").read_text(encoding="utf-8")
    fold: dict[int, str] = {}
    trad: list[str] = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if cols[0] == "S":
            fold[ord(cols[1])] = cols[2]
        elif cols[0] == "T":
            trad.append(cols[1])
    simp_class = re.compile("[" + "".join(sorted(chr(c) for c in fold)) + "]")
    # a Simplified surname whose Traditional form is no surname (余/餘, 范/範, 游/遊, 涂/塗) stays as written,
    # unless that form is a function word (于/於): function words stay out of the surname slot
    from curate.pii.names import STOP_AFTER
    from curate.pii.names import _tables as name_tables

    singles = name_tables()[0]
    for c in [c for c in fold if chr(c) in singles]:
        if fold[c] not in singles and fold[c] not in STOP_AFTER:
            del fold[c]
    # ... but a name with an honorific right after it keeps its surname (于美华女士)
    from curate.pii.names import HONORIFICS

    folded_surnames = "".join(sorted(chr(c) for c in fold if chr(c) in singles and fold[c] not in singles))
    hon = "|".join(sorted(HONORIFICS, key=len, reverse=True))
    keep = re.compile(f"[{folded_surnames}](?=[\u4e00-\u9fff]{{1,2}}(?:{hon}))") if folded_surnames else None
    trad_class = re.compile("[" + "".join(sorted(trad)) + "]")
    return fold, simp_class, trad_class, keep


def _translate(s: str, fold: dict[int, str], keep: re.Pattern[str] | None) -> str:
    out = s.translate(fold)
    if keep is not None:
        for m in keep.finditer(s):
            out = out[: m.start()] + m.group(0) + out[m.end() :]
    return out


def fold_simplified(text: str) -> str:
    """Simplified sentences of ``text`` in Traditional characters (same length); others unchanged.

    >>> fold_simplified("会计师于必要时")
    '會計師於必要時'
    >>> fold_simplified("客户于美华女士")  # a name with an honorific keeps its surname
    '客戶于美華女士'
    >>> fold_simplified("姓于的先生於臺北")  # Traditional: untouched
    '姓于的先生於臺北'
    """
    fold, simp, trad, keep = _tables()
    if not simp.search(text):
        return text
    if not trad.search(text):
        return _translate(text, fold, keep)
    out = []
    for m in _SENTENCE.finditer(text):
        s = m.group(0)
        out.append(_translate(s, fold, keep) if s and simp.search(s) and not trad.search(s) else s)
    return "".join(out)


def with_folded(words) -> tuple[str, ...]:
    """``words`` plus their detection-view forms (no duplicates, order kept).

    >>> with_folded(["帳號", "账号"])
    ('帳號', '账号', '賬號')
    """
    return tuple(dict.fromkeys([*words, *(fold_simplified(w) for w in words)]))


def detection_view(text: str) -> str:
    """Half-width and script-folded view of ``text`` (same length, same offsets).

    >>> detection_view("于先生手机０９１２")
    '於先生手機0912'
    """
    view = fold_ocr_digits(fold_simplified(halfwidth(text)))  # O/I/l a scan read for a digit (ocr_digits.py)
    # a line or paragraph separator (U+2028, U+2029: Word and web text; hygiene keeps them) is a line break to the
    # rules, which read \n only: a value or a labelled name cut by one was let through (line_breaks.py)
    return view.translate(_SEPARATORS) if "\u2028" in view or "\u2029" in view else view


_SEPARATORS = {0x2028: 0x0A, 0x2029: 0x0A}


def _generate() -> str:  # pragma: no cover - maintenance tool
    import opencc

    ranges = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))
    chars = [chr(c) for lo, hi in ranges for c in range(lo, hi + 1)]
    s2t = opencc.OpenCC("s2tw").convert("\n".join(chars)).split("\n")
    t2s = opencc.OpenCC("tw2s").convert("\n".join(chars)).split("\n")
    simp_img = {t for c, t in zip(chars, t2s, strict=True) if t != c}
    trad_img = {t for c, t in zip(chars, s2t, strict=True) if t != c}
    lines = [
        "# Simplified -> Traditional fold for PII detection (curate/pii/view.py); generated from OpenCC 1.4.2",
        "# converters (Apache-2.0): S = Simplified-only character and its s2tw form, T = Traditional-only (tw2s).",
    ]
    simp = {c: t for c, t in zip(chars, s2t, strict=True) if t != c and len(t) == 1 and c not in trad_img}
    trad = {c for c, s in zip(chars, t2s, strict=True) if s != c and c not in simp_img}
    both = set(simp) & trad
    lines += [f"S\t{c}\t{t}" for c, t in sorted(simp.items()) if c not in both]
    lines += [f"T\t{c}" for c in sorted(trad - both)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    import sys

    sys.stdout.write(_generate())
