"""Values of JSON and XML snippets pasted into a text (review 18): ``{"custName": "SITI AMINAH", "birthDate":
"1991-07-09"}``, ``<Payee><Name>Jose Dela Cruz</Name></Payee>``, as an API log, a core-banking message or a
developer's ticket quotes them.

A record's metadata is read after its key (:func:`curate.pii.fields.field_label`: ``custName`` -> 客戶姓名), but the
same key inside a text was no label to any rule: the quote between the key and the colon, or the tag's brackets,
stood where a label's colon does, so a name with no romanised Chinese surname (a migrant worker's, an English one)
and a date under ``birthDate`` went through in clear. Each key that names a personal-data field makes its value read
as ``label：value`` (the Chinese label of ``schemas/pii/field_keys.tsv``), all such values of a text in one call of
the detector, and a span found inside the value is kept in the text's offsets. A key that names no field
(``productName``, ``status``) gives nothing, so a product's or a branch's name under it is read as before. A key
may be Chinese (``{"姓名": ...}``), and an XML attribute is a key too; a bare ``name`` attribute names its tag's
(``<cust name=...>`` is ``custName``, ``<product name=...>`` names no field). A value is read with its escapes
decoded (``\\u738b``, a surrogate pair, ``&#x738b;``, ``&apos;``), and a pair of JSON inside a JSON string (an API
log's message field, each quote written ``\\"``) is read too, its value decoded twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from curate.pii.line_breaks import spans_by_piece
from curate.pii.span import Span
from curate.pii.text import JOIN

#: a JSON (or Python dict) pair with a string value: ``"custName": "王小明"``, ``'dob':'1990-01-01'``
#: (the value may hold the other quote and escapes: ``"Mary O'Brien"``, ``'Siti "Ani" Aminah'``, ``"A \\"B\\""``)
_JSON_PAIR = re.compile(
    r"""(["'])(?P<key>[^\W\d][\w.-]{0,40})\1[ \t]*:[ \t]*(["'])(?P<value>(?:\\[^\n]|(?!\3)[^\n\\]){1,80})\3"""
)
#: the same pair inside a JSON string that holds JSON (an API log's message field, json.dumps of json.dumps): each
#: quote written ``\"``; a value's character is an inner escape (``\\u738b``), an outer one (``\u738b``) or plain
_NESTED_PAIR = re.compile(
    r"""\\"(?P<key>[^\W\d][\w.-]{0,40})\\"[ \t]*:[ \t]*\\"(?P<value>(?:\\\\(?:\\[^\n]|[^\\\n])|\\[^"\\\n]|[^\\"\n]){1,80})\\["]"""
)
#: an XML tag with attributes, and each attribute: ``<cust name="SITI AMINAH" idNo="A1">``
_TAG = re.compile(r"<(?:\w+:)?(?P<tag>[^\W\d][\w.-]{0,40})\s[^<>]*>")
_ATTRIBUTE = re.compile(
    r"""(?<![\w.-])(?P<key>[^\W\d][\w.-]{0,40})[ \t]*=[ \t]*(["'])(?P<value>(?:(?!\2)[^<>\n\\]){1,80})\2"""
)
#: an XML element holding text only: ``<custName>王小明</custName>`` (a namespace prefix allowed)
_XML_ELEMENT = re.compile(
    r"<(?:\w+:)?(?P<key>[A-Za-z_][\w.-]{0,40})(?:\s[^<>]*)?>(?P<value>[^<>\n]{1,80})</(?:\w+:)?(?P=key)>"
)
#: what a text needs for either form to be looked for at all (the common text has neither)
SCREEN = re.compile(r"""["']\s*:\s*\\?["']|</|<[^<>]*=[ \t]*["']""")


def _pairs(text: str) -> list[tuple[int, int, str]]:
    """(value start, value end, label) of each pair whose key names a personal-data field, in order."""
    from curate.pii.fields import field_label  # (read here: the engine imports SCREEN for every text)

    out = []
    for rx in (_JSON_PAIR, _XML_ELEMENT, *((_NESTED_PAIR,) if '\\"' in text else ())):
        for m in rx.finditer(text):
            label = field_label(m.group("key"))
            value = m.group("value")
            if label is not None and value.strip():
                out.append((m.start("value"), m.end("value"), label))
    for tag in _TAG.finditer(text):  # a bare ``name`` names the tag's: <cust name=…> is custName, <product name=…> none
        for m in _ATTRIBUTE.finditer(text, tag.end("tag"), tag.end()):
            key = m.group("key")
            label = field_label(tag.group("tag") + "Name" if key.lower() == "name" else key)
            if label is not None and m.group("value").strip():
                out.append((m.start("value"), m.end("value"), label))
    return sorted(set(out))


def keyed_values(text: str, analyze: Callable[[str], list[Span]]) -> list[Span]:
    """Spans found in the values of ``text``'s JSON and XML pairs whose keys name a personal-data field, each value
    read after its key's label, in ``text``'s offsets; all the values are read in one call of ``analyze``.

    >>> def names(s):
    ...     return [Span(m.start(1), m.end(1), "PERSON", 1.0, "") for m in re.finditer("姓名：(SITI AMINAH)", s)]
    >>> t = '{"productName": "SITI AMINAH", "custName": "SITI AMINAH"}'
    >>> [(s.start, t[s.start : s.end]) for s in keyed_values(t, names)]
    [(44, 'SITI AMINAH')]
    """
    if SCREEN.search(text) is None:
        return []
    pairs = _pairs(text)
    if not pairs:
        return []
    # (the value's offset in the joined text, the piece's end, value start, the value's offsets as written)
    pieces: list[tuple[int, int, int, list[int]]] = []
    parts: list[str] = []
    size = 0
    for start, end, label in pairs:
        value, at = unescaped(text[start:end])
        if "\\" in value or "&" in value:  # escaped twice: a nested pair's value, or ``&amp;#x738b;``
            value, inner = unescaped(value)
            at = [at[i] for i in inner]
        parts.append(f"{label}：{value}")
        pieces.append((size + len(label) + 1, size + len(parts[-1]), start, at))
        size += len(parts[-1]) + len(JOIN)
    out: list[Span] = []
    for s, (off, stop, start, at) in spans_by_piece(analyze(JOIN.join(parts)), pieces):
        if s.start < off or s.end > stop:
            continue  # in the label, or past the value
        out.append(Span(start + at[s.start - off], start + at[s.end - off], s.entity_type, s.score, s.source))
    return out


#: an escape a JSON string or an XML value writes a character as: ``\u738b``, ``\"``, ``&#x738b;``, ``&#29579;``,
#: ``&apos;``; a character past U+FFFF as JSON writes it, a surrogate pair (``\ud842\udfb7``: 𠮷, a name's character)
_ESCAPE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\[\"'/\\]"
    r"|&#[xX][0-9a-fA-F]{1,6};|&#[0-9]{1,7};|&(?:quot|apos|amp|lt|gt);"
)
_NAMED = {"&quot;": '"', "&apos;": "'", "&amp;": "&", "&lt;": "<", "&gt;": ">"}


def unescaped(value: str) -> tuple[str, list[int]]:
    r"""``value`` with its character escapes read (an API log's ``json.dumps`` writes a Chinese name as
    ``\u738b\u5c0f\u660e``: review 18's last read found it in clear), and the offset in ``value`` of each character
    read (one more: ``len(value)``). A surrogate pair is one character (``\ud842\udfb7``: 𠮷); a lone surrogate or a
    code point past Unicode is left as written.

    >>> unescaped(r"\u738b\u5c0f \"A\" &#x660e;")
    ('王小 "A" 明', [0, 6, 12, 13, 15, 16, 18, 19, 27])
    """
    chars: list[str] = []
    at: list[int] = []
    pos = 0
    for m in _ESCAPE.finditer(value):
        for i in range(pos, m.start()):
            chars.append(value[i])
            at.append(i)
        e = m.group()
        code = _code(e)
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            chars.extend(e)
            at.extend(range(m.start(), m.end()))
        else:
            chars.append(chr(code))
            at.append(m.start())
        pos = m.end()
    chars.extend(value[pos:])
    at.extend(range(pos, len(value) + 1))
    return "".join(chars), at


def _code(e: str) -> int:
    """The code point an escape writes (a surrogate pair's one character)."""
    if e[0] == "\\":
        if e[1] != "u":
            return ord(e[1])
        if len(e) == 12:
            return 0x10000 + ((int(e[2:6], 16) - 0xD800) << 10) + int(e[8:], 16) - 0xDC00
        return int(e[2:], 16)
    if e[1] != "#":
        return ord(_NAMED[e])
    return int(e[3:-1], 16) if e[2] in "xX" else int(e[2:-1])
