"""The licence engine's verdict on one record for one use: the export's licence rule, and annotation eligibility's.

What a record's licence is judged with, read the same way by everyone who asks: its licence id, its own agreement
terms (else its source's, :func:`provenance.licences.record_terms`), the licences of the parents it was merged from,
its source's row, the values its attribution statement credits (:func:`record_credit`: the providing agency, the
year, the dataset) and the terms refused at ingest. :func:`record_use` asks
:meth:`provenance.licences.LicenceCatalogue.grant` with them (an unknown or unusable credit value the licence needs
refuses the record: ``licence_terms``) and then :meth:`provenance.licences.Grant.decide` for the use.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from provenance.errors import LicenceError
from provenance.licences import Grant, LicenceCatalogue, combine, record_terms

__all__ = [
    "CREDIT_PATHS",
    "FOLDER_NAMED_PAIRS",
    "RecordUse",
    "credit_columns",
    "credit_meta",
    "folder_named_dataset",
    "folder_named_pairs",
    "record_credit",
    "record_use",
    "source_rows",
    "terms_columns",
    "without_folder_dataset",
]

#: the metadata paths of ``credit_meta`` (:func:`credit_columns`), in order: work title, creator, dataset, provider,
#: agency, fields.agency, fields.提供機關, year, as_of, refused licence terms, the file (MODA: with the dataset, tells a
#: folder name stored by an old release, :func:`without_folder_dataset`)
_PATHS = (
    "$.document_title",
    "$.licensor",
    "$.dataset",
    "$.provider",
    "$.agency",
    "$.fields.agency",
    "$.fields.提供機關",
    "$.year",
    "$.as_of",
    "$.licence_term_problems",
    "$.file",
)
CREDIT_PATHS = len(_PATHS)
#: the position of the terms refused at ingest in ``credit_meta``, of the dataset and of the file
TERM_PROBLEMS, _DATASET, _FILE = 9, 2, 10
#: the catalogue schema of the first release that stored a MODA file's folder name as ``dataset_key``, not as
#: ``dataset`` (9ac3a61; schema 0111's releases came before and after it, the ones before it for 17 minutes)
FOLDER_KEYS_SCHEMA = 111
_YEAR_RE = re.compile(r"((?:19|20)\d\d)(?:[-/.年]|\d{4}\Z)")


def terms_columns(r: str) -> str:
    """The SQL columns of a version ``r`` (a table alias) holding its own agreement terms and the licences of the
    parents it was merged from, as JSON text: ``r_terms``, ``r_merged``.

    >>> terms_columns("c").split(" AS ")[-1]
    'r_merged'
    """
    return (
        f"CAST(json_extract({r}.metadata, '$.licence_terms') AS VARCHAR) AS r_terms,"
        f" CAST(json_extract({r}.metadata, '$.licences') AS VARCHAR) AS r_merged"
    )


def credit_columns(r: str) -> str:
    """The SQL columns of a version ``r`` that :func:`record_credit` reads: ``credit_meta`` (the values of
    :data:`CREDIT_PATHS` paths of its metadata, its refused terms last) and ``taken_year``.

    >>> credit_columns("c").endswith("year(c.created_at) AS taken_year")
    True
    """
    # one extraction of every path: as two, the export's sort of a 50,000-id range ran out of the 128 MB cap at 100k
    # (a folder name as the dataset is told in Python, :func:`without_folder_dataset`: in SQL, the 48 MB export ran out)
    paths = ", ".join(f"'{p}'" for p in _PATHS)
    return f"json_extract_string({r}.metadata, [{paths}]) AS credit_meta, year({r}.created_at) AS taken_year"


def folder_named_dataset(r: str) -> str:
    """SQL: whether version ``r``'s ``metadata.dataset`` is the name of the folder its file was in, as MODA ingests
    (rows with ``licence_class``) stored it without ``--dataset`` before 9ac3a61, and not a dataset title.

    Such rows have no ``dataset_key`` and were written by a run at a schema before :data:`FOLDER_KEYS_SCHEMA`; their
    ``dataset`` is a folder name when it is the file itself (a ``save_to_disk`` folder), the folder in the file's
    path (a folder ingested), or, for a file given alone (``metadata.file`` its name), the folder of that file in
    the ingest run's ``paths``. A ``--dataset`` of those releases that names its file's folder reads as one too: it
    is no more of a title."""
    d = f"json_extract_string({r}.metadata, '$.dataset')"
    f = f"json_extract_string({r}.metadata, '$.file')"
    return (
        f"({d} IS NOT NULL AND json_exists({r}.metadata, '$.licence_class')"
        f" AND NOT json_exists({r}.metadata, '$.dataset_key')"
        f" AND {r}.run_id IN (SELECT run_id FROM runs WHERE coalesce(schema_version, 0) < {FOLDER_KEYS_SCHEMA})"
        f" AND ({f} = {d} OR list_extract(string_split({f}, '/'), -2) = {d} OR {d} || '/' || {f} IN ("
        "     SELECT array_to_string(string_split(p, '/')[-2:], '/') FROM (SELECT unnest(CAST("
        "         json_extract_string(params, '$.paths[*]') AS VARCHAR[])) AS p FROM runs"
        f"         WHERE command LIKE 'ingest %' AND coalesce(schema_version, 0) < {FOLDER_KEYS_SCHEMA}))))"
    )


def credit_meta(metadata: Mapping[str, Any]) -> list[str | None]:
    """``credit_meta`` (:func:`credit_columns`) of a record's metadata held as a dict, before it is stored: what a
    dry run (``curate manifest check``) credits is read from the same paths as the export reads.

    >>> credit_meta({"document_title": "講義", "fields": {"agency": "金管會"}, "year": 2025})[:8]
    ['講義', None, None, None, None, '金管會', None, '2025']
    """
    out: list[str | None] = []
    for path in _PATHS:
        value: Any = metadata
        for key in path[2:].split("."):
            value = value.get(key) if isinstance(value, Mapping) else None
        out.append(
            None if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        )
    return out


#: the ``(dataset, file)`` pairs of the versions whose ``dataset`` is a folder name (:func:`folder_named_dataset`)
FOLDER_NAMED_PAIRS = (
    "SELECT DISTINCT json_extract_string(f.metadata, '$.dataset'), json_extract_string(f.metadata, '$.file')"
    f" FROM records f WHERE {folder_named_dataset('f')}"
)


def folder_named_pairs(con: duckdb.DuckDBPyConnection) -> frozenset[tuple[str, str]]:
    """:data:`FOLDER_NAMED_PAIRS`, read once per export or gate: as many as the files old releases ingested, none in
    a catalogue made since. A version a stage derived from such a row since (a newer run) has the same pair."""
    return frozenset(con.execute(FOLDER_NAMED_PAIRS).fetchall())


def without_folder_dataset(meta: list[str | None], folder_named: frozenset[tuple[str, str]]) -> list[str | None]:
    """``credit_meta`` without its dataset when that is a folder name an old release stored (``folder_named``: from
    :func:`folder_named_pairs`), so that it is not credited as a dataset title; the versions a stage derives from
    such a row since carry the same pair. Otherwise ``meta`` itself.

    >>> without_folder_dataset([None, None, "moda"] + [None] * 7 + ["corpus.jsonl"], frozenset({("moda", "corpus.jsonl")}))[2]
    >>> without_folder_dataset([None, None, "利率"] + [None] * 8, frozenset({("moda", "corpus.jsonl")}))[2]
    '利率'
    """
    if not folder_named or (meta[_DATASET], meta[_FILE]) not in folder_named:
        return meta
    return [None if i == _DATASET else v for i, v in enumerate(meta)]


def record_credit(meta: list[str | None] | None, taken_year: int | None) -> dict[str, str]:
    """``provider``, ``year`` and ``dataset`` of a record for its attribution statement, from ``credit_meta``:
    the record's agency or provider, its ``year`` and its dataset (MODA: the ``--dataset`` of its file); the year
    of its dated ``as_of`` and the year it was taken in stand in, in that order, for a year neither the record
    nor its source states (:func:`provenance.licences.attribution_values`).

    >>> record_credit([None, None, "存款保險開放資料v2", None, None, "中央存款保險公司", None, None, "20240731", None], 2026)
    {'provider': '中央存款保險公司', 'year': '', 'dataset': '存款保險開放資料v2', 'dated_year': '2024', 'taken_year': '2026'}
    """
    _, _, dataset, provider, agency, field_agency, field_agency_zh, year, as_of, *_ = meta or [None] * CREDIT_PATHS
    m = _YEAR_RE.match(as_of.strip()) if as_of else None
    return {
        "provider": provider or agency or field_agency or field_agency_zh or "",
        "year": year or "",
        "dataset": dataset or "",
        "dated_year": m.group(1) if m else "",
        "taken_year": str(taken_year) if taken_year else "",
    }


def _json(value: Any) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return value
    return json.loads(value)


def source_rows(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """Every source's row as :meth:`provenance.licences.LicenceCatalogue.grant` reads it (id, title, metadata)."""
    return {
        sid: {"source_id": sid, "title": title, "metadata": _json(meta)}
        for sid, title, meta in con.execute("SELECT source_id, title, metadata FROM sources").fetchall()
    }


@dataclass(frozen=True, slots=True)
class RecordUse:
    """The licence engine's verdict on one record for one use: allowed (``code`` empty, ``grant`` set), or the
    export's code and reason (``missing_licence``, ``unknown_licence``, ``licence_terms``, ``expired``...)."""

    code: str
    reason: str
    licence: str
    grant: Grant | None = None

    @property
    def ok(self) -> bool:
        return not self.code


def record_use(
    cat: LicenceCatalogue,
    source: Mapping[str, Any] | None,
    licence_id: str | None,
    r_terms: str | None,
    r_merged: str | None,
    credit: Mapping[str, str],
    term_problems: Any = None,
    *,
    purpose: str,
    audience: str,
    commercial: bool = False,
    at: dt.date | None = None,
    on_behalf_of: str | None = None,
) -> RecordUse:
    """May this record be used this way: ``source`` its source's row (:func:`source_rows`), ``r_terms``,
    ``r_merged`` as :func:`terms_columns` reads them, ``credit`` its :func:`record_credit`, ``term_problems``
    the terms refused at ingest (``credit_meta[TERM_PROBLEMS]``); ``on_behalf_of``: the licensee ``audience``
    works for, if another (:meth:`provenance.licences.Grant.decide`).

    >>> from provenance.licences import default_licence_catalogue
    >>> use = record_use(default_licence_catalogue(), None, "OGDL-Taiwan-1.0", None, None, record_credit(None, 2026),
    ...                  purpose="training", audience="member:CTBC")
    >>> use.code, "needs the providing agency (提供機關)" in use.reason
    ('licence_terms', True)
    """
    source = source or {"source_id": None, "title": None, "metadata": {}}
    if not licence_id:
        return RecordUse("missing_licence", "record has no licence", "")
    if cat.get(licence_id) is None:
        return RecordUse("unknown_licence", f"licence `{licence_id}` is not in the licence catalogue", licence_id)
    # what ingest and `manifest check` refused never leaves; nor does an agreement beside a public licence
    terms, refused = record_terms(licence_id, r_terms, source["metadata"].get("licence_terms"), term_problems, cat)
    if refused:
        return RecordUse("licence_terms", refused, licence_id)
    merged = (json.loads(r_merged) if r_merged not in (None, "null") else None) or []
    try:
        grants = [cat.grant(licence_id, terms, source, credit)]
        for part in merged:  # records derived from several parents carry every parent's licence
            grants.append(cat.grant(part.get("licence_id"), part.get("licence_terms"), source, credit))
        grant = combine(grants)
    except (LicenceError, AttributeError, TypeError) as exc:
        return RecordUse("licence_terms", str(exc), licence_id)
    use = grant.decide(purpose=purpose, audience=audience, commercial=commercial, at=at, on_behalf_of=on_behalf_of)
    label = " AND ".join(grant.licence_ids)
    if use.ok:
        return RecordUse("", "", label, grant)
    return RecordUse(use.reason.split(":")[0].split(" ")[0], use.reason, label)
