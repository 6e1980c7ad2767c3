"""E-mail addresses written to dodge harvesters: ``yating.hsu(at)gmail.com``, ``kevin_lo [at] yahoo.com.tw``,
``chen0815 at hotmail dot com``, ``wang.mei(at)ms35(dot)hinet(dot)net``.

The e-mail recognizer reads an ``@`` only; an address with its ``@`` (or its dots) spelt out is as much a person's
address and was left in the clear. An ``at`` in brackets (``(at)``, ``[at]``, ``{at}``, ``<at>``, also ``(@)``)
is enough, as is 小老鼠 (the name Taiwan gives ``@``: ``ycchang 小老鼠 ms12.hinet.net``); an ``at`` between spaces is English as often (``meet at office.example.com``, ``looked at internet dot
com stocks``), so it needs a spelt-out dot in the domain and a local part no English word is (a digit, ``.``,
``_`` or ``-`` in it: ``chen0815 at hotmail dot com``). The domain ends in a top-level domain of letters; an
institution's mailbox (``service (at) bank.com.tw``) stays, as it does for the ``@`` form.
"""

from __future__ import annotations

import re

from curate.pii.recognizers import ROLE_MAILBOXES, Hit, RegexRecognizer, institution_mailbox

_BRACKETED_AT = r"[ ]?[(\[{<][ ]?(?:at|AT|At|@)[ ]?[)\]}>][ ]?"
_SPACED_AT = r"[ ]+(?:at|AT)[ ]+"
#: ``@`` by its Taiwanese name, "little mouse"
_MOUSE_AT = r"[ ]?小老鼠[ ]?"
_DOT = r"(?:[ ]?[(\[{<][ ]?(?:dot|DOT|Dot|\.)[ ]?[)\]}>][ ]?|[ ]+(?:dot|DOT)[ ]+|\.)"
PATTERN = (
    rf"(?<![A-Za-z0-9._%+-])(?P<local>[A-Za-z0-9._%+-]+)(?P<at>{_BRACKETED_AT}|{_MOUSE_AT}|{_SPACED_AT})"
    rf"(?P<domain>[A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)*{_DOT}[A-Za-z]{{2,24}})(?![A-Za-z0-9-])"
)
#: a dot spelt out (`(dot)`, ` dot `): what an `at` between spaces needs beside it
_SPELT_DOT = re.compile(r"[(\[{<][ ]?(?:dot|\.)[ ]?[)\]}>]|[ ]dot[ ]", re.IGNORECASE)
#: the pre-screen's part: an `at` closed by a bracket, a spelt-out dot, or 小老鼠
PRESCREEN = r"[Aa][Tt] ?[)\]}>]|[Dd][Oo][Tt] |@ ?[)\]}>]|小老鼠"


def _validate(m: re.Match[str], text: str) -> Hit | None:
    if m.group("local").lower() in ROLE_MAILBOXES or institution_mailbox(text, m.start()):
        return None
    if not m.group("at").strip().startswith(("(", "[", "{", "<", "小")) and not (
        _SPELT_DOT.search(m.group("domain")) and re.search(r"[0-9._-]", m.group("local"))
    ):
        return None  # `meet at office.example.com`, `looked at internet dot com`: English, not an address
    return Hit("EMAIL_ADDRESS", m.start(), m.end(), 0.85)


def obfuscated_email_recognizer(language: str = "zh") -> RegexRecognizer:
    """The recognizer.

    >>> r = obfuscated_email_recognizer()
    >>> t = "信箱yating.hsu(at)gmail.com，或 chen0815 at hotmail dot com；meet at office dot com"
    >>> [t[x.start : x.end] for x in r.analyze(t)]
    ['yating.hsu(at)gmail.com', 'chen0815 at hotmail dot com']
    """
    return RegexRecognizer("ObfuscatedEmailRecognizer", ["EMAIL_ADDRESS"], PATTERN, _validate, None, language)
