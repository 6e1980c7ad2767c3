"""A MODA grant's terms (``ingest moda --expiry/--licensee``): read, checked, and never dropped by leaving them out.

The terms of a licence granted per applicant (``terms_optional`` in the licence catalogue: the AI-training licence)
are each record's ``metadata.licence_terms`` and part of its version's identity. An ingest that leaves an option
out gives no such term, so records that hold one got versions without it: a grant's end date lifted by a pipeline
file not updated, with no warning (review 8 exports, finding 3). A dataset whose current versions hold a term is
therefore refused unless the ingest names that term again: the same value, a new one, or explicitly none
(``--expiry none``: the grant no longer ends; ``--licensee consortium``: the consortium holds it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from provenance.errors import ConfigError

__all__ = ["NO_EXPIRY", "check_terms_kept", "grant_terms", "held_grant_terms", "stored_names"]

#: ``--expiry none``: the grant no longer ends (no ``expiry`` term, said explicitly)
NO_EXPIRY = "none"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MEMBER = re.compile(r"member:[A-Za-z0-9_.-]+")
#: option -> term of ``licence_terms``
_OPTIONS = {"expiry": "expiry", "licensee": "audience"}


def grant_terms(licence: str, expiry: Any, licensee: Any) -> dict[str, str] | None:
    """The grant's ``licence_terms`` (``audience`` from ``licensee``, ``expiry``), None when it has none; refused
    (one line, what is allowed) for a licence that takes none, or a value the licence engine would not read as
    given: an expiry other than YYYY-MM-DD or ``none``, a licensee other than ``consortium`` or ``member:BANK``.

    >>> grant_terms("LicenseRef-MODA-AI-Training", "2026-12-06", "member:ESUN")
    {'audience': 'member:ESUN', 'expiry': '2026-12-06'}
    >>> grant_terms("LicenseRef-MODA-AI-Training", "none", None) is None
    True
    """
    from provenance.licences import default_licence_catalogue, term_problems

    if expiry in (None, "", NO_EXPIRY) and licensee in (None, ""):
        return None
    lic = default_licence_catalogue()[licence]
    if not (lic.template or lic.terms_optional):
        raise ConfigError(
            f"{licence} takes no grant terms: --expiry and --licensee are for a licence granted per "
            "applicant (LicenseRef-MODA-AI-Training); leave them out"
        )
    if expiry not in (None, "", NO_EXPIRY) and not _ISO_DAY.fullmatch(str(expiry)):
        raise ConfigError(
            f"--expiry `{expiry}` is not an ISO date (YYYY-MM-DD, e.g. 2026-12-06); give the grant's last day, or "
            f"--expiry {NO_EXPIRY} when the grant no longer ends"
        )
    if licensee not in (None, "") and not (licensee == "consortium" or _MEMBER.fullmatch(str(licensee))):
        raise ConfigError(
            f"--licensee `{licensee}` is not a grant's holder: give consortium (the consortium's grant) or "
            "member:BANK (one bank's own grant, e.g. member:ESUN)"
        )
    given = {"audience": licensee, "expiry": None if expiry == NO_EXPIRY else expiry}
    terms = {k: str(v) for k, v in given.items() if v not in (None, "")}
    if problems := term_problems(licence, terms):
        raise ConfigError(f"grant terms of {licence} refused: {'; '.join(problems)}")
    return terms or None


def check_terms_kept(
    licence: str, source_id: str, options: dict[str, Any], names: Iterable[str], held: dict[str, list[dict]]
) -> None:
    """Refuse (one line: the dataset, its current terms, how to go on) an ingest that leaves out a term the current
    versions of one of its datasets hold (``names``: as stored; ``held``: :func:`held_grant_terms`): it would make
    versions without it, silently (an end date lifted, a bank's grant made the consortium's)."""
    for name in sorted(set(names)):
        for terms in held.get(name, ()):
            left_out = [o for o, t in _OPTIONS.items() if t in terms and options.get(o) in (None, "")]
            if left_out:
                raise ConfigError(_left_out_message(licence, source_id, name, terms, left_out))


def _left_out_message(licence: str, source_id: str, name: str, terms: dict, left_out: list[str]) -> str:
    shown = ", ".join(f"{o} {terms[t]}" for o, t in _OPTIONS.items() if t in terms)
    again = " ".join(f"--{o} {terms[t]}" for o, t in _OPTIONS.items() if t in terms)
    explicit = {"expiry": f"--expiry {NO_EXPIRY} if the grant no longer ends", "licensee": "--licensee consortium"}
    return (
        f"dataset `{name}` of source `{source_id}` holds records under {licence} with the grant terms {shown}, and "
        f"this ingest gives no --{' or --'.join(left_out)}: it would make versions without them; give the terms "
        f"again ({again}) or new ones, or say so explicitly ({'; '.join(explicit[o] for o in left_out)})"
    )


#: the grant terms the current versions (active, duplicate) of each dataset of a source hold under one licence
_HELD_SQL = """
SELECT coalesce(json_extract_string(metadata, '$.dataset_key'), json_extract_string(metadata, '$.dataset')) AS k,
       list(DISTINCT json_extract(metadata, '$.licence_terms')::VARCHAR)
FROM records WHERE source_id = ? AND licence_id = ? AND status IN ('active', 'duplicate')
     AND json_extract(metadata, '$.licence_terms') IS NOT NULL
GROUP BY k HAVING k IS NOT NULL
"""


def held_grant_terms(db_path: str | Path, source_id: str, licence: str) -> dict[str, list[dict]]:
    """Dataset name (as stored) -> the grant terms its current versions of ``licence`` hold, in the catalogue at
    ``db_path`` (empty when there is none, or the licence takes no terms)."""
    from provenance import db
    from provenance.dbnew import holds_no_catalogue
    from provenance.licences import default_licence_catalogue

    lic = default_licence_catalogue().get(licence)
    path = Path(db_path)
    # never a write open of a 0-byte file or an empty database: it made it a catalogue before the ingest could say so
    if lic is None or not (lic.template or lic.terms_optional) or holds_no_catalogue(path):
        return {}
    con = db.connect(path)
    try:
        rows = con.execute(_HELD_SQL, [source_id, licence]).fetchall()
    finally:
        con.close()
    return {k: [json.loads(t) for t in terms] for k, terms in rows}


def stored_names(names: Iterable[str], as_stored: Callable[[str], str] | None) -> set[str]:
    """Dataset names as the ingest stores them (a folder name pseudonymised: ``as_stored``)."""
    return {as_stored(n) if as_stored else n for n in names}
