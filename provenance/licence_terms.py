"""Purposes, audiences, agreement terms and the licence date: the parts of the licence rules that need no catalogue.

Used by :mod:`provenance.licences` (which re-exports them) and by everything that validates a purpose or an
audience. Values are compared whole: ``member:CTBC`` followed by a newline or a space is no audience.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from provenance.errors import LicenceError, UsageError

PURPOSES: tuple[str, ...] = ("training", "evaluation", "redistribution")
AUDIENCES: tuple[str, ...] = ("consortium", "member:BANK", "public")
#: matched whole (``fullmatch``): with ``re.match`` and ``$``, ``member:CTBC`` plus a trailing newline passed
_MEMBER_RE = re.compile(r"member:[A-Za-z0-9_.-]+")


def _shown(value: Any) -> str:
    """A value as an error message names it: whitespace (a trailing newline...) made visible."""
    text = str(value)
    return repr(text)[1:-1] if text != text.strip() or not text.isprintable() else text


#: the longest value credited in an attribution statement: a name (a provider, year, dataset, a work's title or its
#: creator) or an agreement's own statement (a manifest row's ``attribution``:
#: ``© 台灣金融研訓院，經授權供金融業聯盟訓練使用``); a book's title with its subtitle and edition is far shorter:
#: a longer value is a document, not a credit
CREDIT_MAX = 300


def credit_value(value: Any) -> tuple[str, str]:
    r"""A credited value as one plain line, and why it cannot be credited ('' when it can). Credits come from data
    rows (third parties: a MODA row's ``agency``, a manifest's ``title``, ``licensor`` and an agreement's
    ``attribution`` column) and go into every row's ``attribution`` and NOTICE.md: line breaks and runs of
    whitespace become one space, control and format (bidi) characters are dropped. Punctuation is kept as it is
    (``C#``, ``[第二版]``, ``|``, ``www.``): NOTICE.md escapes what markdown would read as markup
    (:func:`provenance._package.markdown_text`). Refused, not rewritten: a value longer than :data:`CREDIT_MAX`
    characters, or one of nothing but control and format characters.

    >>> credit_value(" 中央銀行\n\t業務局\u202e ")
    ('中央銀行 業務局', '')
    >>> credit_value("C# 程式設計 [第二版] | 東華書局 www.angle.com.tw")
    ('C# 程式設計 [第二版] | 東華書局 www.angle.com.tw', '')
    >>> credit_value("\u202e\u200b")
    ('', 'holds no printable text (only control or format characters)')
    """
    if value is None:
        return "", ""
    text = "".join(ch for ch in str(value) if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf"))
    text = " ".join(text.split())
    if len(text) > CREDIT_MAX:
        return "", f"longer than {CREDIT_MAX} characters"
    if not text and str(value).strip():
        return "", "holds no printable text (only control or format characters)"
    return text, ""


def statement_problem(why: str) -> str:
    """Why an agreement's ``attribution`` cannot be credited (:func:`credit_value`), with what to do."""
    return (
        f"attribution {why}: an agreement's statement is credited as one plain line of at most {CREDIT_MAX}"
        " characters; correct the manifest's `attribution` column and ingest it again"
    )


def is_audience(value: Any) -> bool:
    """True for ``public``, ``consortium`` or ``member:BANK``, compared whole (no surrounding whitespace).

    >>> is_audience("member:CTBC"), is_audience("member:CTBC\\n"), is_audience(" public")
    (True, False, False)
    """
    return isinstance(value, str) and (value in ("public", "consortium") or _MEMBER_RE.fullmatch(value) is not None)


def bank_case_problem(value: Any) -> str:
    """Why a grant's ``member:BANK`` cannot reach its bank ('' when it can): a bank code with small letters. Bank
    codes are compared exactly and written in capitals (the portal's ``bank:ESUN``, ``export --audience
    member:ESUN``): an agreement for ``member:esun`` was valid and matched no export of that bank.

    >>> bank_case_problem("member:ESUN"), bank_case_problem("consortium")
    ('', '')
    >>> bank_case_problem("member:esun")  # doctest: +ELLIPSIS
    'audience `member:esun`: a bank code is written in capitals (`member:ESUN`)...'
    """
    if not isinstance(value, str) or _MEMBER_RE.fullmatch(value) is None or value[7:] == value[7:].upper():
        return ""
    return (
        f"audience `{value}`: a bank code is written in capitals (`member:{value[7:].upper()}`); compared exactly,"
        f" `{value}` matches no export of that bank"
    )


def refuse_bank_case(audience: Any, what: str = "export") -> None:
    """Raise :class:`UsageError` for an export to ``member:esun`` (a bank code with small letters): since review 15
    no grant may name it (:func:`bank_case_problem`), so such an export was made without a word and held the public
    and consortium records only, its bank's own agreements (``member:ESUN``) never reaching it. Refused for an
    export (and the report's exportable step, ``what="report"``): the portal's ``bank:esun`` user, warned at ``serve
    adduser``, still sees what is licensed to it.

    >>> refuse_bank_case("member:ESUN"), refuse_bank_case("consortium")
    (None, None)
    """
    if why := bank_case_problem(audience):
        fix = "export to" if what == "export" else "use"
        raise UsageError(f"{what} --audience: {why}; {fix} `member:{audience[7:].upper()}`")


def parse_purpose(purpose: str) -> str:
    """Validate a purpose; the error lists the valid values.

    >>> parse_purpose("training")
    'training'
    """
    if purpose not in PURPOSES:
        raise UsageError(f"unknown purpose `{_shown(purpose)}`; valid: {', '.join(PURPOSES)}")
    return purpose


def parse_audience(audience: str) -> str:
    """Validate an audience (``public``, ``consortium`` or ``member:BANK``).

    >>> parse_audience("member:CTBC")
    'member:CTBC'
    """
    if is_audience(audience):
        return audience
    raise UsageError(f"unknown audience `{_shown(audience)}`; valid: {', '.join(AUDIENCES)} (BANK = member code)")


#: a member bank as a reason names it, read within a longer text (``permits: member:ESUN)``)
_MEMBER_IN_TEXT = re.compile(r"member:[A-Za-z0-9_.-]+")
#: an audience value a reason quotes (``audience `member：ESUN` invalid``): invalid ones too, whatever their spelling
_QUOTED_AUDIENCE = re.compile(r"(audience `)([^`]*)(`)")
_ANOTHER_BANK = "member:(another bank)"


def recipient_reason(reason: str, audience: str) -> str:
    """``reason`` as an export's recipients read it (``blocked.csv``): each member bank other than the export's own
    ``audience`` named as ``member:(another bank)``, and an audience value a refused agreement spelt wrongly
    (``member：ESUN``, ``Member:ESUN``, ``玉山銀行``) as ``(an invalid audience)``; the placeholder ``member:BANK`` of
    a list of valid values stays. A consortium or public export's blocked list once told every recipient which bank
    holds an agreement or a grant its records were left out under.

    >>> recipient_reason("audience `consortium` not permitted by X (permits: member:ESUN, member:CTBC)", "member:CTBC")
    'audience `consortium` not permitted by X (permits: member:(another bank), member:CTBC)'
    >>> recipient_reason("licence_terms audience `member：ESUN` invalid; valid: consortium, member:BANK, public", "public")
    'licence_terms audience `(an invalid audience)` invalid; valid: consortium, member:BANK, public'
    """

    def quoted(m: re.Match[str]) -> str:
        value = m.group(2)
        if value in ("public", "consortium", audience) or value == "member:BANK":
            return m.group(0)
        return m.group(1) + (_ANOTHER_BANK if is_audience(value) else "(an invalid audience)") + m.group(3)

    def bare(m: re.Match[str]) -> str:
        return m.group(0) if m.group(0) in (audience, "member:BANK") else _ANOTHER_BANK

    return _MEMBER_IN_TEXT.sub(bare, _QUOTED_AUDIENCE.sub(quoted, reason))


def _meet(a: str, b: str) -> str | None:
    """The narrower of two audience grants, or None when they do not overlap."""
    if a == b:
        return a
    if a == "public":
        return b
    if b == "public":
        return a
    if a == "consortium" and b.startswith("member:"):
        return b
    if b == "consortium" and a.startswith("member:"):
        return a
    return None


def audience_allows(granted: Iterable[str], requested: str) -> bool:
    """True if an export to ``requested`` is inside the ``granted`` audience.

    >>> audience_allows(["consortium"], "member:CTBC"), audience_allows(["consortium"], "public")
    (True, False)
    """
    return any(_meet(g, requested) == requested for g in granted)


def _intersect_audience(a: Iterable[str], b: Iterable[str]) -> tuple[str, ...]:
    out = {m for x in a for y in b if (m := _meet(x, y)) is not None}
    return tuple(sorted(out))


def share_alike_conflict(grants: Iterable[Any]) -> str:
    """Why the parts ``grants`` (:class:`provenance.licences.Grant`) of one record (merged parents) cannot be
    combined, or ``""``: a share-alike licence requires the whole under itself, so two different share-alike
    licences (CC-BY-SA-4.0 with CC-BY-NC-SA-4.0, Creative Commons' own chart) leave no licence the whole could be
    used under. Before review 17 the mix was the AND of both and a public export shipped it. Nor can a part whose
    licence permits less than a share-alike part's (:func:`_narrows`: CC-BY-NC-4.0 beside CC-BY-SA-4.0, which grants
    commercial use and allows no terms that restrict it; the chart's "no"): before the last read of review 17 that
    mix was the AND of both and a non-commercial export shipped it. A part that permits all the share-alike one does
    (CC-BY-4.0 beside either, CC-BY-NC-4.0 beside CC-BY-NC-SA-4.0) is no conflict: the whole is under the share-alike
    licence, its obligation carried (NOTICE states it).

    >>> from provenance.licences import default_licence_catalogue
    >>> cat = default_licence_catalogue()
    >>> share_alike_conflict([cat.grant("CC-BY-SA-4.0"), cat.grant("CC-BY-4.0"), cat.grant("CC-BY-SA-4.0")])
    ''
    >>> share_alike_conflict([cat.grant("CC-BY-SA-4.0"), cat.grant("CC-BY-NC-SA-4.0")])[:44]
    'CC-BY-SA-4.0 and CC-BY-NC-SA-4.0 are both sh'
    >>> share_alike_conflict([cat.grant("CC-BY-NC-4.0"), cat.grant("CC-BY-SA-4.0")])[:60]
    'CC-BY-SA-4.0 is share-alike and CC-BY-NC-4.0 permits less (c'
    >>> share_alike_conflict([cat.grant("CC-BY-NC-SA-4.0"), cat.grant("CC-BY-NC-4.0")])
    ''
    """
    grants = list(grants)
    seen: list[str] = []
    for g in grants:
        if g.share_alike:
            seen += [i for i in g.licence_ids if i not in seen]
    # one of them every other lets an adaptation be shared under: a later version with the same elements (CC BY-SA
    # 3.0 -> 4.0, a port -> its unported), CC BY-SA 4.0 -> GPLv3 (CC's one-way compatibility)
    if len(seen) >= 2 and not any(all(_shared_under(i, t) for i in seen) for t in seen):
        pairs = ((a, b) for a in seen for b in seen if not (_shared_under(a, b) or _shared_under(b, a)))
        a, b = next(pairs, (seen[0], seen[-1]))
        return (
            f"{a} and {b} are both share-alike: each requires the merged record under itself, and no licence is"
            f" both; the parents cannot be combined: {_uncombine(b)}"
        )
    for sa in (g for g in grants if g.share_alike):  # the whole under it: every other part permits all it does
        own = set(sa.licence_ids)
        for g in grants:
            if own <= set(g.licence_ids) or set(g.licence_ids) <= own:  # itself, or itself narrowed by its own terms
                continue
            if g.share_alike:  # two share-alike parts: judged above (versions of one licence, BY-SA 4.0 -> GPLv3)
                continue
            if why := _narrows(sa, g):
                return (
                    f"{'+'.join(dict.fromkeys(sa.licence_ids))} is share-alike and {'+'.join(g.licence_ids)} permits"
                    f" less ({why}): the merged record would have to be under the first, which allows no terms that"
                    f" restrict it; the parents cannot be combined: {_uncombine('+'.join(g.licence_ids))}"
                )
    return ""


def _uncombine(part: str) -> str:
    """What a steward does about a merged record :func:`share_alike_conflict` refuses (review 18: the refusal said
    only that the parents "cannot be combined", and nothing the record is named under says how to ship it)."""
    return (
        f"keep the parents as separate records and withdraw the merged one (`curate provenance withdraw`), or"
        f" correct the part under {part} (its `licence_id` or `metadata.licences` entry) if that licence was given"
        " in error"
    )


def _narrows(sa: Any, g: Any) -> str:
    """What grant ``g`` forbids that the share-alike grant ``sa`` permits (``""``: nothing): commercial use,
    a purpose, an audience, a use by others than its licensee, a use after its expiry."""
    if sa.commercial and not g.commercial:
        return "commercial use"
    if lost := sorted(set(sa.purposes) - set(g.purposes)):
        return f"purpose {', '.join(lost)}"
    if _intersect_audience(sa.audience, g.audience) != tuple(sorted(sa.audience)):
        return f"audience {', '.join(sa.audience)}"
    if set(g.licensees) - set(sa.licensees):
        return "a use by others than its licensee"
    if g.expiry is not None and (sa.expiry is None or g.expiry < sa.expiry):
        return f"a use after {g.expiry.isoformat()}"
    return ""


_CC_SA = re.compile(r"CC-(BY-SA|BY-NC-SA)-(\d+\.\d+)(?:-[A-Z]{2,}[A-Z0-9]*)?", re.IGNORECASE)


def _shared_under(a: str, b: str) -> bool:
    """May material under share-alike licence ``a`` be adapted and shared under ``b`` (both SPDX-like ids)?

    >>> _shared_under("CC-BY-SA-3.0", "CC-BY-SA-4.0"), _shared_under("CC-BY-SA-4.0", "CC-BY-SA-3.0")
    (True, False)
    >>> _shared_under("CC-BY-SA-3.0-TW", "CC-BY-SA-3.0"), _shared_under("CC-BY-SA-1.0", "CC-BY-SA-4.0")
    (True, False)
    >>> _shared_under("CC-BY-SA-4.0", "GPL-3.0-or-later"), _shared_under("CC-BY-NC-SA-4.0", "CC-BY-SA-4.0")
    (True, False)
    """
    if a == b:
        return True
    if a.upper() == "CC-BY-SA-4.0" and b.upper() in ("GPL-3.0", "GPL-3.0-ONLY", "GPL-3.0-OR-LATER", "GPL-3.0+"):
        return True
    ma, mb = _CC_SA.fullmatch(a), _CC_SA.fullmatch(b)
    if not (ma and mb) or ma[1].upper() != mb[1].upper():
        return False
    va, vb = float(ma[2]), float(mb[2])
    return 2.0 <= va <= vb  # 1.0 names itself alone; 2.0 on: "a later version ... with the same License Elements"


#: a day as the README, `--expiry`, a manifest's `expiry` column and the catalogue's schema write it: ASCII digits
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_day(text: str) -> dt.date | None:
    """``text`` as a day written YYYY-MM-DD, else None. :meth:`datetime.date.fromisoformat` reads more (review 18):
    ``20301231``, and ISO week dates, ``2030W011`` as 2029-12-31, so a grant's last day written as a week was a
    different day than the one its manifest row seemed to name, and NOTICE stated that other day.

    >>> iso_day("2030-12-31"), iso_day("20301231"), iso_day("2030W011"), iso_day("2030-02-30")
    (datetime.date(2030, 12, 31), None, None, None)
    """
    if not _ISO_DAY.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _date(value: Any, what: str, licence_id: str | None) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if (day := iso_day(str(value))) is None:
        raise LicenceError(licence_id, f"{what} `{value}` is not an ISO date (YYYY-MM-DD)")
    return day


#: the fields an agreement's terms cannot go without
AGREEMENT_REQUIRED: tuple[str, ...] = ("agreement_id", "licensor", "audience", "purposes")


@dataclass(frozen=True, slots=True)
class Terms:
    """Agreement-specific terms (``licence_terms``) of a template licence."""

    agreement_id: str
    licensor: str
    audience: tuple[str, ...]
    purposes: frozenset[str]
    expiry: dt.date | None = None
    attribution: str = ""
    commercial: bool = False

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], licence_id: str | None = None, required: tuple[str, ...] | None = None
    ) -> Terms:
        """Parse ``licence_terms``; raises :class:`LicenceError` naming the bad field. ``required``: the fields that
        must be given (default: an agreement's, :data:`AGREEMENT_REQUIRED`; ``()`` for a licence whose terms are
        optional, e.g. a MODA grant's expiry and licensee: a field not given is empty and narrows nothing).

        >>> Terms.from_mapping({"expiry": "2026-06-30", "audience": "member:ESUN"}, required=()).audience
        ('member:ESUN',)
        """
        if not isinstance(data, Mapping):
            raise LicenceError(licence_id, f"licence_terms must be an object, got {type(data).__name__}")
        required = AGREEMENT_REQUIRED if required is None else required
        missing = [k for k in required if not data.get(k)]
        if missing:
            raise LicenceError(licence_id, f"licence_terms lack {', '.join(missing)}")
        audience = data.get("audience") or []
        audience = [audience] if isinstance(audience, str) else list(audience)
        for a in audience:
            if not is_audience(a):
                raise LicenceError(
                    licence_id, f"licence_terms audience `{_shown(a)}` invalid; valid: {', '.join(AUDIENCES)}"
                )
            if why := bank_case_problem(a):  # stored by a catalogue before review 15: refused as ingest refuses it
                raise LicenceError(
                    licence_id, f"licence_terms {why}: correct the manifest row or grant and ingest again"
                )
        purposes = data.get("purposes") or []
        purposes = [purposes] if isinstance(purposes, str) else list(purposes)
        bad = [p for p in purposes if p not in PURPOSES]
        if bad:
            raise LicenceError(licence_id, f"licence_terms purposes {bad} invalid; valid: {', '.join(PURPOSES)}")
        commercial = data.get("commercial", False)
        if not isinstance(commercial, bool):  # default deny: only an explicit yes grants commercial use
            raise LicenceError(licence_id, f"licence_terms commercial `{commercial}` invalid; valid: yes, no")
        attribution, why = credit_value(data.get("attribution"))
        if why:  # a data row's statement that cannot be credited: refused, not cut
            raise LicenceError(licence_id, f"licence_terms {statement_problem(why)}")
        return cls(
            agreement_id=str(data.get("agreement_id") or ""),
            licensor=str(data.get("licensor") or ""),
            audience=tuple(sorted(set(audience))),
            purposes=frozenset(purposes),
            expiry=_date(data.get("expiry"), "licence_terms expiry", licence_id),
            attribution=attribution,
            commercial=commercial,
        )


#: the licensors are Taiwanese and an agreement's expiry is the last day of the grant in Taiwan (UTC+8, no DST since
#: 1979): judged by the UTC date, a grant that ended yesterday in Taipei was still in force until 08:00 there
TAIWAN = dt.timezone(dt.timedelta(hours=8), "Asia/Taipei")


def licence_today(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Taiwan, at which licence expiry is judged by default (``now``: for tests)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(TAIWAN).date()


def _json_value(value: Any) -> Any:
    """A value stored as JSON text (a metadata member read by SQL), parsed; non-JSON text as it is, "" as None."""
    try:
        return (json.loads(value) if value else None) if isinstance(value, str) else value
    except json.JSONDecodeError:
        return value
