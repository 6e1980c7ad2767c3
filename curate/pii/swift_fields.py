"""The party fields of a SWIFT MT103 pasted into text (review 16): ``:50K:`` (ordering customer) and ``:59:``
(beneficiary customer).

A remittance message names its customers by field, not by a word a recognizer knows::

    :50K:/0123456789012
    CHEN MEI LING
    TAIPEI TAIWAN

Both the account after the slash and the name line went through in clear: the account has no 帳號 beside it (the
account recognizer needs one) and the name no role word or title (the Latin-name rule needs one). The field format
is the evidence here, as a checksum is elsewhere:

* ``:50K:`` and ``:59:`` are ``[/34x]`` then ``4*35x``: an optional account after a slash on the tag's line, then the
  name on the next line (on the tag's line itself where no account is given);
* ``:50F:`` and ``:59F:`` write the name on a line ``1/NAME`` (``2/`` an address, ``3/`` a country and town), their
  first line an account after a slash too.

``:50A:`` and ``:59A:`` hold a bank's BIC (no person), and a tag that does not start its line (``field :50K: holds
the ordering customer``) is prose about the format. A name line that names an organisation (``ACME TRADING CO
LTD``, ``台灣電子股份有限公司``) is no person's; the account is reported still (a company's account number is kept
off the text as a person's is: the account recognizer reports it by its shape and 帳號 alone).
"""

from __future__ import annotations

import re

from curate.pii.base import EntityRecognizer, RecognizerResult

#: a party field's tag at the start of a line, and the rest of that line; a line ends at LF, CR LF or a lone CR: a FIN
#: message's lines end in CR LF, and `curate pii scrub` reads a file as it is (hygiene's CR-to-LF is a pipeline stage)
_TAG = re.compile(r"(?:^|(?<=[\r\n]))[ \t]*:(?P<tag>50[KF]|59F?):[ \t]*(?P<rest>[^\r\n]*)")
_EOL = re.compile(r"\r\n?|\n")
#: an account after the slash: 6-34 letters and digits (IBAN, a local account), six digits at least
_ACCOUNT = re.compile(r"/[ ]*(?P<acct>[A-Z0-9](?:[A-Z0-9 -]{4,32})[A-Z0-9])[ ]*$", re.IGNORECASE)
#: a name line: letters of any script, spaces, dots, commas, hyphens and apostrophes (at most 35 characters)
_NAME = re.compile(r"[^\W\d_][\w .,'’-]{0,34}")
#: a structured field's numbered line (1/ name, 2/ address, 3/ country and town)
_NUMBERED = re.compile(r"(?P<n>[1-8])/(?P<value>.*)")
#: words of an organisation's name (lower case), and Han ones (a name line of a company)
_ORG_WORDS = frozenset(
    "ltd limited co corp corporation inc llc plc gmbh ag sa spa bv nv pte bhd sdn jsc pt tbk company bank trading "
    "industrial industries enterprise enterprises group holdings international trust fund foundation association "
    "university hospital school services technology electronics".split()
)
_ORG_HAN = ("公司", "銀行", "商行", "企業", "基金會", "協會", "學校", "醫院", "有限", "股份")
#: score of a value read off its field (as a labelled value's)
SCORE = 0.85


def _digits(value: str) -> int:
    return sum(c.isdigit() for c in value)


#: words of a field's title, not of a name: a manual's table of the format (``:50K: Ordering Customer``, ``:59:
#: 受款人``) names the field, not a customer (review 16r)
_TITLE_WORDS = frozenset(
    "ordering beneficiary customer remitter payee payer creditor debtor account name address institution party "
    "details information field option identifier number".split()
)
_TITLE_HAN = ("款人", "益人", "客戶", "名稱", "帳號", "帳戶", "戶名", "欄位", "地址")


def _is_org(name: str) -> bool:
    words = re.findall(r"[A-Za-z]+", name.lower())
    if any(w in _TITLE_WORDS for w in words) or any(h in name for h in _TITLE_HAN):
        return True  # a field's title (see _TITLE_WORDS): no organisation either, but no person's name
    return any(w in _ORG_WORDS for w in words) or any(h in name for h in _ORG_HAN)


def _name_at(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The name on the line ``text[start:end]`` (trimmed), or None where the line holds none."""
    line = text[start:end]
    m = _NAME.match(line.strip())
    if m is None:
        return None
    s = start + (len(line) - len(line.lstrip()))
    e = s + len(m.group().rstrip(" .,-"))
    name = text[s:e]
    if len(re.findall(r"[^\W\d_]", name)) < 2 or _is_org(name) or name.startswith(":"):
        return None
    return s, e


def _lines_after(text: str, pos: int, count: int):
    """(start, end) of the next ``count`` lines after ``pos`` (the end of a line), up to the next field's tag."""
    for _ in range(count):
        brk = _EOL.match(text, pos)
        if brk is None:
            return
        start = brk.end()
        eol = _EOL.search(text, start)
        end = eol.start() if eol else len(text)
        if text[start:end].lstrip().startswith(":") or not text[start:end].strip():
            return
        yield start, end
        pos = end


def field_spans(text: str) -> list[tuple[int, int, str]]:
    """Accounts and names of the party fields in ``text`` (start, end, entity type).

    >>> t = ":50K:/0123456789012\\nCHEN MEI LING\\nTAIPEI TAIWAN\\n:59:/7788120045\\nACME TRADING CO LTD\\n:52A:CTCBTWTP"
    >>> [(k, t[s:e]) for s, e, k in field_spans(t)]
    [('TW_BANK_ACCOUNT', '0123456789012'), ('PERSON', 'CHEN MEI LING'), ('TW_BANK_ACCOUNT', '7788120045')]
    >>> t = ":50F:/12345678901\\n1/NGUYEN VAN AN\\n2/12 LE LOI\\n:59:TRAN THI MAI\\nHANOI"
    >>> [(k, t[s:e]) for s, e, k in field_spans(t)]
    [('TW_BANK_ACCOUNT', '12345678901'), ('PERSON', 'NGUYEN VAN AN'), ('PERSON', 'TRAN THI MAI')]
    >>> field_spans("Field :50K: holds the ordering customer.")
    []
    """
    out: list[tuple[int, int, str]] = []
    for m in _TAG.finditer(text):
        rest_start, rest_end = m.start("rest"), m.end("rest")
        acct = _ACCOUNT.match(text, rest_start, rest_end) if text.startswith("/", rest_start) else None
        if acct and _digits(acct.group("acct")) >= 6:
            out.append((acct.start("acct"), acct.end("acct"), "TW_BANK_ACCOUNT"))
        structured = m.group("tag").endswith("F")
        if structured:
            lines = list(_lines_after(text, rest_end, 4))
            for s, e in lines:
                num = _NUMBERED.match(text, s, e)
                if num and num.group("n") == "1" and (span := _name_at(text, num.start("value"), e)):
                    out.append((*span, "PERSON"))
            continue
        if text.startswith("/", rest_start):
            first = next(_lines_after(text, rest_end, 1), None)
            span = _name_at(text, *first) if first else None
        else:
            span = _name_at(text, rest_start, rest_end) if m.group("rest").strip() else None
        if span:
            out.append((*span, "PERSON"))
    return out


#: what the engine's pre-screen needs to send a text here: the tag alone (field_spans checks it opens a line). The
#: screen tries its parts only where a text's character may start one: a part opening with a line start or a space
#: (as this one did, ``^[ \t]*:5...``) never matched, and a name under an account of letters went through in clear
PRESCREEN = r":5[09][KF]?:"


class SwiftFieldRecognizer(EntityRecognizer):
    """TW_BANK_ACCOUNT and PERSON: the account and name lines of an MT103's party fields (see the module docstring)."""

    def __init__(self, supported_language: str = "zh") -> None:
        super().__init__(
            supported_entities=["TW_BANK_ACCOUNT", "PERSON"],
            name="SwiftFieldRecognizer",
            supported_language=supported_language,
        )

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str] | None = None, nlp_artifacts=None) -> list[RecognizerResult]:
        if ":5" not in text:
            return []
        meta = {RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}
        return [
            RecognizerResult(kind, s, e, SCORE, recognition_metadata=dict(meta))
            for s, e, kind in field_spans(text)
            if not entities or kind in entities
        ]
