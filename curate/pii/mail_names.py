"""Names in an e-mail's header and signature (review 14).

* A mailbox's display name on a header line (``From: Lisa Hsu <lisa.hsu1987@gmail.com>``, ``寄件者: 許文馨 <…>``,
  ``To:``, ``Cc:``, ``收件者``, ``副本``) is its owner's name: a Latin-script name of two words or more
  (:func:`curate.pii.labels._latin_end`) or a Han one of two to four characters starting with a surname. A display
  name that names an institution (``○○銀行數位金融部 <ebank-notice@…>``: it ends in an institution's or a unit's
  word) makes the address an institution's mailbox, which is no one's personal data (as ``service@`` is).
* A signature's name: the line after a closing (``Best regards,``, ``Sincerely,``, ``敬祝 商祺``) or after the
  signature mark ``--``, or a Han name before ``敬上`` / ``謹上`` / ``敬啟`` / ``拜上`` on its own line.
"""

from __future__ import annotations

import re

_HEADER = re.compile(
    r"^[ \t]*(?:From|To|Cc|CC|Bcc|Reply-To|Sender|寄件者|寄件人|收件者|收件人|副本|密件副本)[ \t]*[:：][ \t]*(?P<rest>[^\n]*)",
    re.MULTILINE,
)
#: one mailbox of a header line: a display name (quotes allowed) and its address in angle brackets
_MAILBOX = re.compile(r"(?P<q>\"?)(?P<name>[^<>\"\n,;]{2,60}?)(?P=q)[ \t]*<(?P<addr>[^<>\s@]+@[^<>\s]+)>")
#: a closing line before a signature's name, or the signature mark
_CLOSING = re.compile(
    r"^[ \t]*(?:(?:Best|Kind|Warm)?[ \t]*[Rr]egards|Sincerely(?: yours)?|Yours (?:sincerely|truly)|Best wishes|"
    r"Thanks(?: and regards)?|Thank you|Cheers|Best|敬祝[^\n]{0,8}|順頌[^\n]{0,8}|--)[ \t]*[,，!]?[ \t]*\r?\n[ \t]*",
    re.MULTILINE,
)
#: a Han name before a letter's closing verb, on its own line (黃柏翰 敬上)
_SIGNED = re.compile(
    r"^[ \t]*(?P<name>[\u4e00-\u9fff]{2,4})[ \t\u3000]*(?:敬上|謹上|谨上|敬啟|敬启|拜上)[ \t]*$", re.MULTILINE
)
#: words that end a unit's name besides an institution's (curate.pii.orgs.ORG_ENDINGS)
_UNIT_ENDINGS = (
    "部",
    "處",
    "处",
    "科",
    "室",
    "組",
    "组",
    "中心",
    "團隊",
    "团队",
    "小組",
    "小组",
    "Team",
    "Bank",
    "Service",
)
SCREEN = re.compile(
    r"<[^<>\s]+@|[Rr]egards|Sincerely|Yours|Thank|Cheers|Best|敬祝|順頌|^[ \t]*--|敬上|謹上|谨上|敬啟|敬启|拜上", re.M
)


def _han_name(text: str, start: int, end: int) -> bool:
    from curate.pii.names import _tables, plausible_given_name

    singles, compounds, not_names, non_given, _ = _tables()
    run = text[start:end]
    if not 2 <= len(run) <= 4 or not all("\u4e00" <= c <= "\u9fff" for c in run) or run.startswith(not_names):
        return False
    sur = next((len(c) for c in compounds if run.startswith(c)), 1 if run[0] in singles else 0)
    given = run[sur:]
    return (
        bool(sur)
        and 1 <= len(given) <= 2
        and not any(c in non_given for c in given)
        and plausible_given_name(given, "role")
    )


def _name_at(text: str, start: int, end: int, bare: bool = False) -> int | None:
    """End of a person's name that fills ``text[start:end]`` (spaces around it allowed), None: none. ``bare``: no
    address vouches for it (a signature's line: ``Best regards,⏎Investor Relations`` is a unit's, not a person's)."""
    from curate.pii.labels import _latin_end
    from curate.pii.mixed_names import bare_name_end

    while start < end and text[start] in " \t":
        start += 1
    while end > start and text[end - 1] in " \t\r":
        end -= 1
    if start == end:
        return None
    if text[start].isascii():
        e = bare_name_end(text[:end], start) if bare else _latin_end(text[:end], start)
        return e if e == end and " " in text[start:end] else None
    return end if _han_name(text, start, end) else None


def _institution(name: str) -> bool:
    from curate.pii.orgs import ORG_ENDINGS

    return name.strip().endswith(ORG_ENDINGS + _UNIT_ENDINGS) or "銀行" in name or "○○" in name


def mail_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of the names of people in the headers and signatures of ``text``.

    >>> t = "From: Lisa Hsu <lisa@gmail.com>\\nTo: 客服部 <cs@bank.com.tw>\\n\\nBest regards,\\nKevin Tsai\\n--\\n黃柏翰 敬上"
    >>> [t[s:e] for s, e in mail_names(t)]
    ['Lisa Hsu', 'Kevin Tsai', '黃柏翰']
    """
    if not SCREEN.search(text):
        return []
    out = []
    for h in _HEADER.finditer(text):
        for m in _MAILBOX.finditer(text, h.start("rest"), h.end("rest")):
            s, e = m.start("name"), m.end("name")
            if not _institution(m.group("name")) and (end := _name_at(text, s, e)) is not None:
                out.append((s + len(text[s:e]) - len(text[s:e].lstrip(" \t")), end))
    for m in _CLOSING.finditer(text):
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        if (end := _name_at(text, m.end(), line_end, bare=True)) is not None:
            out.append((m.end(), end))
    for m in _SIGNED.finditer(text):
        if _han_name(text, m.start("name"), m.end("name")):
            out.append((m.start("name"), m.end("name")))
    return sorted(set(out))


def institution_mailboxes(text: str) -> list[tuple[int, int]]:
    """(start, end) of the addresses whose header display name names an institution (``○○銀行數位金融部 <…>``).

    >>> t = "寄件者：○○銀行數位金融部 <ebank-notice@bank.com.tw>"
    >>> [t[s:e] for s, e in institution_mailboxes(t)]
    ['ebank-notice@bank.com.tw']
    """
    out = []
    for h in _HEADER.finditer(text):
        for m in _MAILBOX.finditer(text, h.start("rest"), h.end("rest")):
            if _institution(m.group("name")):
                out.append((m.start("addr"), m.end("addr")))
    return out
