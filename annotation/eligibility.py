"""Which record versions may be shown to a bank's annotators.

Two gates, both required:

* **PII** — the version passed the PII stage: ``pii_state`` is ``clean`` or ``scrubbed``.
* **Licence** — the licence (and agreement terms) allow use for ``training`` (annotation prepares
  training data) by the audience ``member:BANK``. Decided by
  :func:`provenance.licences.check_use` when the licence catalogue provides it; otherwise by the
  local rule in :func:`_local_rule` (documented there, kept deliberately strict).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

PII_PASSED = ("clean", "scrubbed")
PURPOSE = "training"

#: licences the local fallback rule accepts without agreement terms
_OPEN_LICENCES = {
    "CC0-1.0", "LicenseRef-TW-Copyright-Art9", "OGDL-Taiwan-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0",
    "LicenseRef-MODA-AI-Training",
}
_AGREEMENT_LICENCES = {"LicenseRef-Written-Agreement"}


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


def _as_list(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [x.strip() for x in v.replace(";", ",").split(",") if x.strip()]
    return [str(x) for x in v]


def _local_rule(licence_id: str | None, terms: dict[str, Any] | None, bank: str, today: dt.date) -> str | None:
    """Fallback licence rule (used until ``provenance.licences.check_use`` exists).

    * no licence or an unknown one: refused;
    * a written agreement: needs terms whose ``audience`` names ``public``, ``consortium``, the bank
      or ``member:BANK``, whose ``purposes`` include ``training``, and whose ``expiry`` (ISO date),
      if any, has not passed;
    * the catalogue's other licences: allowed, unless terms carry an ``expiry`` that has passed.
    """
    if not licence_id:
        return "no licence recorded"
    if licence_id not in _OPEN_LICENCES | _AGREEMENT_LICENCES:
        return f"unknown licence {licence_id}"
    if terms and terms.get("expiry"):
        try:
            if dt.date.fromisoformat(str(terms["expiry"])[:10]) < today:
                return f"licence {licence_id} expired on {terms['expiry']}"
        except ValueError:
            return f"licence {licence_id} has an unreadable expiry {terms['expiry']!r}"
    if licence_id in _AGREEMENT_LICENCES:
        if not terms:
            return f"{licence_id} without agreement terms"
        audience = set(_as_list(terms.get("audience")))
        if not audience & {"public", "consortium", bank, audience_for(bank)}:
            return f"agreement {terms.get('agreement_id', '?')} does not allow {audience_for(bank)} as audience"
        if PURPOSE not in _as_list(terms.get("purposes")):
            return f"agreement {terms.get('agreement_id', '?')} does not allow purpose {PURPOSE}"
    return None


def licence_refusal(licence_id: str | None, terms: Any, bank: str, *, today: dt.date | None = None) -> str | None:
    """Reason to refuse, or None if the licence lets ``bank``'s annotators see the text.

    >>> licence_refusal("CC-BY-4.0", None, "CTBC") is None
    True
    >>> licence_refusal(None, None, "CTBC")
    'no licence recorded'
    """
    terms = _terms(terms)
    try:
        from provenance.licences import check_use
    except ImportError:
        return _local_rule(licence_id, terms, bank, today or dt.date.today())
    decision = check_use(licence_id, purpose=PURPOSE, audience=audience_for(bank), terms=terms, at=today)
    return None if decision.ok else decision.reason


__all__ = ["PII_PASSED", "audience_for", "licence_refusal", "pii_refusal"]
