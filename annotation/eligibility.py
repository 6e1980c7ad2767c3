"""Which record versions may be shown to a bank's annotators.

Two gates, both required:

* **PII** — the version passed the PII stage: ``pii_state`` is ``clean`` or ``scrubbed``.
* **Licence** — the licence (and agreement terms) allow use for ``training`` (annotation prepares
  training data) by the audience ``member:BANK``, decided by the one licence engine,
  :func:`provenance.licences.check_use`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from provenance.licences import check_use
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


def licence_refusal(licence_id: str | None, terms: Any, bank: str, *, today: dt.date | None = None) -> str | None:
    """Reason to refuse, or None if the licence lets ``bank``'s annotators see the text.

    >>> licence_refusal("CC-BY-4.0", None, "CTBC") is None
    True
    >>> licence_refusal(None, None, "CTBC")
    'licence `None`: missing licence'
    """
    terms = _terms(terms)
    decision = check_use(licence_id, purpose=PURPOSE, audience=audience_for(bank), terms=terms, at=today)
    return None if decision.ok else decision.reason


__all__ = ["PII_PASSED", "audience_for", "licence_refusal", "pii_refusal"]
