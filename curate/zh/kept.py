"""What the normaliser keeps as written: spans of a record that are no evidence of its script and no target.

One list of spans per kind, each in order: Japanese sentences (:mod:`curate.zh.japanese`), links and code holding
Han characters (:mod:`curate.zh.links`), Cantonese words in Cantonese sentences (:mod:`curate.zh.cantonese`).
"""

from __future__ import annotations

import re

from curate.zh.cantonese import cantonese_spans
from curate.zh.japanese import japanese_spans
from curate.zh.links import link_spans

__all__ = ["kept_spans"]


def kept_spans(text: str, sentence_re: re.Pattern[str]) -> list[list[tuple[int, int]]]:
    """The non-empty span lists of ``text`` kept as written.

    >>> from curate.zh.normalise import SENT_RE
    >>> kept_spans("見 https://a.cn/?q=干。佢走晒。", SENT_RE)
    [[(2, 19)], [(22, 23)]]
    """
    found = (japanese_spans(text, sentence_re), link_spans(text), cantonese_spans(text, sentence_re))
    return [spans for spans in found if spans]
