"""Exact duplicates an export considers in place of a survivor it leaves out (used by :mod:`provenance._selection`).

Dedup keeps one copy of an exact duplicate, chosen by authority first (a TABF agreement over a MODA open-data row),
the licence breaking ties only after it; the other copies become ``duplicate`` and no export takes them. When an
export leaves that survivor out (not licensed for its purpose or audience, held, withdrawn, not past the PII
stage...), its text would be in no export of that use although an openly licensed copy holds it, and the export's
counts would not account for that copy. So, as ``--drop-near-duplicates`` never drops a provision whose kept copy
the export leaves out (:meth:`provenance._selection.Decider._kept_copy_exported`), an export considers the
duplicates of each survivor it leaves out, each under its **own** licence and gates: of the copies the export
includes, the one whose licence carries the fewest obligations (the licence catalogue's ``rank``, of the most
restrictive licence it is shipped under: an open OGDL copy before a time-limited AI-training grant), then the first
by record id, stands in for the survivor, with its own licence and attribution; the other copies it includes are left
out as ``duplicate`` (in ``blocked.csv``, naming the copy that ships), and a copy it leaves out on its own (its PII
gate, its held file, its licence) is listed with its own reason, whatever the ids of later copies. A duplicate whose survivor the export includes, or leaves out as a near duplicate of a copy it includes,
stays out silently as before, and so does a stale duplicate (its document has a newer active text,
:data:`provenance.dedup_release.NEWER_OF_ITS_DOCUMENT`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb

from provenance.dedup_release import NEWER_OF_ITS_DOCUMENT, current_duplicates

__all__ = ["CODE", "stand_ins"]

#: the export's code for a duplicate left out because another copy of its text ships in its survivor's place
CODE = "duplicate"
#: rows fetched per step
_FETCH = 5_000


def _standing(con: duckdb.DuckDBPyConnection) -> str:
    """``(record_id, survivor)`` of the duplicates standing now whose document has no newer active text."""
    return (
        f"SELECT d.record_id, d.survivor FROM records r JOIN ({current_duplicates(con)}) d USING (record_id)"
        f" WHERE r.status = 'duplicate' AND NOT {NEWER_OF_ITS_DOCUMENT}"
    )


def stand_ins(
    con: duckdb.DuckDBPyConnection,
    select: Callable[[str], str],
    left_out: Callable[[tuple[Any, ...]], bool],
    shipped_rank: Callable[[tuple[Any, ...]], int | None],
) -> dict[str, tuple[str, str] | None]:
    """The duplicates this export considers: ``duplicate id -> None`` (decided on its own: the copy that stands in,
    or one left out for its own reason) or ``-> (its survivor, the copy that stands in)`` (left out as
    :data:`CODE`).

    ``select(where)``: the export's row query over the records matching ``where`` (a condition on ``r``, which
    may read the list parameter ``$ids``); ``left_out(row)``: whether the export leaves a survivor's text out;
    ``shipped_rank(row)``: the rank of the licence the export would include a duplicate's row under (higher:
    fewer obligations), or None when it leaves the row out. Reads nothing more when the catalogue holds no
    duplicate; else one pass over the survivors' rows (their ids only are kept when left out) and the rows of
    the duplicates of those."""
    if not con.execute("SELECT count(*) FROM (SELECT 1 FROM records WHERE status = 'duplicate' LIMIT 1)").fetchone()[0]:
        return {}
    standing = _standing(con)
    gone = {
        s
        for (s,) in con.execute(
            f"SELECT DISTINCT survivor FROM ({standing}) WHERE survivor NOT IN (SELECT record_id FROM records)"
        ).fetchall()
    }
    cur = con.execute(select(f"r.record_id IN (SELECT survivor FROM ({standing}))"))
    while batch := cur.fetchmany(_FETCH):
        gone.update(row[0] for row in batch if left_out(row))
    if not gone:
        return {}
    pairs = dict(
        con.execute(
            f"SELECT record_id, survivor FROM ({standing}) WHERE survivor IN (SELECT unnest($ids)) ORDER BY 1",
            {"ids": sorted(gone)},
        ).fetchall()
    )
    included: dict[str, bool] = {}  # each duplicate read -> whether the export includes it
    best: dict[str, tuple[int, str]] = {}  # survivor -> (rank, id) of the copy that stands in for it
    cur = con.execute(select("r.record_id IN (SELECT unnest($ids))") + " ORDER BY r.record_id", {"ids": list(pairs)})
    while batch := cur.fetchmany(_FETCH):
        for row in batch:
            rank = shipped_rank(row)
            included[row[0]] = rank is not None
            survivor = pairs[row[0]]
            if rank is not None and (survivor not in best or rank > best[survivor][0]):  # ties: first by id
                best[survivor] = (rank, row[0])
    return {
        dup: (pairs[dup], best[pairs[dup]][1]) if ok and best[pairs[dup]][1] != dup else None
        for dup, ok in included.items()
    }
