"""Which record versions may be shown to a bank's annotators.

Three gates, all required:

* **PII** — the version passed the PII stage: ``pii_state`` is ``clean`` or ``scrubbed``.
* **Licence** — the licence (and agreement terms) allow use for ``training`` (annotation prepares
  training data) by the audience ``member:BANK``, decided by the one licence engine,
  :func:`provenance.licences.check_use`, under the terms the export judges a record under
  (:func:`provenance.licences.record_terms`): terms refused at ingest (``metadata.licence_term_problems``), or
  agreement terms beside a licence that takes none, are refused as the export refuses them (``licence_terms``).
* **Licence hold** — the version's file (``container``) is not held while its manifest rows disagree
  (:mod:`provenance.holds`: every version of a held file, whatever its id; the export's ``licence_disputed``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from provenance.holds import REASON as HOLD_REASON
from provenance.licences import check_use, record_terms
from provenance.records import PII_PASSED

PURPOSE = "training"


def audience_for(bank: str) -> str:
    """The licence audience of a bank's annotators.

    >>> audience_for("CTBC")
    'member:CTBC'
    """
    return f"member:{bank}"


def pii_refusal(pii_state: str | None) -> str | None:
    """Reason to refuse, or None if the version passed the PII stage.

    >>> pii_refusal("scrubbed") is None, pii_refusal(None)
    (True, 'PII stage not passed (pii_state NULL)')
    """
    if pii_state in PII_PASSED:
        return None
    return f"PII stage not passed (pii_state {pii_state or 'NULL'})"


def _terms(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return None
    return raw if isinstance(raw, dict) else None


def gate_columns(r: str, s: str) -> str:
    """The SQL columns the licence gate reads of a version ``r`` of a source ``s`` (table aliases): ``terms`` (its
    own, else its source's), ``own_terms`` and ``term_problems`` (:func:`licence_refusal`'s arguments).

    >>> gate_columns("c", "s").endswith("json_extract_string(c.metadata, '$.licence_term_problems') AS term_problems")
    True
    """
    own = f"json_extract({r}.metadata, '$.licence_terms')"
    return (
        f"coalesce({own}, json_extract({s}.metadata, '$.licence_terms')) AS terms, CAST({own} AS VARCHAR) AS own_terms,"
        f" json_extract_string({r}.metadata, '$.licence_term_problems') AS term_problems"
    )


def licence_refusal(
    licence_id: str | None,
    terms: Any,
    bank: str,
    *,
    own_terms: Any = None,
    problems: Any = None,
    today: dt.date | None = None,
) -> str | None:
    """Reason to refuse, or None if the licence lets ``bank``'s annotators see the text. ``terms``: the version's
    agreement terms, else its source's; ``own_terms``, ``problems``: the version's own (``metadata.licence_terms``,
    ``metadata.licence_term_problems``), as :func:`gate_columns` reads them.

    >>> licence_refusal("CC-BY-4.0", None, "CTBC") is None
    True
    >>> licence_refusal(None, None, "CTBC")
    'licence `None`: missing licence'
    >>> licence_refusal("CC-BY-NC-4.0", None, "CTBC", problems='["commercial use granted"]')
    'licence terms refused at ingest: commercial use granted'
    """
    judged, refused = record_terms(licence_id, own_terms, _terms(terms), problems)
    if refused:
        return refused
    decision = check_use(licence_id, purpose=PURPOSE, audience=audience_for(bank), terms=_terms(judged), at=today)
    return None if decision.ok else decision.reason


def hold_refusal(container: str | None, held: frozenset[str]) -> str | None:
    """Reason to refuse, or None if the version's file is not held (``held``: :func:`provenance.holds.held_containers`).

    >>> hold_refusal("tabf:a.txt", frozenset({"tabf:a.txt"}))
    'licence_disputed: the manifest rows for its file disagree (held at ingest)'
    >>> hold_refusal("tabf:b.txt", frozenset({"tabf:a.txt"})) is None
    True
    """
    if container is None or container not in held:
        return None
    return f"{HOLD_REASON}: the manifest rows for its file disagree (held at ingest)"


__all__ = ["PII_PASSED", "audience_for", "gate_columns", "hold_refusal", "licence_refusal", "pii_refusal"]
