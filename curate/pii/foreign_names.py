"""Latin-script names of migrant workers and pinyin names in English text (review 16).

Two shapes went through in clear:

* a Vietnamese name written with its middle name ``Thi`` or ``Van`` (``Pham Thi Thu (ARC …) sends``, a chat export's
  sender cell ``Nguyen Van Duc``): a surname of :data:`VIETNAMESE_SURNAMES` then ``Thi``/``Van`` (``Thị``/``Văn``) then
  one or two given names is a name by its shape, as a hyphenated ``Chen Yu-Ting`` is
  (:mod:`curate.pii.romanised_names`), with no role word before it;
* a name right after an English role word (``Applicant Zhang Wei``, ``The guarantor Liu Jianguo``, ``Beneficiary
  Huang Zihan``, ``holder Nur Aisyah``): the Latin-name rule reads a Han role only (申請人 Zhang Wei) and the
  romanised rule a hyphenated given name only, so a pinyin name written without its hyphen, or an Indonesian or Thai
  name, after an English role went through. Here two to four capitalised words after a role of :data:`ROLES` are
  a name when the first is a romanised or Vietnamese surname (pinyin is written surname first) or a given name of
  the English or the Southeast-Asian lists (:data:`SEA_GIVEN_NAMES`: the common given names of Indonesian, Thai and
  Filipino workers in Taiwan).

Either is no name where a word names an organisation, a product or a field (``Beneficiary Bank Rakyat``, ``Customer
Service Team``, ``Applicant Name Field``), a reply or a month opens it, or a capitalised word follows it (a longer
proper name: ``Nguyen Van Linh Street``).
"""

from __future__ import annotations

import re

#: Vietnamese surnames (lower case, without and with diacritics)
VIETNAMESE_SURNAMES = frozenset(
    "nguyen nguyễn tran trần le lê pham phạm hoang hoàng huynh huỳnh phan vu vũ vo võ dang đặng bui bùi do đỗ ho hồ "
    "ngo ngô duong dương ly lý dao đào dinh đinh truong trương lam lâm mai trinh trịnh cao luong lương".split()
)
#: common given names of Indonesian, Thai and Filipino workers (lower case); a first word among them opens a name
SEA_GIVEN_NAMES = frozenset(
    "nur siti dewi sri budi putri agus ahmad muhammad mohammad rina wahyu eko yuli indah ayu slamet joko bambang "
    "hadi rizki fitri lestari sari ratna wati yanti nining tuti endang suparman sutrisno supriyadi "
    "somchai somsak sompong suda malee nattapong anong kanya prasert wichai niran apinya siriporn kannika "
    "maria jose juan rosario marites ligaya".split()
)
#: English role words that introduce a person (lower case)
ROLES = frozenset(
    "applicant co-applicant borrower co-borrower guarantor beneficiary remitter payee payer insured policyholder "
    "holder cardholder depositor debtor plaintiff defendant heir heiress claimant tenant lessee customer client "
    "decedent deceased spouse employee worker".split()
)
#: words of a place named after a person (Nguyen Van Linh Street, Tran Hung Dao Ward): an address, no person
PLACE_WORDS = frozenset(
    "street st road rd avenue ave boulevard blvd lane alley district ward commune city province town village "
    "bridge park square market school university hospital pagoda temple parkway highway expressway canal quay pier "
    "port airport station stadium college academy institute church museum mall plaza tower building center centre "
    "hall garden gardens lake river island beach hill tunnel".split()
)
_WORD = r"[A-ZĐ][a-zà-ỹđ]+|[A-ZĐ]{2,}"
#: an identity document's label after a name (Nguyen Thi Hoa ARC …): no word of the name, no longer proper name
_ID_LABEL = r"(?:ARC|ID|UI|Passport|PP|DOB|Tel|Mobile)\b"
_VIET = re.compile(
    rf"(?<![A-Za-zÀ-ỹ])(?P<sur>{_WORD}) (?:Thi|Van|Thị|Văn|THI|VAN) (?:{_WORD})(?: (?!{_ID_LABEL})(?:{_WORD}))?(?![A-Za-zÀ-ỹ'’-])"
)
_ROLE = re.compile(r"(?<![A-Za-z-])(?P<role>[A-Za-z][a-z-]+) (?=[A-Z])")
_NAME = re.compile(rf"(?:{_WORD})(?: (?!{_ID_LABEL})(?:{_WORD})){{1,3}}(?![A-Za-zÀ-ỹ'’-])")
#: a capitalised word right after (a longer proper name), not an identity document's label (Nguyen Thi Hoa ARC …)
_CAP_AFTER = re.compile(rf" (?!{_ID_LABEL})[A-Z]")
#: the word after a name, or the one after that (``Ho Thi Ky flower market``, ``Le Van Sy, District 3``)
_NEXT_WORDS = re.compile(r",? (?:[a-z]+ )?([A-Za-z]+)")
#: score of such a name (as the romanised rule's)
SCORE = 0.85


def _bad_word(word: str, not_name: frozenset[str]) -> bool:
    from curate.pii.labels import LATIN_NOT_NAME
    from curate.pii.latin_replies import is_reply_word

    w = word.lower()
    return w in LATIN_NOT_NAME or w in not_name or w in ROLES or w in PLACE_WORDS or is_reply_word(word)


def _place_after(text: str, end: int) -> bool:
    """Whether a place's word follows a name-shaped phrase: a street, a market or a district named after a person."""
    m = _NEXT_WORDS.match(text, end)
    return bool(m) and m.group(1).lower() in PLACE_WORDS


def _is_name(words: list[str]) -> bool:
    """Whether the words after a role spell a name (review 16r: any capitalised words after a surname or an English
    given name were taken, and ``Yang Ming Marine``, ``Sun Life``, ``Grace Period``, ``Bill Payment`` were scrubbed):
    a romanised surname and the syllables of a given name, a Vietnamese surname and Vietnamese syllables, a given name
    of the Southeast-Asian list and any words, or an English given name before a surname of the lists (Mary
    Nguyen)."""
    from curate.pii.english_given_names import english_given_names
    from curate.pii.romanised_names import SURNAMES
    from curate.pii.syllables import chinese_given_name, vietnamese_given_name

    first, rest = words[0].lower(), words[1:]
    if first in SURNAMES and chinese_given_name(rest):
        return True
    if first in VIETNAMESE_SURNAMES and vietnamese_given_name(rest):
        return True
    if first in SEA_GIVEN_NAMES:
        return True
    last = words[-1].lower()
    return words[0].capitalize() in english_given_names() and (last in SURNAMES or last in VIETNAMESE_SURNAMES)


def foreign_names(text: str, not_name: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """Spans of the names of the module docstring in ``text``; a word of ``not_name`` (products, channels:
    :data:`curate.pii.latin_names.NOT_NAME_WORDS`, lower case) makes none.

    >>> t = "Pham Thi Thu (ARC) sends; Applicant Zhang Wei submitted; Beneficiary Bank Rakyat; Customer Service Team"
    >>> [t[s:e] for s, e in foreign_names(t, frozenset({"bank"}))]
    ['Pham Thi Thu', 'Zhang Wei']
    >>> foreign_names("Nguyen Van Linh Street; Applicant Name Field; The Insured Event occurred")
    []
    >>> foreign_names("Borrower Grace Period; Beneficiary Yang Ming Marine, Payee Sun Life; Ho Thi Ky flower market")
    []
    """
    out: list[tuple[int, int]] = []
    for m in _VIET.finditer(text):
        words = m.group().split()
        if m.group("sur").lower() in VIETNAMESE_SURNAMES and not any(_bad_word(w, not_name) for w in words):
            if not _CAP_AFTER.match(text, m.end()) and not _place_after(text, m.end()):
                out.append((m.start(), m.end()))
    for m in _ROLE.finditer(text):
        if m.group("role").lower() not in ROLES:
            continue
        n = _NAME.match(text, m.end())
        if n is None or any(s <= n.start() < e for s, e in out):
            continue
        words = n.group().split()
        if not _is_name(words) or any(_bad_word(w, not_name) for w in words) or _CAP_AFTER.match(text, n.end()):
            continue
        if _place_after(text, n.end()):
            continue
        out.append((n.start(), n.end()))
    return sorted(out)


def prescreen_pattern() -> str:
    """What the engine's pre-screen needs to send a text here: ``Thi``/``Van`` between capitalised words, or a
    capitalised word after an English role word."""
    roles = "|".join(sorted(ROLES, key=len, reverse=True))
    return rf"[A-ZĐ][a-zà-ỹđ]+ (?:Thi|Van|Thị|Văn) [A-ZĐ]|[A-ZĐ]{{2,}} (?:THI|VAN) [A-ZĐ]|(?i:{roles}) [A-ZĐ]"
