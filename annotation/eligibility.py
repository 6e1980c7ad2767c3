"""Which record versions may be shown to a bank's annotators.

Three gates, all required:

* **PII** — the version passed the PII stage: ``pii_state`` is ``clean`` or ``scrubbed``.
* **Licence** — the licence (and agreement terms) allow use for ``training`` (annotation prepares
  training data) by the audience ``member:BANK``, working for the consortium (:data:`FOR_LICENSEE`: a grant held
  by the consortium that is not transferable, MODA AI-training, is the consortium's own use here, not handed on
  to the bank; one held by another bank is still refused): the export's own licence rule for the record,
  :func:`provenance.record_licence.record_use`, with its reason. So what the export refuses as ``licence_terms`` is
  refused here too: terms refused at ingest (``metadata.licence_term_problems``), agreement terms beside a licence
  that takes none, and a licence whose attribution needs a credit value the record lacks or cannot credit
  (OGDL-Taiwan-1.0 without the providing agency, or with one longer than 300 characters).
* **Licence hold** — the version's file (``container``) is not held while its manifest rows disagree
  (:mod:`provenance.holds`: every version of a held file, whatever its id; the export's ``licence_disputed``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import duckdb

from provenance.holds import REASON as HOLD_REASON
from provenance.holds import held_containers
from provenance.licences import LicenceCatalogue, default_licence_catalogue
from provenance.record_licence import (
    CREDIT_PATHS,
    TERM_PROBLEMS,
    credit_columns,
    folder_named_pairs,
    record_credit,
    record_use,
    source_rows,
    terms_columns,
    without_folder_dataset,
)
from provenance.records import PII_PASSED

PURPOSE = "training"
#: whose catalogue the annotators work on: the consortium's (a member bank's staff annotate for it)
FOR_LICENSEE = "consortium"


def audience_for(bank: str) -> str:
    """The licence audience of a bank's annotators: the code in capitals, as grants name it (``member:ESUN``).
    A bank code with small letters the catalogue had projects for before review 16 (``esun``) keeps working, and
    is judged as ``ESUN`` (for ``member:esun``, which no grant may name, its bank's agreements never reached it).

    >>> audience_for("CTBC"), audience_for("esun")
    ('member:CTBC', 'member:ESUN')
    """
    return f"member:{bank.upper()}"


def pii_refusal(pii_state: str | None) -> str | None:
    """Reason to refuse, or None if the version passed the PII stage.

    >>> pii_refusal("scrubbed") is None, pii_refusal(None)
    (True, 'PII stage not passed (pii_state NULL)')
    """
    if pii_state in PII_PASSED:
        return None
    return f"PII stage not passed (pii_state {pii_state or 'NULL'})"


def text_refusal(text: str | None) -> str | None:
    """Reason to refuse a version with no visible text (hygiene emptied it, or only spaces are left): nothing to
    proofread or label, and an annotator's typed text would come back as a new version from nothing; None
    otherwise. The export leaves such versions out too (``empty_text``).

    >>> text_refusal(""), text_refusal("   "), text_refusal("第一條")
    ('empty text (nothing to annotate)', 'empty text (nothing to annotate)', None)
    """
    from provenance import is_blank_text

    return "empty text (nothing to annotate)" if is_blank_text(text) else None


def gate_columns(r: str) -> str:
    """The SQL columns the licence gate reads of a version ``r`` (a table alias), as the export reads them
    (:mod:`provenance.record_licence`): its source (``gate_source``), own agreement terms and merged parents'
    licences (``r_terms``, ``r_merged``) and what its attribution credits (``credit_meta``, ``taken_year``); in the
    order :func:`licence_gate`'s gate takes them after the licence id.

    >>> gate_columns("c").startswith("c.source_id AS gate_source, CAST(json_extract(c.metadata, '$.licence_terms')")
    True
    """
    return f"{r}.source_id AS gate_source, {terms_columns(r)}, {credit_columns(r)}"


#: the names of :func:`gate_columns`' columns, in order
GATE_COLUMNS = ("gate_source", "r_terms", "r_merged", "credit_meta", "taken_year")


def licence_refusal(
    licence_id: str | None,
    bank: str,
    *,
    source: Mapping[str, Any] | None = None,
    r_terms: str | None = None,
    r_merged: str | None = None,
    credit_meta: list[str | None] | None = None,
    taken_year: int | None = None,
    today: dt.date | None = None,
    licence_catalogue: LicenceCatalogue | None = None,
) -> str | None:
    """Reason to refuse, or None if the licence lets ``bank``'s annotators see the text: the export's verdict and
    reason for the use (:func:`provenance.record_licence.record_use`). ``source``: the version's source row
    (:func:`provenance.record_licence.source_rows`); the rest: :func:`gate_columns`' columns of the version.
    ``licence_catalogue``: the rules (``annotate push|pull --catalogue``, a corrected copy exports are made with);
    default the shipped ones.

    >>> licence_refusal("CC-BY-4.0", "CTBC") is None
    True
    >>> licence_refusal(None, "CTBC")
    'record has no licence'
    >>> licence_refusal("CC-BY-NC-4.0", "CTBC", credit_meta=[None] * 9 + ['["commercial use granted"]'])
    'licence terms refused at ingest: commercial use granted'
    >>> licence_refusal("LicenseRef-MODA-AI-Training", "CTBC") is None  # the consortium's grant, its own use
    True
    >>> licence_refusal("LicenseRef-MODA-AI-Training", "CTBC", r_terms='{"audience": "member:ESUN"}')  # a bank's
    'audience `member:CTBC` not permitted by LicenseRef-MODA-AI-Training (permits: member:ESUN)'
    """
    meta = credit_meta or [None] * CREDIT_PATHS
    use = record_use(
        licence_catalogue or default_licence_catalogue(),
        source,
        licence_id,
        r_terms,
        r_merged,
        record_credit(meta, taken_year),
        meta[TERM_PROBLEMS],
        purpose=PURPOSE,
        audience=audience_for(bank),
        at=today,
        on_behalf_of=FOR_LICENSEE,
    )
    return None if use.ok else use.reason


def licence_gate(
    con: duckdb.DuckDBPyConnection, bank: str, licence_catalogue: LicenceCatalogue | None = None
) -> Callable[..., str | None]:
    """:func:`licence_refusal` for ``bank``, remembered per distinct licence, source, terms, merged licences and
    credit values (most versions share a few), as ``gate(licence_id, *gate_columns)``."""
    sources = source_rows(con)
    folder_named = folder_named_pairs(con)  # MODA folder names an old release stored as the dataset
    seen: dict[tuple[Any, ...], str | None] = {}

    def gate(
        licence_id: str | None,
        source_id: str | None,
        r_terms: str | None,
        r_merged: str | None,
        credit_meta: list[str | None] | None,
        taken_year: int | None,
    ) -> str | None:
        meta = without_folder_dataset(credit_meta or [None] * CREDIT_PATHS, folder_named)
        credit = record_credit(meta, taken_year)  # the values the statement credits, not the title or licensor
        key = (licence_id, source_id, r_terms, r_merged, meta[TERM_PROBLEMS], *credit.values())
        if key not in seen:
            seen[key] = licence_refusal(
                licence_id,
                bank,
                source=sources.get(source_id),
                r_terms=r_terms,
                r_merged=r_merged,
                credit_meta=meta,
                taken_year=taken_year,
                licence_catalogue=licence_catalogue,
            )
        return seen[key]

    return gate


def hold_refusal(container: str | None, held: frozenset[str]) -> str | None:
    """Reason to refuse, or None if the version's file is not held (``held``: :func:`provenance.holds.held_containers`).

    >>> hold_refusal("tabf:a.txt", frozenset({"tabf:a.txt"}))
    'licence_disputed: the manifest rows for its file disagree or state no licence that holds (held at ingest)'
    >>> hold_refusal("tabf:b.txt", frozenset({"tabf:a.txt"})) is None
    True
    """
    if container is None or container not in held:
        return None
    return f"{HOLD_REASON}: the manifest rows for its file disagree or state no licence that holds (held at ingest)"


def version_gate(
    con: duckdb.DuckDBPyConnection, bank: str, licence_catalogue: LicenceCatalogue | None = None
) -> Callable[..., str | None]:
    """The hold and licence gates of a version for ``bank`` now, as ``gate(licence_id, container, *gate_columns)``:
    the reason to refuse, or None (the push's candidates and the tasks already on the server are judged alike)."""
    held = held_containers(con)
    licensed = licence_gate(con, bank, licence_catalogue)

    def gate(licence_id: str | None, container: str | None, *columns: Any) -> str | None:
        return hold_refusal(container, held) or licensed(licence_id, *columns)

    return gate


__all__ = [
    "FOR_LICENSEE",
    "GATE_COLUMNS",
    "PII_PASSED",
    "audience_for",
    "gate_columns",
    "hold_refusal",
    "licence_gate",
    "version_gate",
    "licence_refusal",
    "pii_refusal",
]
