"""What ``curate audit verify`` proves, as one call, so that every "ok" an auditor reads means the same.

The ledger's hash chain, the tables against it (:mod:`provenance.crosscheck`: record versions, batch and verdict
digests, licences, statuses, exports, withdrawals, runs), anchored heads when an anchor file is given and, with the
PII key (``CURATE_PII_KEY``), the sealed raw-text vault and keyed digests (:mod:`curate.pii.keyed_check`).

Used by ``curate audit verify``, the curation report (:mod:`curate.reporting.data`) and the portal's ledger page
(:mod:`curate.web.data`). The hash chain alone proves only that the events were not edited: a text edited in place,
a licence changed or a version deleted in ``records`` leaves it intact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from provenance.anchors import Anchor
from provenance.audit import FullVerify, verify_all
from provenance.schema_check import require_unaltered

#: at most this many problems are named in :meth:`CatalogueCheck.summary` (``curate audit verify`` names them all)
SUMMARY_PROBLEMS = 20


@dataclass(slots=True)
class CatalogueCheck:
    """The outcome of :func:`check_catalogue`: ``full`` (chain, cross-checks, anchors) and ``keyed`` (``None``
    when no PII key was configured: the vault and keyed digests were not checked; with ``not_checked``, the line
    saying why, when the key configured is not the catalogue's)."""

    full: FullVerify
    keyed: dict[str, Any] | None

    @property
    def ok(self) -> bool:
        """False on any problem, and when the PII key configured is not the catalogue's (``not_checked``): the keyed
        checks the key asked for were not made, so "ok" (exit 0) would vouch for what nobody checked. No key at all
        is the unkeyed mode: ok, with its note."""
        return self.full.ok and not (self.keyed and (self.keyed["problems"] or self.keyed.get("not_checked")))

    def summary(self) -> dict[str, Any]:
        """JSON-ready, for the report and the portal: ``ok``, what was ``checked`` (one line each), the
        ``problems`` (counted, never a record's content) and ``not_checked`` (by kind, ``anchors`` and ``keyed``: what
        only ``curate audit verify`` given more can prove)."""
        c, x = self.full.chain, self.full.cross
        checked = [f"hash chain: {c.checked} events"]
        checked.append("cross-checks: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in x.checked.items()))
        problems: list[str] = []
        if not c.ok:
            problems.append(f"hash chain broken at {c.at}: {c.reason}")
        problems += [f"{n} x {p}" for p, n in x.problems.items()]
        not_checked = {"anchors": "heads anchored outside the catalogue (`curate audit verify --anchor FILE`)"}
        if self.full.anchors_checked or self.full.anchor_problems:
            checked.append(f"anchors: {self.full.anchors_checked} heads")
            problems += self.full.anchor_problems
            del not_checked["anchors"]
        if self.keyed is None:
            not_checked["keyed"] = "the raw-text vault and keyed digests (CURATE_PII_KEY not set)"
        elif self.keyed.get("not_checked"):  # a key that is not the catalogue's: not ok, so named as a problem
            not_checked["keyed"] = self.keyed["not_checked"]  # (a FAILED with no problem told the reader nothing)
            problems.append(f"keyed checks NOT DONE: {self.keyed['not_checked']}")
        else:
            checked.append(f"keyed: {self.keyed['checked']} sealed texts and names")
            problems += self.keyed["problems"]
        return {
            "ok": self.ok,
            "checked": checked,
            "problems": problems[:SUMMARY_PROBLEMS],
            "more_problems": max(0, len(problems) - SUMMARY_PROBLEMS),
            "not_checked": not_checked,
            "notes": list(x.notes),
        }


def check_catalogue(con: duckdb.DuckDBPyConnection, anchors: list[Anchor] | None = None) -> CatalogueCheck:
    """Everything ``curate audit verify`` checks on ``con`` (read-only), with the PII key when one is configured.
    Raises :class:`provenance.errors.LedgerError` when the tables are not those its migrations made
    (:func:`provenance.schema_check.require_unaltered`): nothing else can be checked then."""
    from curate.pii.keyed_ids import digest_function
    from curate.pii.keys import load_key
    from curate.pii.vault import vault_terms_function

    require_unaltered(con)  # a table dropped, renamed or retyped: one line naming it, not a binder error
    key = load_key(required=False)  # the vault and keyed digests are checked only with the PII key
    wrong = _wrong_key(con, key)
    if wrong:
        key = None  # its digests would differ from every stored one: checked as without a key, and said so
    full = verify_all(con, anchors, keyed_digest=digest_function(key), vault_terms=vault_terms_function(key))
    keyed = None
    if key is not None:
        from curate.pii.keyed_check import verify_keyed

        keyed = verify_keyed(con, key)
    elif wrong:
        keyed = {"checked": 0, "problems": [], "other_key": 0, "not_checked": wrong}
    return CatalogueCheck(full, keyed)


def _wrong_key(con: duckdb.DuckDBPyConnection, key: Any) -> str:
    """Why ``key`` is not this catalogue's PII key (one line; '' when it is, or when nothing tells)."""
    from curate.pii.keyed_ids import is_other_key

    if key is None:
        return ""
    other, known = is_other_key(con, key)
    if not other:
        return ""
    theirs = ", ".join(sorted(known)) or "none sealed yet; no keyed digest matches under this key"
    from curate.pii.keyed_ids import key_file_read_before

    if why := key_file_read_before(con, key, "the PII key"):  # the key file as it was read before: how to go on
        return why.replace("; nothing was written", "") + "; the raw-text vault and keyed digests were not checked"
    return (
        f"CURATE_PII_KEY is not this catalogue's key (key id {key.key_id}; the catalogue's: {theirs}):"
        " the raw-text vault and keyed digests were not checked; set the catalogue's key to check them"
    )
