"""Running one auditor query (`curate sql`, `curate audit sql`): interruptible, timed and bounded in its result.

DuckDB's memory cap (``$CURATE_SQL_MEMORY``) bounds what DuckDB holds, not the Python rows handed to the command:
``SELECT * FROM records`` on a large catalogue, or ``SELECT repeat('銀', 200) FROM range(1000000)``, was fetched
whole into this process (1.2 GB and growing, minutes of CPU, before a line was printed) and then formatted as one
table. The rows are now fetched in batches and the query stops with a one-line error once their cells hold more
than ``$CURATE_SQL_RESULT`` (default 256MB) of text and values.
Every value counts (an empty string or NULL too), and a list, struct or map counts what it holds: review 11's
``SELECT list(text) FROM records``, one cell, or millions of empty strings passed any budget.
Review 13: the budget was counted on rows once fetched, so one cell (``list(x)`` over thirty million values) was
converted to Python whole (3.6 GB) before its refusal; the rows now come as Arrow batches, weighed before Python
holds any value of them (:func:`fetch_bounded`).
Review 16: a row counted only its values, so a result of millions of tiny rows passed the budget while Python held
many times it: ``SELECT NULL FROM range(30000000)`` counted 240 MB, under the default, and ``curate audit sql --json``
grew past 20 GB before it printed; each row now counts :data:`_ROW` more, what its tuple costs.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import duckdb

from provenance.errors import QueryAbandonedError, ReadOnlyError

#: the default of ``$CURATE_SQL_RESULT``: how much a result's cells may hold (see :func:`_cell_size`)
SQL_RESULT = 256_000_000

#: rows turned into Python values at a time, at most
_BATCH = 10_000

#: what one value counts besides its characters or bytes: an empty string or a NULL is still a Python object
_VALUE = 8

#: what one row counts besides its values: its tuple's header (40 bytes) and its slot in the list of rows (8)
_ROW = 48


def result_budget() -> int:
    """``$CURATE_SQL_RESULT`` in bytes (DuckDB's size syntax: ``256MB``, ``1GiB``), else :data:`SQL_RESULT`."""
    from provenance.envsettings import env_bytes

    return env_bytes("CURATE_SQL_RESULT", SQL_RESULT, minimum=1)


def _cell_size(value: Any, limit: int | None = None) -> int:
    """What ``value`` counts against the budget: 8, plus its characters (text) or bytes (blob); a list, struct or
    map (``list(text)``, ``{'t': text}``) counts every value inside it. Counting stops once it passes ``limit``
    (what the budget has left): the refusal does not wait for the rest of a list of millions of values, a walk
    in Python that no time limit interrupts (32 s for ``list(x)`` over ten million values).

    >>> _cell_size(None), _cell_size(""), _cell_size("銀行"), _cell_size(["銀行", None]), _cell_size({"k": "ab"})
    (8, 8, 10, 26, 27)
    >>> _cell_size(list(range(1000)), limit=100)
    104
    """
    if isinstance(value, str | bytes):
        return _VALUE + len(value)
    if not isinstance(value, list | tuple | dict):
        return _VALUE
    total, stack = 0, [value]
    while stack:
        if limit is not None and total > limit:
            return total
        v = stack.pop()
        total += _VALUE
        if isinstance(v, str | bytes | bytearray):
            total += len(v)
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list | tuple):
            stack.extend(v)
    return total


def _row_size(row: tuple, room: int) -> int:
    """:data:`_ROW` plus :func:`_cell_size` summed over ``row``'s cells, counting stopped once past ``room``."""
    total = _ROW
    for value in row:
        total += _cell_size(value, room - total)
        if total > room:
            break
    return total


#: rows DuckDB hands over at a time as an Arrow record batch, weighed (:func:`_floor`) before Python sees them
_ARROW_ROWS = 100

#: the in-memory connection that turns weighed Arrow batches into Python rows (DuckDB's own conversion, so the
#: values are those ``fetchmany`` gave): one thread keeps their order; no files, no extensions
_CONVERT: dict[str, str | bool | int] = {
    "threads": 1,
    "enable_external_access": False,
    "python_enable_replacements": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
}


#: bytes of DuckDB's BIGNUM header before the number's own bytes (each byte of them at least one decimal digit)
_BIGNUM_HEADER = 3


def _floor(arr: Any) -> int:
    """At most what the values of the Arrow array ``arr`` count once in Python (:func:`_cell_size`): 8 a value,
    the characters of text and bytes of blobs, a list's or map's values, a struct's fields, a UNION's member, a BIT's
    bits, a BIGNUM's bytes but its header (review 18: its Python value is a decimal string, counted 8, so a page of million-digit numbers was
    converted whole before the budget refused it); other types count 8.
    Computed by Arrow on DuckDB's result, so a cell of millions of values is refused before Python holds it.

    >>> import pyarrow as pa
    >>> _floor(pa.array(["銀行", None])), _floor(pa.array([[1, 2], None])), _floor(pa.array([{"k": "ab"}]))
    (18, 32, 18)
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n, t = len(arr), arr.type
    if isinstance(t, pa.BaseExtensionType):  # JSON is text in Python; UUID, BIT... are not (canonical and opaque
        # types are no pa.ExtensionType: review 18, JSON and BIGNUM were counted 8 a value)
        if getattr(t, "type_name", None) == "bignum":  # a decimal string in Python: a digit or more a stored byte
            over = pc.max_element_wise(pc.subtract(pc.binary_length(arr.storage), _BIGNUM_HEADER), 0)
            return _VALUE * n + (pc.sum(over).as_py() or 0)
        if getattr(t, "type_name", None) == "bit":  # a '0'/'1' string in Python: 8 characters a stored byte but
            # the first (its padding, at most 7 bits); review 18: bitstring('1', 10**6) counted 8, not a million
            bits = pc.max_element_wise(pc.subtract(pc.multiply(pc.binary_length(arr.storage), 8), 15), 0)
            return _VALUE * n + (pc.sum(bits).as_py() or 0)
        if t.extension_name != "arrow.json":
            return _VALUE * n
        arr, t = arr.storage, arr.storage.type
    if pa.types.is_union(t):  # a UNION's value is its member's (review 18: a VARCHAR member counted 8 a value)
        return sum(_union_member(arr, code, i) for i, code in enumerate(t.type_codes))
    if pa.types.is_dictionary(t):  # ENUM
        arr, t = arr.dictionary_decode(), t.value_type
    if pa.types.is_string(t) or pa.types.is_large_string(t):  # no views: DuckDB exports none by default
        return _VALUE * n + (pc.sum(pc.utf8_length(arr)).as_py() or 0)
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return _VALUE * n + (pc.sum(pc.binary_length(arr)).as_py() or 0)
    nested = pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)
    if not (nested or pa.types.is_map(t) or pa.types.is_struct(t)):
        return _VALUE * n
    valid = arr.filter(arr.is_valid()) if arr.null_count else arr  # a NULL cell is one None, whatever is beneath
    if pa.types.is_struct(t):
        return _VALUE * n + sum(_floor(f) for f in valid.flatten())
    if pa.types.is_map(t):  # a dict: its keys and values, not the entries' structs (Arrow cannot flatten a map)
        entries = pa.ListArray.from_arrays(valid.offsets, valid.values).flatten()
        return _VALUE * n + sum(_floor(f) for f in entries.flatten())
    return _VALUE * n + _floor(valid.flatten())


def _union_member(arr: Any, code: int, i: int) -> int:
    """:func:`_floor` of the values of the union array ``arr`` whose member is its ``i``-th (type code ``code``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    mine = pc.equal(arr.type_codes, pa.scalar(code, pa.int8()))
    child = arr.field(i)
    if arr.type.mode == "dense":
        return _floor(child.take(arr.offsets.filter(mine)))
    return _floor(child.filter(mine))


def _too_large(budget: int, rows: int) -> ReadOnlyError:
    return ReadOnlyError(
        f"query result larger than CURATE_SQL_RESULT ({budget:,} bytes of cells) after {rows:,}"
        " rows; narrow it (LIMIT, fewer rows or columns, an aggregate) or raise the limit"
    )


def _as_duckdb_error(exc: Exception) -> duckdb.Error:
    """The DuckDB error an Arrow stream carried as pyarrow's ``OSError`` ("Conversion Error: ..."), as the exception
    class DuckDB raises for it (``ConversionException``), so its caller's one-line messages (memory, spill, read-only)
    see it as they see an error of ``execute``; a type Arrow cannot hold says which cast shows it.

    >>> e = _as_duckdb_error(OSError("Out of Memory Error: failed to allocate"))
    >>> type(e).__name__, str(e)
    ('OutOfMemoryException', 'Out of Memory Error: failed to allocate')
    """
    text = str(exc).strip() or type(exc).__name__
    kind = text.split(" Error:", 1)[0] if " Error:" in text.splitlines()[0] else ""
    cls = getattr(duckdb, "".join(w[:1].upper() + w[1:].lower() for w in kind.split()) + "Exception", duckdb.Error)
    if not (isinstance(cls, type) and issubclass(cls, duckdb.Error)):
        cls = duckdb.Error
    if "Unsupported Arrow type" in text:
        text = f"{text.splitlines()[0]}: a result column of this type cannot be shown; CAST(column AS VARCHAR) can"
    return cls(text)


def _batches(cur: duckdb.DuckDBPyConnection, rows: int):
    """``cur``'s result as Arrow record batches of ``rows`` rows. Review 17: DuckDB's errors after the first rows (a
    conversion error in a later chunk, a result type Arrow cannot hold: ``VARIANT``) came out of the stream as
    pyarrow's ``OSError``, a traceback of `curate sql` instead of DuckDB's one line (:func:`_as_duckdb_error`)."""
    import pyarrow as pa

    try:
        reader = cur.to_arrow_reader(rows)
    except (pa.ArrowException, OSError) as exc:
        raise _as_duckdb_error(exc) from exc
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowException, OSError) as exc:
            raise _as_duckdb_error(exc) from exc
        yield batch


def fetch_bounded(cur: duckdb.DuckDBPyConnection, budget: int) -> list[tuple]:
    """Every row of ``cur``'s result; :class:`ReadOnlyError` once they hold more than ``budget``
    (:data:`_ROW` a row plus :func:`_cell_size` summed over its cells). DuckDB hands the rows over as Arrow record batches of
    :data:`_ARROW_ROWS` rows, weighed by :func:`_floor` before any becomes a Python value (review 13: one cell,
    ``list(x)`` over thirty million values, was converted whole, 3.6 GB, before its refusal); batches that fit are
    turned into Python rows by DuckDB (:data:`_CONVERT`) and counted exactly. ``cur``'s connection should export
    Arrow losslessly (``arrow_lossless_conversion``: HUGEINT, UUID, TIME WITH TIME ZONE, BIT stay what they are)."""
    import pyarrow as pa

    from provenance.sqlinf import mark_infinite

    rows: list[tuple] = []
    held = floor = 0
    pending: list[Any] = []
    convert = duckdb.connect(":memory:", config=_CONVERT)

    def take() -> None:
        nonlocal held, floor
        table = pa.Table.from_batches(pending)  # columns renamed: a query may name two alike (`SELECT 1 a, 2 a`)
        got = convert.from_arrow(table.rename_columns([f"c{i}" for i in range(table.num_columns)])).fetchall()
        for row in mark_infinite(table, got):  # an infinite date is no 9999-12-31 (provenance/sqlinf.py)
            held += _row_size(row, budget - held)
            if held > budget:
                raise _too_large(budget, len(rows) + 1)
            rows.append(row)
        pending.clear()
        floor = 0

    try:
        for batch in _batches(cur, _ARROW_ROWS):
            floor += _ROW * batch.num_rows + sum(_floor(col) for col in batch.columns)
            if held + floor > budget:
                raise _too_large(budget, len(rows) + sum(b.num_rows for b in pending) + batch.num_rows)
            pending.append(batch)
            if sum(b.num_rows for b in pending) >= _BATCH:
                take()
        if pending:
            take()
    finally:
        convert.close()
    return rows


#: seconds an interrupted query has to stop before it is left behind (:class:`QueryAbandonedError`)
STOP_GRACE = 5.0


def _stop(con: duckdb.DuckDBPyConnection, done: threading.Event, message: str) -> None:
    """Interrupt ``con``'s query and wait :data:`STOP_GRACE` seconds for its worker to set ``done``. DuckDB checks for
    an interrupt between chunks, not inside one function call: ``levenshtein(repeat('a', 100000), repeat('b',
    100000))`` went on for two minutes after its time limit (a million characters: hours), the worker waited for without
    bound while the catalogue's read lock kept every writer out. A worker still running is left behind:
    :class:`QueryAbandonedError`, whose caller must not close ``con`` (that waits for the call) and ends the process.
    (An event, not ``Thread.join``: a join that Ctrl-C interrupted marks the thread ended while it still runs.)"""
    con.interrupt()
    try:
        stopped = done.wait(STOP_GRACE)
    except KeyboardInterrupt:  # Ctrl-C (SIGTERM) again in the grace: it came out as itself, con was closed: a hang
        stopped = done.is_set()
    if not stopped:
        raise QueryAbandonedError(
            f"{message}; it did not stop within {STOP_GRACE:g} s of being interrupted (one call DuckDB cannot"
            " interrupt), so it is left to end with this process"
        ) from None


def run_interruptible(
    con: duckdb.DuckDBPyConnection, sql: str, idle: threading.Event | None = None
) -> tuple[list[str], list[tuple]]:
    """Run ``sql`` on a worker thread so that Ctrl-C (DuckDB does not see it while it runs) and the time limit
    ``$CURATE_SQL_TIMEOUT`` (seconds, default 600) interrupt it: an auditor's runaway query ends. Its rows are
    fetched by :func:`fetch_bounded` under :func:`result_budget`. A query that does not stop when interrupted
    raises :class:`QueryAbandonedError` (see :func:`_stop`): do not close ``con`` then. ``idle`` is cleared while the
    query runs: the caller closes ``con`` only while it is set, whatever was raised (review 15: a second Ctrl-C in
    the grace raised a KeyboardInterrupt, and closing ``con`` waited for the call, hours, holding the lock)."""
    from provenance.envsettings import env_seconds

    limit = env_seconds("CURATE_SQL_TIMEOUT", 600.0)
    budget = result_budget()
    out: dict[str, Any] = {}

    def work() -> None:
        try:
            cur = con.execute(sql)
            out["cols"] = [d[0] for d in cur.description] if cur.description else []
            out["rows"] = fetch_bounded(cur, budget)
        except BaseException as exc:  # noqa: BLE001 (handed to the caller's thread, raised there)
            out["error"] = exc
        finally:
            done.set()

    done = threading.Event() if idle is None else idle
    done.clear()
    worker = threading.Thread(target=work, name="curate-sql", daemon=True)
    try:
        worker.start()
    except BaseException:
        done.set()
        raise
    deadline = time.monotonic() + limit
    try:
        while not done.wait(0.05):
            if time.monotonic() > deadline:
                message = f"query stopped after {limit:g} s (CURATE_SQL_TIMEOUT); narrow it or raise the limit"
                _stop(con, done, message)
                raise ReadOnlyError(message)
    except KeyboardInterrupt:
        _stop(con, done, "query interrupted (Ctrl-C or SIGTERM)")
        raise
    if "error" in out:
        raise out["error"]
    return out["cols"], out["rows"]
