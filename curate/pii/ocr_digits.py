"""Digits a scan's OCR read as letters: ``O`` for 0, ``I`` and ``l`` for 1 (``手機：O912-4l7-630``,
``身分證字號：N2O2593253``, ``1981/O4/l6``, ``(O2)2345-6781``). The detection view reads such a letter as its digit,
1:1, inside a run of digits and these letters that stands alone (no Latin letter before or after it, so ``Oil``,
``Bill``, ``CO2`` and ``v1.2`` stay as written) and holds at least as many digits as such letters; a run of nine
after one capital letter standing alone is an ID's or a resident certificate's digits (``A82O377847``), and the
first of a run of ten is an ID's area letter (``O249628824``, ``I100000003``; ``l240069567`` typed for L), unless
an ``O`` before a 9 is a mobile number's 0 (``O9l2345678``) that no checksum reads as a resident certificate.
Letters only the view changes: every recognizer still checks the value it reads (checksums, lengths, context)."""

from __future__ import annotations

import re

from curate.pii.validators import validate_arc, validate_tw_id

#: a letter OCR reads for a digit, beside a digit (the cheap test most texts stop at)
_SCREEN = re.compile(r"[OIl](?=\d)|(?<=\d)[OIl]")
_RUN = re.compile(
    r"(?<![0-9OIl])(?:(?<![A-Za-z])|(?<=(?<![A-Za-z])[A-Z])(?=[0-9OIl]{9}(?![0-9A-Za-z])))[0-9OIl]+(?![A-Za-z])"
)
_DIGITS = str.maketrans("OIl", "011")


def _fold(m: re.Match[str]) -> str:
    run = m.group()
    if len(run) == 10 and run[0] in "OIl":  # an ID's area letter (O, I: O249628824; l typed for L), not a digit
        rest = _fold_digits(run[1:])
        if run[0] == "O" and rest[0] == "9" and not _checks(run[0] + rest):
            return "0" + rest  # a mobile number's 09 (手機：O9l2345678), not a resident certificate's O9…
        return run[0] + rest
    return _fold_digits(run)


def _checks(value: str) -> bool:
    """Whether ``value`` passes an ID's or a resident certificate's checksum."""
    return validate_tw_id(value) or validate_arc(value)


def _fold_digits(run: str) -> str:
    digits = sum(c.isdigit() for c in run)
    return run.translate(_DIGITS) if digits and digits >= len(run) - digits else run


def fold_ocr_digits(text: str) -> str:
    """``text`` with OCR's letters for digits read as the digits (same length).

    >>> fold_ocr_digits("手機：O912-4l7-630，統一證號 A82O377847，1981/O4/l6")
    '手機：0912-417-630，統一證號 A820377847，1981/04/16'
    >>> fold_ocr_digits("O249628824 l240069567 I1000OO003")
    'O249628824 l240069567 I100000003'
    >>> fold_ocr_digits("手機：O9l2345678")
    '手機：0912345678'
    >>> fold_ocr_digits("Oil 2 Bill 3 CO2 v1.2 I 2 Phase II")
    'Oil 2 Bill 3 CO2 v1.2 I 2 Phase II'
    """
    if not _SCREEN.search(text):
        return text
    return _RUN.sub(_fold, text)
