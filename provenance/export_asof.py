"""A past ``--as-of`` may not ship what has ended since: an export is used from the day it is made.

``export dataset --as-of DATE`` evaluates licence expiry at DATE. A date before today (in Taiwan) let an export made
today ship the records of an agreement or a grant that ended in between (``--as-of 2026-01-01`` on 6 December with an
agreement that ended on 1 March), and the NOTICE and data card said nothing of it: only ``audit export`` flagged the
override afterwards (review 13). Such an export is refused, naming the records and the end dates; a past ``--as-of``
under which nothing has ended since still runs (the decisions are the same as today's), and so does the reproduction
of an export made on its own day (review of the fixes 13): an auditor re-making an export of day D with ``--as-of D``
(same catalogue, same parameters: byte-identical files, the same export id) ships nothing that export had not shipped
already, and its folder is named with that export's in ``audit licences`` and ``audit export``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

import duckdb

from provenance._selection import ID, Decider, Params, candidate_batches
from provenance.errors import UsageError
from provenance.licence_terms import licence_today

if TYPE_CHECKING:
    from provenance.licences import LicenceCatalogue

#: refused records named in the message at most
SHOWN = 3


def refuse_ended_since(
    con: duckdb.DuckDBPyConnection, params: Params, cat: LicenceCatalogue, *, today: dt.date | None = None
) -> None:
    """Raise :class:`UsageError` when ``params.at`` (an :class:`provenance.export.ExportParams`, validated) lies before ``today`` (Taiwan) and the export would include a
    record whose licence the same rules refuse today as ended (code ``expired``). Reads only; one pass over the
    candidates, for a past ``--as-of`` only."""
    today = today or licence_today()
    if params.at is None or params.at >= today:
        return
    then, now = Decider(con, cat, params), Decider(con, cat, replace(params, at=today))
    ended: list[tuple[str, str]] = []
    for batch in candidate_batches(con, then):
        for row in batch:
            if then.decide(row).ok and (verdict := now.licensed(row)).code == "expired":
                ended.append((row[ID], verdict.reason))
    if not ended or _reproduces(con, params, [rid for rid, _ in ended]):
        return
    shown = "; ".join(f"{rid[:16]}: {reason}" for rid, reason in ended[:SHOWN])
    more = f" (and {len(ended) - SHOWN} more)" if len(ended) > SHOWN else ""
    raise UsageError(
        f"--as-of {params.at.isoformat()} would ship {len(ended)} records whose licence has ended by today"
        f" ({today.isoformat()}, Taiwan): {shown}{more}; an export is used from the day it is made: leave --as-of out"
        " (or give today's date or a later one); an export made on that day is reproduced with its own"
        " parameters and --as-of"
    )


def _reproduces(con: duckdb.DuckDBPyConnection, params: Params, ended: list[str]) -> bool:
    """Whether an export made on or before its own ``as_of`` (in Taiwan: no past ``--as-of`` of its own) for the
    same purpose, audience, commercial choice and ``as_of`` as ``params`` shipped every record of ``ended``: then
    this export is its reproduction, not a new shipment of records whose licence has ended."""
    rows = con.execute(
        "SELECT export_id, min(created_at) FROM exports WHERE purpose = $p AND audience = $a AND commercial = $c"
        " AND as_of = $at GROUP BY export_id",
        {"p": params.purpose, "a": params.audience, "c": params.commercial, "at": params.at},
    ).fetchall()
    for export_id, created in rows:
        made = created.replace(tzinfo=dt.UTC) if created.tzinfo is None else created
        if params.at is None or licence_today(made) > params.at:
            continue
        held = con.execute(
            "SELECT count(DISTINCT record_id) FROM export_items WHERE export_id = $e"
            " AND record_id IN (SELECT unnest($ids))",
            {"e": export_id, "ids": ended},
        ).fetchone()[0]
        if held == len(set(ended)):
            return True
    return False
