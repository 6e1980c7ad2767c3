"""The licence catalogue as a file: where the shipped one lies, reading a TOML catalogue (errors name the file) and
checking its entries against the schema and the rules the decisions rely on (each problem names its entry).

:mod:`provenance.licences` builds the :class:`~provenance.licences.LicenceCatalogue` from what this module read and
checked, and re-exports these names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from provenance.errors import ConfigError
from provenance.licence_terms import AUDIENCES, _shown, bank_case_problem, is_audience, iso_day

REQUIRED_IDS: tuple[str, ...] = (
    "OGDL-Taiwan-1.0",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC-BY-NC-4.0",
    "CC0-1.0",
    "LicenseRef-TW-Copyright-Art9",
    "LicenseRef-MODA-AI-Training",
    "LicenseRef-Written-Agreement",
)
#: SPDX licence-list identifiers the catalogue may use without a ``LicenseRef-`` prefix.
KNOWN_SPDX: frozenset[str] = frozenset(
    (
        "0BSD Apache-2.0 BSD-2-Clause BSD-3-Clause CC-BY-1.0 CC-BY-2.0 CC-BY-2.5 CC-BY-3.0 CC-BY-4.0 "
        "CC-BY-NC-1.0 CC-BY-NC-2.0 CC-BY-NC-2.5 CC-BY-NC-3.0 CC-BY-NC-4.0 CC-BY-NC-ND-3.0 CC-BY-NC-ND-4.0 "
        "CC-BY-NC-SA-2.0 CC-BY-NC-SA-3.0 CC-BY-NC-SA-4.0 CC-BY-ND-3.0 CC-BY-ND-4.0 CC-BY-SA-2.0 CC-BY-SA-3.0 "
        "CC-BY-SA-4.0 CC-PDDC CC0-1.0 CDLA-Permissive-1.0 CDLA-Permissive-2.0 CDLA-Sharing-1.0 ISC MIT "
        "ODbL-1.0 ODC-By-1.0 OGDL-Taiwan-1.0 OGL-UK-3.0 PDDL-1.0 Unlicense"
    ).split()
)


def licence_catalogue_path() -> Path:
    """Path of the shipped licence catalogue."""
    return Path(str(resources.files("schemas").joinpath("licences", "catalogue.toml")))


def _schema() -> dict[str, Any]:
    return json.loads(resources.files("schemas").joinpath("json", "licence_catalogue.schema.json").read_text("utf-8"))


def _entry_name(data: dict[str, Any], path: Iterable[Any]) -> str:
    path = list(path)
    if len(path) >= 2 and path[0] == "licence" and isinstance(path[1], int):
        items = data.get("licence") or []
        entry_id = items[path[1]].get("id", "?") if path[1] < len(items) and isinstance(items[path[1]], dict) else "?"
        rest = ".".join(str(p) for p in path[2:])
        return f"entry #{path[1] + 1} `{_shown(entry_id)}`" + (f" field `{rest}`" if rest else "")
    return "catalogue" + (f" field `{'.'.join(map(str, path))}`" if path else "")


def check_licence_catalogue_data(data: dict[str, Any]) -> list[str]:
    """Every problem in a parsed licence catalogue, each naming its entry; empty when valid."""
    import jsonschema

    problems: list[str] = []
    validator = jsonschema.Draft202012Validator(_schema())
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        problems.append(f"{_entry_name(data, err.absolute_path)}: {err.message}")
    entries = data.get("licence") if isinstance(data.get("licence"), list) else []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        lid = str(entry.get("id", ""))
        where = f"entry #{i + 1} `{_shown(lid)}`"  # an id with a trailing newline: named on one line
        listed = entry.get("aliases")  # not a list: the schema names it
        aliases = [a for a in listed if isinstance(a, str)] if isinstance(listed, list) else []
        for name in [lid, *aliases]:
            if name in seen:
                problems.append(f"{where}: id `{name}` already used by entry #{seen[name] + 1}")
            seen.setdefault(name, i)
        problems += [f"{where}: {p}" for p in alias_problems(aliases, lid)]
        if lid and not lid.startswith("LicenseRef-") and lid not in KNOWN_SPDX:
            problems.append(f"{where}: unknown SPDX id; use an id from the SPDX licence list or a LicenseRef- id")
        problems += [f"{where}: {p}" for p in spdx_contradictions(entry)]
        if entry.get("attribution_required") and not entry.get("template") and not entry.get("attribution"):
            problems.append(f"{where}: attribution_required but no attribution statement")
        if not entry.get("template") and not entry.get("purposes"):
            problems.append(f"{where}: no permitted purposes (obligations incomplete)")
        if not entry.get("template") and not entry.get("audience"):
            problems.append(f"{where}: no permitted audience (obligations incomplete)")
        for a in entry.get("audience") or []:
            if isinstance(a, str) and not is_audience(a):  # the schema's pattern lets a trailing newline through
                problems.append(f"{where}: audience `{_shown(a)}` invalid; valid: {', '.join(AUDIENCES)}")
            elif why := bank_case_problem(a):
                problems.append(f"{where}: {why}")
        problems += [f"{where}: {p}" for p in entry_text_problems(entry)]
        expiry = entry.get("expiry")
        if isinstance(expiry, dt.date):
            problems.append(f"{where}: expiry must be a quoted ISO date string")
        elif isinstance(expiry, str) and _SCHEMA_DATE.search(expiry) and not _is_date(expiry):
            # the schema's pattern lets 2026-02-30 through (what it refuses, 2026/12/31, it names itself)
            problems.append(f"{where}: expiry `{_shown(expiry)}` is not a date (YYYY-MM-DD)")
    ids = {str(e.get("id", "")) for e in entries if isinstance(e, dict)}
    # an entry's own id: a required licence listed only as another entry's alias is judged by that entry's terms
    missing = [r for r in REQUIRED_IDS if r not in ids]
    if missing:
        problems.append(f"licence catalogue: required ids missing: {', '.join(missing)}")
    return problems


#: what no line of a licence's name or url may hold: a line break or paragraph separator, a control, format (bidi,
#: zero-width) or unassigned character; NOTICE.md states each on one line of its licence list
_HIDDEN = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
#: a licence's url as NOTICE.md links it (``<url>``): one http(s) URL, nothing that ends the link or starts markup
_URL_RE = re.compile(r"https?://[^\s<>\"`\\{}|^]+", re.IGNORECASE)


def entry_text_problems(entry: dict[str, Any]) -> list[str]:
    """An entry's ``id``, ``name`` and ``url`` that NOTICE.md could not state as one line of its licence list
    (review 17: a custom catalogue's multi-line name added headings and a forged attribution statement to NOTICE; a
    url with ``>`` ended the link and appended text; the schema's id pattern let ``"LicenseRef-X\\n"`` through).

    >>> entry_text_problems({"name": "CC BY\\n## Attribution", "url": "https://x.example/ **ok**"})
    ['field `name` holds a line break or a control, bidi or unassigned character (U+000A); write it on one line', \
'field `url` `https://x.example/ **ok**` is not one http(s) URL (no spaces, <, >, quotes or backticks)']
    """
    problems = []
    for key in ("id", "name", "url"):
        value = entry.get(key)
        if not isinstance(value, str):  # the schema names it
            continue
        if bad := next((c for c in value if unicodedata.category(c) in _HIDDEN), None):
            problems.append(
                f"field `{key}` holds a line break or a control, bidi or unassigned character (U+{ord(bad):04X}); "
                "write it on one line"
            )
        elif key == "url" and value and not _URL_RE.fullmatch(value):
            problems.append(f"field `url` `{value}` is not one http(s) URL (no spaces, <, >, quotes or backticks)")
    return problems


def _is_date(text: str) -> bool:
    return iso_day(text) is not None


def alias_problems(aliases: Iterable[str], own_id: str = "") -> list[str]:
    """Aliases that are neither ``LicenseRef-`` ids nor a spelling of the entry's ``own_id`` (``cc-by-4.0``,
    ``CC BY 4.0`` on ``CC-BY-4.0``: the same licence, checked as its id is), one line each. An alias makes records
    stored under it judged by its entry's terms: an SPDX id there (``CC-BY-NC-4.0`` on a commercial entry,
    ``CC-BY-ND-4.0`` on a CC BY one) put a licence under another's terms, past the checks made on entries' own ids
    (:func:`spdx_contradictions`).

    >>> [p[:44] for p in alias_problems(["LicenseRef-SAITD-Lic-Taiwan-1.0", "CC-BY-NC-4.0"])]
    ['alias `CC-BY-NC-4.0` is not a LicenseRef- id']
    >>> alias_problems(["cc-by-4.0", "CC BY 4.0", "CC_BY_4.0"], "CC-BY-4.0")
    []
    """
    return [
        f"alias `{_shown(a)}` is not a LicenseRef- id: records stored under it would be judged by this entry's "
        "terms; give an SPDX licence an entry of its own (its id), and aliases only to LicenseRef- ids or to "
        "spellings of the entry's own id"
        for a in aliases
        if not _LICENSEREF.fullmatch(a) and not (own_id and _spelling(a) == _spelling(own_id))
    ]


def _spelling(licence_id: str) -> str:
    """A licence id as people spell it alike: case, spaces, hyphens and underscores aside."""
    return re.sub(r"[\s_-]+", "", licence_id).casefold()


_LICENSEREF = re.compile(r"LicenseRef-[A-Za-z0-9.-]+")
#: the schema's pattern for an expiry, as jsonschema reads it (``\d``: any decimal digit, ``$``: a final newline too)
_SCHEMA_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: what a Creative Commons licence's SPDX id fixes: (part of the id, field, value it must have, the licence's word)
_CC_FACTS = (
    ("-BY-", "attribution_required", True, "requires attribution (BY)"),
    ("-NC-", "commercial", False, "forbids commercial use (NC)"),
    ("-SA-", "share_alike", True, "requires share-alike (SA)"),
)


def spdx_contradictions(entry: dict[str, Any]) -> list[str]:
    """Where an entry contradicts the Creative Commons licence its SPDX id names, one line each: an NC licence
    stated as commercial exported NC material in a commercial export (review 8, export #6). A NoDerivatives (ND)
    licence is refused: the catalogue cannot say that the stages must not change its texts.

    >>> spdx_contradictions({"id": "CC-BY-NC-SA-4.0", "commercial": True, "share_alike": True,
    ...                      "attribution_required": True})
    ['CC-BY-NC-SA-4.0 forbids commercial use (NC): set `commercial = false`']
    >>> spdx_contradictions({"id": "CC-BY-ND-4.0", "commercial": True, "attribution_required": True})[0][:40]
    'CC-BY-ND-4.0 forbids adaptations (ND), w'
    """
    lid = str(entry.get("id", ""))
    if not lid.startswith("CC-"):
        return []
    problems = []
    if "-ND-" in f"{lid}-":
        problems.append(
            f"{lid} forbids adaptations (ND), which the catalogue cannot express (the stages change texts): "
            "leave it out, or list the material under a LicenseRef- entry after legal review"
        )
    for part, key, value, word in _CC_FACTS:
        if part in f"{lid}-" and key in entry and entry[key] is not value:
            problems.append(f"{lid} {word}: set `{key} = {str(value).lower()}`")
    return problems


def read_licence_catalogue_file(path: str | Path) -> dict[str, Any]:
    """Parse a licence catalogue TOML file (errors name the file)."""
    return read_licence_catalogue_hashed(path)[0]


def read_licence_catalogue_hashed(path: str | Path) -> tuple[dict[str, Any], str]:
    """:func:`read_licence_catalogue_file` and the sha256 of the very bytes parsed, from one read: hashing the file
    again after it was parsed named bytes other than the rules' when it was replaced in between, and a pipe
    (``--catalogue <(...)``) reads empty the second time (review 13's portal review)."""
    path = Path(path)
    if path.is_dir():  # the options take a folder too, so that this says it in one line (click printed its usage)
        raise ConfigError(
            f"licence catalogue `{path}` cannot be read as UTF-8 text (it is a folder); name a readable file, the"
            " catalogue's TOML file"
        )
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text's universal newlines
        return tomllib.loads(text), hashlib.sha256(raw).hexdigest()
    except FileNotFoundError:
        raise ConfigError(f"licence catalogue `{path}` not found") from None
    except (OSError, UnicodeDecodeError) as exc:  # UTF-16 or Big5 text, a folder, no permission: one line, no traceback
        fix = "save it as UTF-8" if isinstance(exc, UnicodeDecodeError) else "name a readable file"
        raise ConfigError(f"licence catalogue `{path}` cannot be read as UTF-8 text ({exc}); {fix}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"licence catalogue `{path}` is not valid TOML: {exc}") from None


def check_licence_catalogue(path: str | Path | None = None) -> list[str]:
    """Validate a licence catalogue file; returns the problems (empty = valid)."""
    return check_licence_catalogue_data(read_licence_catalogue_file(path or licence_catalogue_path()))
