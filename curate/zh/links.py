"""Web addresses in text: kept as written by the normaliser (review 10).

OpenCC converts every Han character it is given, also inside a link: ``https://example.com/download?id=干`` became
``…?id=幹`` and ``https://zh.wikipedia.org/wiki/中央银行`` pointed to another page. A link (a scheme ``http``, ``https``,
``ftp``, or ``www.``, an ASCII host, then a path up to whitespace, a quote, a bracket or Chinese punctuation) is no evidence of the text's script
and no conversion target. Only links holding a Han character matter: an ASCII link never changes.

Code is kept the same way (review 12): an inline code span between backticks on one line or a fenced block between
triple backticks (``python convert.py --mode 简体`` must run as written; 執行 `--mode 简体` 後 is no Simplified text).
"""

from __future__ import annotations

import re

#: a web address: an ASCII host (Chinese text run on to it is not the address: www.boc.cn了解详情), then a path, query
#: or fragment up to whitespace, quotes, brackets and CJK punctuation (full-width ones included)
LINK_RE = re.compile(
    r"(?:(?:https?|ftps?)://|www\.)[A-Za-z0-9.\-_~:@%+!$&*,;=]*"
    r"(?:[/?#][^\s\"'<>()\[\]{}（）「」『』【】《》〈〉，。、；：！？…]*)?",
    re.IGNORECASE,
)
#: Markdown code: a fenced block (triple backticks) or an inline span (backticks, one line, not empty)
CODE_RE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")


def link_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each link of ``text`` that holds a Han character, in order.

    >>> link_spans("请访问 https://example.com/a?id=干 下载，或 https://example.com/b。")
    [(4, 30)]
    >>> link_spans("请访问www.boc.cn了解详情")  # the address ends at its host
    []
    >>> link_spans("详见https://example.cn/rates查看汇率")  # or where Chinese text runs on to its last part
    []
    >>> link_spans("执行 `convert --mode 简体` 后")  # and code (CODE_RE)
    [(3, 22)]
    """
    out = []
    if "`" in text:
        out = [m.span() for m in CODE_RE.finditer(text) if _HAN.search(m.group())]
    if "://" not in text and "www." not in text.lower():
        return out
    for m in LINK_RE.finditer(text):
        a, b = m.span()
        b = a + _run_on(m.group())
        if _HAN.search(text[a:b]) and not any(c <= a < d for c, d in out):  # a link inside code is code
            out.append((a, b))
    return sorted(out)


def _run_on(link: str) -> int:
    """Where ``link`` ends when Chinese text runs on to its last part: at a Han character right after a letter or
    digit of the last path part with no ``.`` or ``/`` after it (``…/rates查看最新汇率`` ends at ``rates``; ``…/wiki/
    中央银行``, ``…?id=干`` and ``…/2024年報.pdf`` are whole)."""
    last = max(link.rfind(c) for c in "/?#=&")
    m = _RUN_ON.search(link, last + 1) if last >= 0 else None
    if m is None or any(c in link[m.end() - 1 :] for c in "./"):
        return len(link)
    return m.start() + 1


_RUN_ON = re.compile(r"[A-Za-z0-9][\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
