"""Licence catalogue (schemas/licences/catalogue.toml) and licence decisions.

The catalogue is data: each entry declares permitted purposes, audience, commercial use and
obligations (attribution, share-alike, sublicensing, expiry). Template entries such as
``LicenseRef-Written-Agreement`` take their agreement-specific terms from
``records.metadata.licence_terms`` / ``sources.metadata.licence_terms``.

Audience is ordered ``public`` > ``consortium`` > ``member:BANK``: a licence granting ``public``
allows every audience, ``consortium`` allows the consortium and each member bank, and
``member:BANK`` only that bank. Purposes, audiences, agreement terms and the licence date live in
:mod:`provenance.licence_terms` and are re-exported here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from provenance.errors import ConfigError, LicenceError
from provenance.licence_file import KNOWN_SPDX as KNOWN_SPDX
from provenance.licence_file import REQUIRED_IDS as REQUIRED_IDS
from provenance.licence_file import check_licence_catalogue as check_licence_catalogue
from provenance.licence_file import check_licence_catalogue_data as check_licence_catalogue_data
from provenance.licence_file import licence_catalogue_path as licence_catalogue_path
from provenance.licence_file import read_licence_catalogue_file as read_licence_catalogue_file
from provenance.licence_file import read_licence_catalogue_hashed
from provenance.licence_terms import AUDIENCES as AUDIENCES
from provenance.licence_terms import (
    CREDIT_MAX,
    _date,
    _intersect_audience,
    _json_value,
    _shown,
    bank_case_problem,
    credit_value,
    is_audience,
    refuse_bank_case,
    share_alike_conflict,
    statement_problem,
)
from provenance.licence_terms import PURPOSES as PURPOSES
from provenance.licence_terms import TAIWAN as TAIWAN
from provenance.licence_terms import Terms as Terms
from provenance.licence_terms import audience_allows as audience_allows
from provenance.licence_terms import licence_today as licence_today
from provenance.licence_terms import parse_audience as parse_audience
from provenance.licence_terms import parse_purpose as parse_purpose

_PLACEHOLDER_RE = re.compile(r"\{(provider|year|dataset)\}")


@dataclass(frozen=True, slots=True)
class Licence:
    """One catalogue entry."""

    id: str
    name: str
    url: str
    purposes: frozenset[str]
    audience: tuple[str, ...]
    commercial: bool
    attribution_required: bool
    share_alike: bool
    sublicensable: bool
    rank: int
    attribution: str = ""
    transferable: bool = True
    """False: granted to one licensee (the audience it names, exactly); no narrower audience (a member of a
    consortium that holds it) may use it either (:meth:`Grant.decide`). A CC licence is transferable in this
    sense: every recipient receives it from the licensor (CC BY 4.0 §2(a)(5)(A)); it is only not sublicensable."""
    expiry: dt.date | None = None
    template: bool = False
    """Agreement-specific terms must come from the record or source (``licence_terms``)."""
    terms_optional: bool = False
    """Terms may narrow this licence (e.g. a grant's expiry) but are not required."""
    aliases: tuple[str, ...] = ()
    attribution_requires: tuple[str, ...] = ()
    """Placeholders (``provider``, ``year``, ``dataset``) the statement cannot go without: a record for which one
    is unknown is refused (OGDL: a missing attribution voids the licence)."""

    @property
    def is_spdx(self) -> bool:
        """True for SPDX licence-list ids (not ``LicenseRef-``)."""
        return not self.id.startswith("LicenseRef-")

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly view."""
        return {
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "aliases": list(self.aliases),
            "purposes": sorted(self.purposes),
            "audience": list(self.audience),
            "commercial": self.commercial,
            "attribution_required": self.attribution_required,
            "attribution": self.attribution,
            "share_alike": self.share_alike,
            "sublicensable": self.sublicensable,
            "transferable": self.transferable,
            "expiry": self.expiry.isoformat() if self.expiry else None,
            "template": self.template,
            "terms_optional": self.terms_optional,
            "attribution_requires": list(self.attribution_requires),
            "rank": self.rank,
        }


def term_problems(
    licence_id: str | None,
    terms: Mapping[str, Any] | None,
    licence_catalogue: LicenceCatalogue | None = None,
) -> list[str]:
    """Every problem of a licence id with its agreement ``terms``, each naming the allowed values.

    The same rules as :meth:`LicenceCatalogue.grant` (which stops at the first problem), so what
    passes here is not blocked later for its terms. Empty when the terms are usable.

    >>> term_problems("LicenseRef-Written-Agreement", {"agreement_id": "A1", "licensor": "X",
    ...               "audience": "internal", "purposes": ["training"]})  # doctest: +NORMALIZE_WHITESPACE
    ['audience `internal` invalid; allowed: consortium, member:BANK, public',
     'attribution missing: the licence requires an attribution statement (column `attribution`)']
    """
    cat = licence_catalogue or default_licence_catalogue()
    if not licence_id:
        return ["licence id missing"]
    lic = cat.get(licence_id)
    if lic is None:
        return [f"unknown licence id `{licence_id}`; known: {', '.join(sorted(cat.licences))}"]
    if not terms:
        return ["agreement terms missing (agreement_id, licensor, audience, purposes)"] if lic.template else []
    problems: list[str] = []
    commercial = terms.get("commercial", False)
    if not isinstance(commercial, bool):
        problems.append(f"commercial `{commercial}` invalid; allowed: yes, no")
    elif commercial and not lic.commercial:
        problems.append(f"commercial use granted but {lic.id} does not permit commercial use")
    if not (lic.template or lic.terms_optional):
        return problems + _terms_conflict(lic, terms)  # a public licence takes no agreement terms
    required = ("agreement_id", "licensor", "audience", "purposes") if lic.template else ()
    for key in required:
        if not terms.get(key):
            allowed = {"audience": AUDIENCES, "purposes": PURPOSES}.get(key)
            problems.append(f"{key} missing" + (f"; allowed: {', '.join(allowed)}" if allowed else ""))
    audience = terms.get("audience") or []
    for a in [audience] if isinstance(audience, str) else audience:
        if not is_audience(a):
            problems.append(f"audience `{_shown(a)}` invalid; allowed: {', '.join(AUDIENCES)}")
        elif why := bank_case_problem(a):
            problems.append(why)
    purposes = terms.get("purposes") or []
    for p in [purposes] if isinstance(purposes, str) else purposes:
        if p not in PURPOSES:
            problems.append(f"purpose `{p}` invalid; allowed: {', '.join(PURPOSES)}")
    try:
        _date(terms.get("expiry"), "expiry", lic.id)
    except LicenceError:
        problems.append(f"expiry `{terms.get('expiry')}` is not an ISO date (YYYY-MM-DD)")
    if lic.attribution_required and not terms.get("attribution") and (lic.template or not lic.attribution):
        problems.append("attribution missing: the licence requires an attribution statement (column `attribution`)")
    if why := credit_value(terms.get("attribution"))[1]:
        problems.append(statement_problem(why))
    return problems


def credit_problems(
    licence_id: str | None,
    title: Any,
    licensor: Any,
    licence_catalogue: LicenceCatalogue | None = None,
) -> list[str]:
    """Why a manifest row's ``title`` or ``licensor`` cannot be credited in front of its licence's statement (a
    public licence that requires attribution: :func:`provenance._selection.credited`), one problem per column.
    They come from a data row and go into NOTICE.md and every record's ``attribution`` as one plain line
    (:func:`credit_value`): punctuation is credited as it is (NOTICE.md escapes markdown), only a value longer than
    :data:`CREDIT_MAX` characters or of nothing but control characters is refused at ``manifest check``, ingest and
    export (code ``licence_terms``).

    >>> credit_problems("CC-BY-4.0", "C# 程式設計 [第二版]", "McGraw-Hill Education | 東華書局")
    []
    >>> credit_problems("CC-BY-4.0", "講" * 301, "示範教授")  # doctest: +ELLIPSIS
    ["title longer than 300 characters: ... correct the manifest's `title` column and ingest it again"]
    >>> credit_problems("LicenseRef-Written-Agreement", "講" * 301, None)  # an agreement credits its own statement
    []
    """
    lic = (licence_catalogue or default_licence_catalogue()).get(licence_id)
    if lic is None or lic.template or not lic.attribution_required:
        return []
    problems = []
    for column, value in (("title", title), ("licensor", licensor)):
        if why := credit_value(value)[1]:
            problems.append(
                f"{column} {why}: {lic.id}'s statement credits the work's title and its creator in front, each as "
                f"one plain line of at most {CREDIT_MAX} characters; correct the manifest's `{column}` column and "
                "ingest it again"
            )
    return problems


#: agreement terms that a licence without agreements (a public licence: CC BY, OGDL...) cannot take
AGREEMENT_TERMS: tuple[str, ...] = ("agreement_id", "audience", "purposes", "expiry", "attribution")


def _terms_conflict(lic: Licence, terms: Mapping[str, Any]) -> list[str]:
    """Agreement terms given for a licence that takes none (neither a template nor ``terms_optional``).

    Default deny: such a row names two sets of terms (e.g. CC BY for anyone, and a member-only evaluation grant that
    has expired) and nothing says which holds, so the row is refused instead of either set being dropped.
    """
    given = [k for k in AGREEMENT_TERMS if terms.get(k) not in (None, "", [], ())]
    if terms.get("commercial") is False and lic.commercial:
        given.append("commercial `no`")
    if not given:
        return []
    return [
        f"agreement terms ({', '.join(given)}) given for {lic.id}, which takes none: the row's terms conflict with "
        "its licence; for an agreement use licence LicenseRef-Written-Agreement (its terms then govern), "
        f"for {lic.id} leave the agreement columns empty"
    ]


@dataclass(frozen=True, slots=True)
class UseDecision:
    """Whether a use is allowed and, if not, why."""

    ok: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True, slots=True)
class Grant:
    """Effective permissions of a record (one licence, or the most restrictive of several)."""

    licence_ids: tuple[str, ...]
    purposes: frozenset[str]
    audience: tuple[str, ...]
    commercial: bool
    share_alike: bool
    sublicensable: bool
    expiry: dt.date | None
    attributions: tuple[str, ...] = ()
    agreement_ids: tuple[str, ...] = ()
    licensees: tuple[tuple[str, ...], ...] = ()
    """The audience of each part that is not transferable (a grant to its licensee alone): a use must be by one of
    them exactly, or on its behalf (:meth:`decide`); empty when every part is transferable."""

    @property
    def transferable(self) -> bool:
        """False when a part is granted to its licensee alone."""
        return not self.licensees

    def decide(
        self,
        *,
        purpose: str,
        audience: str,
        commercial: bool = False,
        at: dt.date | None = None,
        on_behalf_of: str | None = None,
    ) -> UseDecision:
        """Check one use against this grant. ``on_behalf_of``: the licensee ``audience`` works for, when that is
        not ``audience`` itself (a member bank's annotators working on the consortium's catalogue): a grant that
        is not transferable is used by its licensee then, not handed on, if ``audience`` is within the grant's.

        >>> g = default_licence_catalogue().grant("LicenseRef-MODA-AI-Training")
        >>> g.decide(purpose="training", audience="member:CTBC").ok
        False
        >>> g.decide(purpose="training", audience="member:CTBC", on_behalf_of="consortium").ok
        True
        """
        at = at or licence_today()
        label = "+".join(self.licence_ids)
        if self.expiry is not None and at > self.expiry:
            return UseDecision(False, f"expired: {label} ended {self.expiry.isoformat()}")
        if purpose not in self.purposes:
            return UseDecision(
                False,
                f"purpose `{purpose}` not permitted by {label} (permits: {', '.join(sorted(self.purposes)) or 'none'})",
            )
        if not audience_allows(self.audience, audience):
            return UseDecision(
                False, f"audience `{audience}` not permitted by {label} (permits: {', '.join(self.audience) or 'none'})"
            )
        for licensee in self.licensees:
            if audience not in licensee and on_behalf_of not in licensee:
                return UseDecision(
                    False,
                    f"audience `{audience}` not permitted by {label}: the grant is not transferable, only its licensee "
                    f"({', '.join(licensee)}) may use it; a grant held by one bank names that bank (`member:BANK`)"
                    " as its licensee",
                )
        if commercial and not self.commercial:
            return UseDecision(False, f"commercial use not permitted by {label}")
        return UseDecision(True, "")


def combine(grants: Iterable[Grant]) -> Grant:
    """The most restrictive combination of several grants, with the union of attributions; used for a record
    derived from several records (e.g. merged duplicates). Share-alike mixes are refused (:class:`LicenceError`).
    >>> cat = default_licence_catalogue()
    >>> g = combine([cat.grant("CC-BY-4.0"), cat.grant("CC-BY-NC-4.0")])
    >>> g.commercial, g.licence_ids
    (False, ('CC-BY-4.0', 'CC-BY-NC-4.0'))
    """
    if not (grants := list(grants)):
        raise ValueError("combine() needs at least one grant")
    if why := share_alike_conflict(grants):  # share-alike mixes (review 17)
        raise LicenceError("+".join(dict.fromkeys(i for g in grants for i in g.licence_ids)), why)
    out = grants[0]
    for g in grants[1:]:
        expiries = [e for e in (out.expiry, g.expiry) if e is not None]
        out = Grant(
            licence_ids=tuple(dict.fromkeys(out.licence_ids + g.licence_ids)),
            purposes=out.purposes & g.purposes,
            audience=_intersect_audience(out.audience, g.audience),
            commercial=out.commercial and g.commercial,
            share_alike=out.share_alike or g.share_alike,
            sublicensable=out.sublicensable and g.sublicensable,
            expiry=min(expiries) if expiries else None,
            attributions=tuple(dict.fromkeys(out.attributions + g.attributions)),
            agreement_ids=tuple(dict.fromkeys(out.agreement_ids + g.agreement_ids)),
            licensees=tuple(dict.fromkeys(out.licensees + g.licensees)),
        )
    return out


def attribution_values(source: Mapping[str, Any] | None, record: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The ``{provider}``, ``{year}`` and ``{dataset}`` a statement names: the record's own (its metadata: the MODA
    dataset and agency of that file, its stated year) first, then its source row's; for a year neither states, the
    record's ``dated_year`` (of its date) or ``taken_year`` (the year it was taken in); empty when none says.

    >>> attribution_values({"metadata": {"provider": "法務部", "year": 2025}}, {"dataset": "開放資料v2", "taken_year": "2026"})
    {'provider': '法務部', 'year': '2025', 'dataset': '開放資料v2'}
    """
    return _credit_values(source, record)[0]


def _credit_values(
    source: Mapping[str, Any] | None, record: Mapping[str, Any] | None
) -> tuple[dict[str, str], dict[str, str]]:
    """:func:`attribution_values` (each one plain line, :func:`credit_value`) and, by name, why a stated value
    cannot be credited (it is left empty)."""
    source, record = source or {}, record or {}
    meta = source.get("metadata") or {}
    if isinstance(meta, str):
        meta = json.loads(meta or "{}")
    values, problems = {}, {}
    for k in ("provider", "year", "dataset"):
        raw = record.get(k) or meta.get(k) or (meta.get("agency") if k == "provider" else None)
        values[k], why = credit_value(raw)
        if why:
            problems[k] = f"{_shown(str(raw)[:60])}{'...' if len(str(raw)) > 60 else ''}: {why}"
    values["year"] = values["year"] or str(record.get("dated_year") or record.get("taken_year") or "")
    return values, problems


def _fill(template: str, source: Mapping[str, Any] | None, record: Mapping[str, Any] | None = None) -> str:
    values = attribution_values(source, record)
    title = str((source or {}).get("title") or (source or {}).get("source_id") or "")
    named = values["provider"]
    values["provider"] = named or title  # without a named provider the source's title stands in for both
    if not values["dataset"] and named:
        values["dataset"] = title
    text = _PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], template)
    return "\n".join(re.sub(r"\s{2,}", " ", line).strip(" ,") for line in text.splitlines()).strip()


_PLACEHOLDER_NAMES = {"provider": "the providing agency (提供機關)", "year": "the year", "dataset": "the dataset name"}


@dataclass(frozen=True, slots=True)
class LicenceCatalogue:
    """The loaded licence catalogue."""

    licences: Mapping[str, Licence]
    aliases: Mapping[str, str] = field(default_factory=dict)
    path: str = ""
    #: sha256 of the bytes the rules were parsed from (what NOTICE and the report name; "" for one built in code)
    sha256: str = ""

    def get(self, licence_id: str | None) -> Licence | None:
        """The entry for an id or alias, or None."""
        if not licence_id:
            return None
        return self.licences.get(self.aliases.get(licence_id, licence_id))

    def canonical(self, licence_id: str) -> str:
        """The catalogue's own id for ``licence_id`` (an alias resolved; any other id as given): what is stored, so
        one licence under its alias and its id is one licence, not a licence change."""
        return self.aliases.get(licence_id, licence_id)

    def __getitem__(self, licence_id: str) -> Licence:
        lic = self.get(licence_id)
        if lic is None:
            raise LicenceError(licence_id, f"not in the licence catalogue; known: {', '.join(sorted(self.licences))}")
        return lic

    def grant(
        self,
        licence_id: str | None,
        terms: Mapping[str, Any] | Terms | None = None,
        source: Mapping[str, Any] | None = None,
        record: Mapping[str, Any] | None = None,
    ) -> Grant:
        """Effective permissions of ``licence_id`` under optional agreement ``terms``.

        ``source`` (its row) and ``record`` (``provider``, ``year``, ``dataset`` from the record's metadata) fill
        the statement's placeholders, the record's first; given a ``record``, a value the statement requires
        (``attribution_requires``) must be known. Raises :class:`LicenceError` for an unknown or missing
        licence, a template licence without valid terms, or a record's statement without a required value
        (default deny).
        """
        if not licence_id:
            raise LicenceError(licence_id, "missing licence")
        lic = self.get(licence_id)
        if lic is None:
            raise LicenceError(licence_id, "unknown licence (not in the catalogue)")
        if terms is not None and not isinstance(terms, Terms):
            # a licence whose terms are optional (a grant's expiry, its licensee) needs none of the agreement fields
            terms = Terms.from_mapping(terms, lic.id, required=None if lic.template else ())
        if lic.template and terms is None:
            raise LicenceError(lic.id, "agreement terms missing (records/sources metadata.licence_terms)")
        attributions: tuple[str, ...] = ()
        values, unusable = _credit_values(source, record)
        unusable = {k: v for k, v in unusable.items() if k in lic.attribution_requires or f"{{{k}}}" in lic.attribution}
        if unusable and record is not None:  # a data row's agency that cannot be credited: refused, not cut
            raise LicenceError(
                lic.id,
                "the attribution statement cannot credit "
                + "; ".join(f"{_PLACEHOLDER_NAMES[k]} {v}" for k, v in unusable.items())
                + f" (one plain name is credited, at most {CREDIT_MAX} characters): correct the record's "
                "metadata (`provider`, `agency`, a field `agency` or `提供機關`; `dataset`) and ingest it again",
            )
        missing = [_PLACEHOLDER_NAMES[k] for k in lic.attribution_requires if not values.get(k)]
        if missing and record is not None:  # judged for a record: a licence alone (check_use) names no dataset
            raise LicenceError(
                lic.id,
                f"the attribution statement needs {' and '.join(missing)}, and neither the record's metadata "
                "(`provider`, `agency`, a field `agency` or `提供機關`; `year`; `dataset`) nor its source's gives it; without it "
                "the licence does not hold: ingest the records with it (e.g. an `agency` or `提供機關` field in each row)",
            )
        if lic.attribution:
            attributions = (_fill(lic.attribution, source, record),)
        grant = Grant(
            licence_ids=(lic.id,),
            purposes=lic.purposes,
            audience=lic.audience,
            commercial=lic.commercial,
            share_alike=lic.share_alike,
            sublicensable=lic.sublicensable,
            expiry=lic.expiry,
            attributions=attributions,
            licensees=() if lic.transferable else (lic.audience,),
        )
        if terms is not None:
            narrowed = Grant(
                licence_ids=(lic.id,),
                purposes=terms.purposes or lic.purposes,  # optional terms that name none narrow nothing
                audience=terms.audience or lic.audience,
                commercial=terms.commercial if lic.template else lic.commercial,
                share_alike=lic.share_alike,
                sublicensable=lic.sublicensable,
                expiry=terms.expiry,
                attributions=(terms.attribution,) if terms.attribution else (),
                agreement_ids=(terms.agreement_id,) if terms.agreement_id else (),
            )
            # the licensee is the one the terms name (a bank's own grant), not the catalogue's upper bound
            grant = replace(grant, licensees=() if lic.transferable else (narrowed.audience,))
            if lic.template:
                # the agreement's own attribution replaces the (absent) generic statement
                grant = replace(grant, attributions=())
            grant = combine([grant, narrowed])
        if lic.attribution_required and not grant.attributions:
            raise LicenceError(lic.id, "attribution required but no attribution statement is available")
        return grant


def load_licence_catalogue(path: str | Path | None = None) -> LicenceCatalogue:
    """Load and validate a licence catalogue (default: the shipped one).

    Raises :class:`ConfigError` listing every problem, each naming its entry.
    """
    path = Path(path or licence_catalogue_path())
    data, sha = read_licence_catalogue_hashed(path)
    problems = check_licence_catalogue_data(data)
    if problems:
        raise ConfigError(f"licence catalogue `{path}` is invalid: " + "; ".join(problems))
    licences: dict[str, Licence] = {}
    aliases: dict[str, str] = {}
    for e in data["licence"]:
        lic = Licence(
            id=e["id"],
            name=e["name"],
            url=e["url"],
            purposes=frozenset(e["purposes"]),
            audience=tuple(e["audience"]),
            commercial=e["commercial"],
            attribution_required=e["attribution_required"],
            share_alike=e["share_alike"],
            sublicensable=e["sublicensable"],
            transferable=e.get("transferable", True),
            rank=e["rank"],
            attribution=e.get("attribution", ""),
            expiry=_date(e.get("expiry"), "expiry", e["id"]),
            template=e.get("template", False),
            terms_optional=e.get("terms_optional", False),
            aliases=tuple(e.get("aliases", [])),
            attribution_requires=tuple(e.get("attribution_requires", [])),
        )
        licences[lic.id] = lic
        for a in lic.aliases:
            aliases[a] = lic.id
    return LicenceCatalogue(licences=licences, aliases=aliases, path=str(path), sha256=sha)


@lru_cache(maxsize=1)
def default_licence_catalogue() -> LicenceCatalogue:
    """The shipped licence catalogue, loaded once."""
    return load_licence_catalogue()


def canonical_licence_id(licence_id: str) -> str:
    """:meth:`LicenceCatalogue.canonical` in the shipped catalogue.

    >>> canonical_licence_id("LicenseRef-SAITD-Lic-Taiwan-1.0"), canonical_licence_id("OGDL-Taiwan-1.0")
    ('LicenseRef-MODA-AI-Training', 'OGDL-Taiwan-1.0')
    """
    return default_licence_catalogue().canonical(licence_id)


def check_use(
    licence_id: str | None,
    *,
    purpose: str,
    audience: str,
    commercial: bool = False,
    at: dt.date | None = None,
    terms: Mapping[str, Any] | Terms | None = None,
    licence_catalogue: LicenceCatalogue | None = None,
) -> UseDecision:
    """May a record under ``licence_id`` (and agreement ``terms``) be used this way on date ``at``?

    >>> check_use("CC-BY-NC-4.0", purpose="training", audience="public", commercial=True).reason
    'commercial use not permitted by CC-BY-NC-4.0'
    >>> check_use("LicenseRef-Written-Agreement", purpose="training", audience="public",
    ...           terms={"agreement_id": "A1", "licensor": "TABF", "audience": "consortium",
    ...                  "purposes": ["training"], "attribution": "TABF"}).ok
    False
    """
    parse_purpose(purpose)
    refuse_bank_case(parse_audience(audience), "check_use")  # `member:esun`: refused, as an export to it is
    cat = licence_catalogue or default_licence_catalogue()
    try:
        grant = cat.grant(licence_id, terms)
    except LicenceError as exc:
        return UseDecision(False, str(exc))
    return grant.decide(purpose=purpose, audience=audience, commercial=commercial, at=at)


def record_terms(
    licence_id: str | None, own: Any, fallback: Any = None, problems: Any = None, cat: LicenceCatalogue | None = None
) -> tuple[Any, str | None]:
    """(the agreement terms a record's licence is judged under, None), or (None, why its terms are refused: code
    ``licence_terms``): refused at ingest (``metadata.licence_term_problems``), or its ``own`` agreement terms beside
    a licence that takes none (its source's, ``fallback``, are then its agreement records'). The export's rule, and
    annotation eligibility's.

    >>> record_terms("CC-BY-NC-4.0", None, None, '["commercial use granted"]')[1]
    'licence terms refused at ingest: commercial use granted'
    """
    if problems := _json_value(problems):
        shown = "; ".join(map(str, problems)) if isinstance(problems, list) else str(problems)
        return None, f"licence terms refused at ingest: {shown}"
    own = _json_value(own)
    lic = (cat or default_licence_catalogue()).get(licence_id)
    if lic is None or lic.template or lic.terms_optional:
        return own or _json_value(fallback), None
    return None, None if own is None else (
        f"the record carries agreement terms, but {lic.id} takes none: the terms conflict with the licence; correct "
        "the manifest row (LicenseRef-Written-Agreement, or no agreement columns)"
    )


def permissiveness(licence_id: str | None) -> int:
    """Higher = more permissive (the catalogue's ``rank``); unknown or missing licences rank 0.

    >>> permissiveness("CC0-1.0") > permissiveness("CC-BY-NC-4.0") > permissiveness(None)
    True
    """
    lic = default_licence_catalogue().get(licence_id)
    return lic.rank if lic else 0
