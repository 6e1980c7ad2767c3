"""Context enhancement on raw (unsegmented) Chinese text.

presidio's stock ``LemmaContextAwareEnhancer`` looks at lemmas of the 5 tokens before a match;
on unsegmented Chinese there are no useful tokens. This enhancer looks at a character window
around the match instead (cut at sentence ends) and lifts the score when one of the
recognizer's context words (or call-level context words) occurs in it.
"""

from __future__ import annotations

import re

from curate.pii.base import EntityRecognizer, RecognizerResult
from curate.pii.field_words import REPLY_OPENERS
from curate.pii.text import SENTENCE_END


def context_window(text: str, start: int, end: int, before: int = 20, after: int = 8) -> str:
    """The characters around ``text[start:end]``, cut at sentence ends.

    >>> context_window("上一句。本公司統一編號為22099131，完。", 12, 20)
    '本公司統一編號為，完'
    """
    left = text[max(0, start - before) : start]
    cut = max(left.rfind(c) for c in SENTENCE_END)
    if cut >= 0:
        left = left[cut + 1 :]
    if (cut < 0 and start > before) or cut >= 0:  # after a sentence end on the line too: 客戶：好的。1985/03/02
        newline = text.rfind("\n", max(0, start - before - _HEAD_MAX), start)  # a long speaker's tag: [10:03] 客戶：
        line = text[newline + 1 : start]
        question = _question(text, newline, line, before) if newline >= 0 else None
        if question is not None:
            left = question + line
    right = text[end : end + after]
    cuts = [i for i in (right.find(c) for c in SENTENCE_END) if i >= 0]
    if cuts:
        right = right[: min(cuts)]
    return left + right


#: what may stand before an answer on its line in a dialogue: a time or a speaker in brackets (``[10:03]``, ``[C]``)
#: and a speaker's tag with its colon (``客戶：``, ``Customer:``), or nothing
_ANSWER_HEAD = re.compile(r"[ \t]*(?:\[[^\]\n]{1,12}\][ \t]*)*(?:[^\s:：\[\]。!?;]{1,12}[ \t]*[:：])?[ \t]*")
#: replies that open a turn of another kind, a question, a request or another matter (``客戶：請問 2023/05/01 的交易``,
#: ``需要 2023/05/01 的明細``, ``還有，2023/05/01 那筆``): the value after them answers no question
_NOT_ANSWERING = frozenset("請問 请问 需要 不需要 麻煩 麻烦 還有 还有".split())
#: a short reply before the answer's value on its line (``客戶：好的，1985/03/02``, ``客戶：嗯，是1985/03/02``, ``OK，``,
#: ``好的。``, ``嗯…``, ``Customer: Sure, ``): what a person says before giving the value asked for; words of another
#: kind before it still end the question
_REPLY_LEAD = re.compile(
    "(?:(?:"
    + "|".join(sorted(map(re.escape, set(REPLY_OPENERS) - _NOT_ANSWERING), key=len, reverse=True))
    + r"|我的是|我是|是|嗯|恩|喔|哦|對|对|好|呃|欸|誒|诶|啊|唔"
    + r"|(?i:ok(?:ay)?|yes|yeah|yep|sure|right|it'?s|it\s+is)\b)[ \t，,、～~.…。!]*){1,3}"
)
#: a turn of a dialogue: a line that starts with a speaker's tag (``專員：``, ``[10:02] Agent:``)
_TURN = re.compile(r"[ \t]*(?:\[[^\]\n]{1,12}\][ \t]*)*[^\s:：\[\]。!?;]{1,12}[ \t]*[:：]")
#: a tag before an answer's value that is a field's label, no speaker's (``活動期間：``, ``截止日：``, ``Valid until:``):
#: the value is that field's, not an answer to the question before it (an FAQ's answer after a blank line)
_FIELD_TAG = re.compile(
    r"(?:期間|期限|日期|到期|時間|截止|有效|活動|(?i:\b(?:date|period|time|deadline|valid)\b))[^:：]*[:：]|日[ \t]*[:：]"
)
#: how much longer than the window a speaker's tag may make an answer's line
_HEAD_MAX = 16


def _question(text: str, newline: int, line: str, before: int) -> str | None:
    """The question a value answers, its context (review 14): the line that ends at ``newline`` (its last ``before``
    characters from its last sentence start) when it ends with a question mark (``客服：請問您的出生年月日？⏎客戶：
    民國72年8月14日``), or when it is a turn of a dialogue and the value's is too (``Agent：請提供出生日期⏎Customer：
    69.11.02``). ``line``, what stands before the value on its own line, is a speaker's tag (``[10:03] 客戶：``) or,
    after a question, nothing; None when the value has no question before it.

    >>> t = "客服：請問您的生日?\\n客戶：民國72年8月14日"
    >>> context_window(t, t.index("民"), len(t), 10, 0)
    '客服：請問您的生日客戶：'
    >>> t = "客服：請問您的生日?\\n客戶說下次再談，民國72年8月14日"
    >>> context_window(t, t.index("民"), len(t), 10, 0)
    '客戶說下次再談，'
    """
    head = _ANSWER_HEAD.match(line)
    lead = line[head.end() :] if head else line  # what stands after the speaker's tag: nothing, or a short reply
    if (lead and not _REPLY_LEAD.fullmatch(lead)) or _FIELD_TAG.search(line):
        return (
            None  # words before the value, or a field's label of its own (活動期間：113/08/14 after 生日禮怎麼領取？)
        )
    j = _line_end(text, newline)
    if j > 0 and text[j - 1] == "\n":  # one blank line between the turns, as many transcripts are laid out
        j = _line_end(text, j - 1)  # (two end the window: :data:`curate.pii.text.JOIN` between independent texts)
    if j == 0 or text[j - 1] == "\n":
        return None
    if text[j - 1] == "?":
        j -= 1
    elif not (head and head.group().strip() and _TURN.match(text, text.rfind("\n", 0, j) + 1)):
        return None  # a line after a statement, not after a turn of a dialogue (Agent：請提供出生日期)
    q = text[max(0, j - before) : j]
    return q[max(q.rfind(c) for c in SENTENCE_END) + 1 :]


def _line_end(text: str, newline: int) -> int:
    """Where the line that ends at ``newline`` ends without its trailing spaces, tabs and carriage returns."""
    j = newline
    while j > 0 and text[j - 1] in " \t\r":
        j -= 1
    return j


class RawTextContextEnhancer:
    """Lift scores when a context word occurs within a raw character window.

    Same call shape as presidio's ``ContextAwareEnhancer.enhance_using_context``, so the presidio
    adapter (:mod:`curate.pii.presidio_adapter`) can wrap it.
    """

    def __init__(self, boost: float = 0.35, floor: float = 0.4, before: int = 20, after: int = 8) -> None:
        self.boost, self.floor, self.before, self.after = boost, floor, before, after

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: object,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        by_id = {r.id: r for r in recognizers}
        extra = [w.lower() for w in context or []]
        for res in raw_results:
            meta = res.recognition_metadata or {}
            if meta.get(RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY):
                continue
            rec = by_id.get(meta.get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY))
            words = [w.lower() for w in (rec.context if rec else [])] + extra
            if not words:
                continue
            window = context_window(text, res.start, res.end, self.before, self.after).lower()
            if any(w in window for w in words):
                res.score = min(1.0, max(res.score + self.boost, self.floor))
                meta[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True
                res.recognition_metadata = meta
        return raw_results
