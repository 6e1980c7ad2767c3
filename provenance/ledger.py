"""Append-only, hash-chained provenance ledger (table ``provenance_events``).

Each event stores ``hash = sha256(prev_hash || '|' || content)`` where ``content`` is the
canonical text of its own fields (see :func:`content_string`) and ``prev_hash`` is the hash
of the event before it (``seq - 1``; the first event links to :data:`GENESIS`). Changing,
deleting, inserting or reordering any past event breaks the chain at that event.

The same content string is computed in SQL by :func:`verify`, so verification runs as one
vectorised DuckDB query instead of a Python loop.

Never put raw personal data into ``detail``: record entity types, offsets and keyed digests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb

GENESIS = "0" * 64
_SEP = "\x1f"

#: SQL expression computing an event's format-1 content string (NULL and '' alike); must equal :func:`content_string`.
CONTENT_SQL_V1 = (
    "concat_ws(chr(31), CAST(seq AS VARCHAR), event_id, coalesce(run_id, ''), coalesce(record_id, ''),"
    " stage, action, coalesce(CAST(detail AS VARCHAR), ''),"
    " strftime(created_at, '%Y-%m-%dT%H:%M:%S.%f'), coalesce(actor, ''))"
)


def _opt_sql(col: str) -> str:
    return f"CASE WHEN {col} IS NULL THEN 'N' ELSE 'V' || CAST({col} AS VARCHAR) END"


#: format 2 (migration 0013): every nullable field is ``N`` (NULL) or ``V`` + value, so NULL and '' differ
CONTENT_SQL_V2 = (
    f"concat_ws(chr(31), CAST(seq AS VARCHAR), event_id, {_opt_sql('run_id')}, {_opt_sql('record_id')},"
    f" stage, action, {_opt_sql('detail')},"
    f" strftime(created_at, '%Y-%m-%dT%H:%M:%S.%f'), {_opt_sql('actor')})"
)


@dataclass(frozen=True, slots=True)
class Event:
    """An event to append. ``detail`` must be JSON-serialisable and free of raw PII.

    ``detail`` may also be a string that is already canonical JSON (hot paths build it once).
    """

    stage: str
    action: str
    record_id: str | None = None
    run_id: str | None = None
    detail: dict[str, Any] | str | None = field(default_factory=dict)
    actor: str | None = None


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Outcome of :func:`verify`."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_event_id: str | None = None
    reason: str = ""

    @property
    def at(self) -> str:
        """Where the chain breaks, for a message: ``event seq N``, or an event whose seq was erased."""
        return "an event with no seq" if self.first_bad_seq is None else f"event seq {self.first_bad_seq}"


def canonical_json(obj: Any) -> str:
    """Deterministic JSON (sorted keys, no spaces, UTF-8 kept).

    >>> canonical_json({"b": 1, "a": "臺"})
    '{"a":"臺","b":1}'
    """
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _ts(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")


def content_string(
    seq: int,
    event_id: str,
    run_id: str | None,
    record_id: str | None,
    stage: str,
    action: str,
    detail: str | None,
    created_at: dt.datetime | str,
    actor: str | None,
    *,
    fmt: int = 2,
) -> str:
    """The canonical content of one event, as hashed (``created_at`` may be pre-formatted).

    Format 2 marks each nullable field ``N`` (NULL) or ``V`` + value; format 1 (events before
    migration 0013) wrote NULL as ''.
    """
    ts = created_at if isinstance(created_at, str) else _ts(created_at)
    if fmt == 1:
        opt = [run_id or "", record_id or "", detail or "", actor or ""]
    else:
        opt = ["N" if v is None else "V" + v for v in (run_id, record_id, detail, actor)]
    return _SEP.join([str(seq), event_id, opt[0], opt[1], stage, action, opt[2], ts, opt[3]])


def format_from(con: duckdb.DuckDBPyConnection) -> int | None:
    """First seq hashed with format 2 (None: catalogue before migration 0013, all format 1)."""
    has = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'ledger_format' AND schema_name = 'main'"
    ).fetchall()[0][0]
    if not has:
        return None
    rows = con.execute("SELECT from_seq FROM ledger_format WHERE version = 2").fetchall()
    return rows[0][0] if rows else None


def head(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    """``(seq, hash)`` of the newest event (``(0, GENESIS)`` for an empty ledger)."""
    return _tail(con)


def chain_hash(prev_hash: str, content: str) -> str:
    """``sha256(prev_hash || '|' || content)`` as hex."""
    return hashlib.sha256(f"{prev_hash}|{content}".encode()).hexdigest()


def _tail(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    # fetchall, not fetchone: DuckDB 2.0 refuses register() while a result is unfinished
    rows = con.execute("SELECT seq, hash FROM provenance_events ORDER BY seq DESC LIMIT 1").fetchall()
    return (rows[0][0], rows[0][1]) if rows else (0, GENESIS)


def now() -> dt.datetime:
    """Naive UTC timestamp with microseconds (what the ledger stores)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


#: appends of up to this many events bind them as parameters; larger ones go through Arrow
_BOUND_ROWS = 1000
_EVENT_COLUMNS = (
    "seq",
    "event_id",
    "run_id",
    "record_id",
    "stage",
    "action",
    "detail",
    "created_at",
    "actor",
    "prev_hash",
    "hash",
)
_EVENT_TYPES = ("BIGINT", *["VARCHAR"] * 6, "TIMESTAMP", *["VARCHAR"] * 3)


def append(con: duckdb.DuckDBPyConnection, events: Iterable[Event], *, at: dt.datetime | None = None) -> int:
    """Append events in the given order; returns how many. Call inside the caller's transaction."""
    seq, prev = _tail(con)
    v2_from = format_from(con)
    created = at or now()
    created_ts = _ts(created)  # one timestamp per append: format it once
    rows = []
    for ev in events:
        seq += 1
        detail = ev.detail if isinstance(ev.detail, str) or ev.detail is None else canonical_json(ev.detail)
        event_id = hashlib.sha256(f"{ev.run_id}|{ev.record_id}|{ev.stage}|{ev.action}|{seq}".encode()).hexdigest()[:32]
        h = chain_hash(
            prev,
            content_string(
                seq,
                event_id,
                ev.run_id,
                ev.record_id,
                ev.stage,
                ev.action,
                detail,
                created_ts,
                ev.actor,
                fmt=2 if v2_from is not None and seq >= v2_from else 1,
            ),
        )
        rows.append((seq, event_id, ev.run_id, ev.record_id, ev.stage, ev.action, detail, created, ev.actor, prev, h))
        prev = h
    if not rows:
        return 0
    if len(rows) <= _BOUND_ROWS and created.tzinfo is None:
        # a few events: bound as lists, without building Arrow arrays (pyarrow imports pandas for that)
        from provenance.db import execute

        cols = ", ".join(_EVENT_COLUMNS)
        values = ", ".join(f"unnest(${i + 1}::{t}[])" for i, t in enumerate(_EVENT_TYPES))
        execute(con, f"INSERT INTO provenance_events ({cols}) SELECT {values}", [list(c) for c in zip(*rows)])
        return len(rows)
    import pyarrow as pa

    table = pa.table(
        {
            "seq": pa.array([r[0] for r in rows], pa.int64()),
            "event_id": [r[1] for r in rows],
            "run_id": pa.array([r[2] for r in rows], pa.string()),
            "record_id": pa.array([r[3] for r in rows], pa.string()),
            "stage": [r[4] for r in rows],
            "action": [r[5] for r in rows],
            "detail": pa.array([r[6] for r in rows], pa.string()),
            "created_at": pa.array([r[7] for r in rows], pa.timestamp("us")),
            "actor": pa.array([r[8] for r in rows], pa.string()),
            "prev_hash": [r[9] for r in rows],
            "hash": [r[10] for r in rows],
        }
    )
    from provenance.db import arrow_scan

    with arrow_scan(con, "_ledger_batch", table):  # freed after the insert, not at the commit
        con.execute(
            "INSERT INTO provenance_events SELECT seq, event_id, run_id, record_id, stage, action,"
            " detail, created_at, actor, prev_hash, hash FROM _ledger_batch"
        )
    return len(rows)


#: the columns every event needs: a NULL in one (``NOT NULL`` dropped by hand) is a break in itself, since a
#: comparison with NULL is never true and would hide the event from every other check
_REQUIRED = ("seq", "hash", "prev_hash", "event_id", "stage", "action", "created_at")


def verify(con: duckdb.DuckDBPyConnection) -> VerifyResult:
    """Check the whole chain; name the first broken event.

    Detects: edited fields (hash mismatch), deleted or inserted events (seq gap or prev_hash
    not equal to the previous event's hash), reordering (same), a rewritten genesis, and a NULL in a
    column the chain needs (``_REQUIRED``: a NULL ``hash`` would otherwise compare as "not different").
    An event without a seq is named first (``first_bad_seq`` None).
    """
    total = con.execute("SELECT count(*) FROM provenance_events").fetchone()[0]
    v2_from = format_from(con)
    content = (
        CONTENT_SQL_V1
        if v2_from is None
        else f"CASE WHEN seq >= {int(v2_from)} THEN {CONTENT_SQL_V2} ELSE {CONTENT_SQL_V1} END"
    )
    missing = " ".join(f"WHEN {c} IS NULL THEN '{c} missing (NULL): the event was modified by hand'" for c in _REQUIRED)
    # each event's own checks (a NULL, its content hash) come first, in a projection under the window: the window
    # then holds seq, event_id, the two hashes and those results, not every column (1.16 GiB for 1M events before)
    bad = con.execute(f"""
        WITH own AS (
            SELECT seq, event_id, prev_hash, hash,
                   CASE {missing} END AS missing,
                   sha256(prev_hash || '|' || {content}) IS DISTINCT FROM hash AS modified
            FROM provenance_events
        ), e AS (
            SELECT seq, event_id, prev_hash, missing, modified,
                   lag(hash, 1, '{GENESIS}') OVER (ORDER BY seq) AS expected_prev,
                   lag(seq, 1, 0) OVER (ORDER BY seq) AS prev_seq
            FROM own
        )
        SELECT seq, event_id,
               CASE WHEN missing IS NOT NULL THEN missing
                    WHEN seq IS DISTINCT FROM prev_seq + 1 THEN 'sequence gap: an event before it was deleted or inserted'
                    WHEN prev_hash IS DISTINCT FROM expected_prev THEN 'prev_hash does not match the previous event: events were deleted, inserted or reordered'
                    ELSE 'content hash mismatch: the event was modified' END AS reason
        FROM e
        WHERE missing IS NOT NULL OR seq IS DISTINCT FROM prev_seq + 1
           OR prev_hash IS DISTINCT FROM expected_prev OR modified
        ORDER BY seq NULLS FIRST LIMIT 1
    """).fetchone()
    if bad:
        reason = bad[2]
        if reason.startswith("content hash mismatch") and _hashes_under_other_format(con, bad[0], v2_from):
            reason = _format_changed(bad[0], v2_from)
        return VerifyResult(False, total, bad[0], bad[1], reason)
    return VerifyResult(True, total)


def _format(seq: int, v2_from: int | None) -> int:
    return 2 if v2_from is not None and seq >= v2_from else 1


def _hashes_under_other_format(con: duckdb.DuckDBPyConnection, seq: int, v2_from: int | None) -> bool:
    """Whether event ``seq``, which does not hash under the format ``ledger_format`` gives it, hashes under the
    other one: the event is as written, and ``ledger_format`` was changed (its row deleted, ``from_seq`` moved)."""
    other = CONTENT_SQL_V1 if _format(seq, v2_from) == 2 else CONTENT_SQL_V2
    rows = con.execute(
        f"SELECT sha256(prev_hash || '|' || {other}) = hash FROM provenance_events WHERE seq = {int(seq)}"
    ).fetchall()
    return bool(rows and rows[0][0])


def _format_changed(seq: int, v2_from: int | None) -> str:
    said = "no format 2 at all (its row is gone)" if v2_from is None else f"format 2 from seq {v2_from}"
    return (
        f"table ledger_format was changed: the event hashes under format {3 - _format(seq, v2_from)}, not the format"
        f" {_format(seq, v2_from)} that ledger_format gives it ({said}); restore ledger_format from a copy"
    )
