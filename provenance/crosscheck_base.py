"""What every cross-check shares: the result object, example ids, table probes, the ledger with rekeyed ids.

Split from :mod:`provenance.crosscheck` (the checks of records, statuses and rows) and
:mod:`provenance.crosscheck_gates` (the checks of what the export and annotation gates read), which both use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from provenance.verdicts import members_as_events

#: how many examples of each problem are listed
EXAMPLES = 20

#: the PII key ids the ledger names (the PII stage, rekey, pulls that sealed typed text): a vault row under another
#: key id was relabelled or written with a wrong key, so neither the checks nor the wrong-key guard trust it
LEDGER_KEY_IDS = (
    "SELECT DISTINCT json_extract_string(detail, '$.key_id') FROM provenance_events"
    " WHERE contains(CAST(detail AS VARCHAR), '\"key_id\"') AND json_extract_string(detail, '$.key_id') IS NOT NULL"
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One disagreement between a table and the ledger."""

    check: str
    subject: str
    problem: str


@dataclass(slots=True)
class CrossCheck:
    """Outcome of :func:`crosscheck`: problems (counted, with examples), what was checked, notes."""

    problems: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, check: str, problem: str, subjects: list[str], total: int | None = None) -> None:
        n = total if total is not None else len(subjects)
        if not n:
            return
        self.problems[f"{check}: {problem}"] = n
        self.findings += [Finding(check, s, problem) for s in subjects[:EXAMPLES]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problems": self.problems,
            "examples": [{"check": f.check, "subject": f.subject, "problem": f.problem} for f in self.findings],
            "checked": self.checked,
            "notes": self.notes,
        }


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            f"SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = '{name}'"
        ).fetchall()[0][0]
    )


def has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'main'"
            f" AND table_name = '{table}' AND column_name = '{column}'"
        ).fetchall()[0][0]
    )


def ids(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], int]:
    rows = con.execute(f"SELECT * FROM ({sql}) LIMIT {EXAMPLES}").fetchall()
    total = con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]
    return [str(r[0]) for r in rows], total


#: ``provenance_events`` with record ids written before a ``curate pii rekey`` translated to the current ids
#: (``pii_rekey_map``, sealed from auditor SQL); the plain table when the catalogue has no map
_EVENTS_REKEYED = (
    "(SELECT e.* REPLACE (coalesce(m.new_id, e.record_id) AS record_id) FROM provenance_events e"
    " LEFT JOIN pii_rekey_map m ON m.old_id = e.record_id)"
)


def events_view(con: duckdb.DuckDBPyConnection) -> str:
    if has_table(con, "pii_rekey_map") and con.execute("SELECT count(*) FROM pii_rekey_map").fetchall()[0][0]:
        return _EVENTS_REKEYED
    return "provenance_events"  # nothing was rekeyed: the checks read the ledger as before


def rekeyed_id(events: str, expr: str) -> str:
    """SQL for an id an event's detail names (``expr``), translated to the current id where ``curate pii rekey``
    rewrote it; ``expr`` itself when ``events`` (from :func:`events_view`) is the plain ledger."""
    if events == "provenance_events":
        return expr
    return f"coalesce((SELECT m.new_id FROM pii_rekey_map m WHERE m.old_id = {expr}), {expr})"


#: per-record verdicts of events written one per record (catalogues from before verdict batches)
_EVENT_VERDICTS = """
    SELECT seq, record_id, stage, action,
           CASE action WHEN 'script_detected' THEN json_extract_string(detail, '$.script') ELSE 'clean' END AS verdict
    FROM {ev} WHERE action IN ('script_detected', 'pii_checked') AND record_id IS NOT NULL"""


def verdicts_view(con: duckdb.DuckDBPyConnection) -> str:
    """SQL of every per-record verdict (``seq``, ``record_id``, ``stage``, ``action``, ``verdict``): the per-record
    ``script_detected`` / ``pii_checked`` events, with ids translated where ``curate pii rekey`` rewrote them, and
    the members of verdict batches (:mod:`provenance.verdicts`; a rekey rewrites their ids). A verdict's ``seq`` is its event's (a batch's for
    its members), so the newest verdict of a record is the one with the largest ``seq``."""
    ev = events_view(con)
    parts = [_EVENT_VERDICTS.format(ev=ev)]
    if has_table(con, "verdict_members"):  # members hold current ids (a rekey rewrites them)
        parts.append(f"SELECT seq, record_id, stage, action, verdict FROM ({members_as_events()})")
    return "(" + " UNION ALL ".join(parts) + ")"
