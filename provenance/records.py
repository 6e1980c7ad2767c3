"""Record ids and immutable versions.

Records are never changed in place (only ``status`` / ``pii_state`` move). A change is a new
row whose ``version_of`` names the record it replaces; the replaced record becomes
``superseded``. Ids are derived from content, so writing the same version twice is a no-op.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import duckdb

from provenance import ledger, pii_rule
from provenance.dedup_release import release_superseded
from provenance.errors import CatalogueError
from provenance.terms_seal import seal_new

_SEP = "\x1f"

#: ``pii_state`` values of a version that passed the PII stage (export and annotation gates)
PII_PASSED = pii_rule.PII_PASSED


#: prefix of a keyed content digest in ``content_sha256`` (``hmac:`` + HMAC-SHA256 under the PII key of the
#: plain sha256, :mod:`curate.pii.keyed_ids`): versions of ``pii_expected`` sources before the PII stage, and
#: sealed raw versions. The kernel never holds the key: checks take a digest function from the caller, and
#: without one say "not checked without the key".
KEYED_PREFIX = "hmac:"


def sha256_text(text: str) -> str:
    """Hex sha256 of UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def is_keyed_digest(digest: str | None) -> bool:
    """Whether a stored content digest is keyed (needs the PII key to recompute).

    >>> is_keyed_digest("hmac:00"), is_keyed_digest("ab12"), is_keyed_digest(None)
    (True, False, False)
    """
    return bool(digest) and digest.startswith(KEYED_PREFIX)


def ingest_record_id(
    source_id: str, locator: str, text: str, version_metadata: dict[str, Any] | str | None = None
) -> str:
    """``record_id`` of an ingested record: sha256 of source + locator + text (+ version metadata).

    >>> len(ingest_record_id("law_moj", "G0380001/第 1 條", "本法..."))
    64
    """
    parts = [source_id, locator, text]
    if version_metadata:
        parts.append(
            version_metadata
            if isinstance(version_metadata, str)
            else json.dumps(version_metadata, sort_keys=True, ensure_ascii=False)
        )
    return hashlib.sha256(_SEP.join(parts).encode("utf-8", "surrogatepass")).hexdigest()


#: SQL over columns ``source_id, locator, text, version_meta`` (NULL when none): the same value as
#: :func:`ingest_record_id` (``concat_ws`` skips a NULL ``version_meta``), for vectorised bulk ingest
INGEST_RECORD_ID_SQL = "sha256(concat_ws(chr(31), source_id, locator, text, version_meta))"


def derived_record_id(parent_id: str, stage: str, text: str) -> str:
    """``record_id`` of a version derived by a stage from ``parent_id``."""
    return hashlib.sha256(_SEP.join([parent_id, stage, text]).encode("utf-8", "surrogatepass")).hexdigest()


#: columns of ``records``, in table order
RECORD_COLUMNS: tuple[str, ...] = (
    "record_id",
    "doc_key",
    "source_id",
    "locator",
    "title",
    "text",
    "lang",
    "script",
    "licence_id",
    "version_of",
    "status",
    "run_id",
    "created_at",
    "metadata",
    "stage",
    "content_sha256",
    "pii_state",
    "container",
)
_INHERITED = ("doc_key", "source_id", "locator", "title", "lang", "script", "licence_id", "pii_state", "container")


def insert_versions(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    *,
    run_id: str,
    stage: str,
    created_at: Any = None,
    order_by: str | None = "record_id",
    fresh: bool = False,
    parents_within: tuple[int, int] | None = None,
    terms_digest: Callable[[str], str] | None = None,
) -> int:
    """Insert the record versions described by the rows of ``relation``; the one writer of ``records`` rows.

    ``relation`` is a table, view or registered Arrow table visible to ``con`` with at least
    ``record_id`` and ``text``. A row with a ``parent_id`` is a *derived* version: every column it
    leaves out or NULL is copied from the parent, ``metadata`` is merged into the parent's as a JSON
    patch, and ``version_of`` is the parent. A row without one is a new record whose columns are
    taken as given (``version_of`` may name the version it replaces). ``status`` defaults to
    ``active``, ``content_sha256`` to the sha256 of the text, ``stage``/``run_id``/``created_at``
    to the arguments. Rows whose ``record_id`` exists already are skipped (ids are derived from
    content, so writing a version twice is a no-op); a duplicated id in ``relation`` is written once.
    Parents are not superseded here: the caller decides which versions replace which.
    ``fresh=True``: the caller guarantees the rows' ids are distinct and not in ``records`` yet (a bulk ingest
    that anti-joined them already), so neither is checked again; ``order_by=None`` keeps the relation's order.
    ``parents_within=(first, last)``: the row positions (``rowid``) between which every parent lies, so only those
    row groups are read for the parents' columns (a join with all of ``records`` reads them from every row group:
    0.2 s for 5,000 versions at 1M records); checked first, and if a parent lies outside, ignored.
    Every written version that carries licence terms gets a ``terms_sealed`` event (:mod:`provenance.terms_seal`);
    ``terms_digest`` (the PII key's keyed digest) seals those of versions with a keyed content digest, and is required
    when the rows hold one. Call inside the caller's transaction. Returns the number of rows written.
    """
    given = {d[0] for d in con.execute(f"SELECT * FROM {relation} LIMIT 0").description}
    missing = {"record_id", "text"} - given
    if missing:
        raise CatalogueError(f"insert_versions: `{relation}` lacks columns {sorted(missing)}")
    derived = "parent_id" in given
    exprs: dict[str, str] = {}
    for col in RECORD_COLUMNS:
        if col in ("record_id", "text"):
            exprs[col] = f"n.{col}"
        elif col == "version_of":
            own = "n.version_of" if "version_of" in given else "NULL"
            exprs[col] = f"coalesce(n.parent_id, {own})" if derived else own
        elif col == "metadata":
            if derived and "metadata" in given:
                exprs[col] = (
                    "CASE WHEN n.metadata IS NULL THEN p.metadata "
                    "ELSE json_merge_patch(coalesce(p.metadata, '{}'), n.metadata) END"
                )
            elif derived:
                exprs[col] = "p.metadata"
            else:
                exprs[col] = "n.metadata" if "metadata" in given else "NULL"
        elif col == "status":
            exprs[col] = "coalesce(n.status, 'active')" if "status" in given else "'active'"
        elif col == "run_id":
            exprs[col] = "coalesce(n.run_id, $run)" if "run_id" in given else "$run"
        elif col == "stage":
            exprs[col] = "coalesce(n.stage, $stage)" if "stage" in given else "$stage"
        elif col == "created_at":
            exprs[col] = "coalesce($at, now()::TIMESTAMP)"
        elif col == "content_sha256":
            exprs[col] = "coalesce(n.content_sha256, sha256(n.text))" if col in given else "sha256(n.text)"
        elif col in given:
            exprs[col] = f"coalesce(n.{col}, p.{col})" if derived and col in _INHERITED else f"n.{col}"
        else:
            exprs[col] = f"p.{col}" if derived else "NULL"
    join = "LEFT JOIN records p ON p.record_id = n.parent_id" if derived else ""
    cols = ", ".join(f"{e} AS {c}" for c, e in exprs.items())
    params = {"run": run_id, "stage": stage, "at": created_at}
    if derived and parents_within is not None:
        bounded = "(SELECT * FROM records WHERE rowid BETWEEN $plo AND $phi)"
        bound = {"plo": parents_within[0], "phi": parents_within[1]}
        outside = con.execute(
            f"SELECT count(*) FROM {relation} n WHERE n.parent_id IS NOT NULL"
            f" AND n.parent_id NOT IN (SELECT record_id FROM {bounded})",
            bound,
        ).fetchone()[0]
        if not outside:
            join, params = f"LEFT JOIN {bounded} p ON p.record_id = n.parent_id", {**params, **bound}
    start = con.execute("SELECT count(*) FROM records").fetchone()[0]  # the new rows' positions start here
    if fresh and not derived:
        order = f" ORDER BY n.{order_by}, n.record_id" if order_by in given else ""
        row = con.execute(
            f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) SELECT {cols} FROM {relation} n{order}", params
        ).fetchone()
        seal_new(con, start, run_id=run_id, stage=stage, keyed=terms_digest)
        return row[0] if row else 0
    order = order_by if order_by in given else "record_id"
    row = con.execute(
        f"""
        INSERT INTO records ({", ".join(RECORD_COLUMNS)})
        SELECT {", ".join(RECORD_COLUMNS)} FROM (
            SELECT DISTINCT ON (n.record_id) {cols}, n.{order} AS _ord
            FROM {relation} n {join}
            WHERE NOT EXISTS (SELECT 1 FROM records e WHERE e.record_id = n.record_id)
              {"AND (n.parent_id IS NULL OR p.record_id IS NOT NULL)" if derived else ""}
        ) ORDER BY _ord, record_id""",
        params,
    ).fetchone()
    seal_new(con, start, run_id=run_id, stage=stage, keyed=terms_digest)
    return row[0] if row else 0


#: the columns of a derived version that no step changes after it is written, beside its id, text digest and licence
#: (sealed apart): what a creating event's ``new_row_sha256`` covers (:func:`version_row_sql`). Left out, each with
#: its own check: ``status``, ``pii_state`` and ``near_duplicate_of`` (moved by their events), ``script`` (set in
#: place by normalise: its ``script_detected`` verdict), ``title`` and ``metadata`` (a raw version's shown in place
#: once the vault holds them; licence terms: ``terms_sealed``), ``version_of`` (renamed by ``curate pii rekey``:
#: the creating event names the parent) and ``run_id`` (compared with the creating event's run)
SEALED_COLUMNS: tuple[str, ...] = ("doc_key", "source_id", "locator", "lang", "container", "stage", "created_at")
#: SQL over ``provenance_events``: the version whose row an event's ``new_row_sha256`` seals: its ``new_record_id``
#: (a derived version's creating event, a rekey's re-declaration), else the event's record (a licence correction's)
SEALED_ID_SQL = "coalesce(json_extract_string(detail, '$.new_record_id'), record_id)"
#: the version of :func:`version_row_sql` a creating event's ``new_row_v`` names (events without one seal no row)
VERSION_ROW_V = 1


def version_row_sql(alias: str = "r") -> str:
    """SQL over ``records <alias>``: the text whose sha256 a derived version's creating event seals
    (``new_row_sha256``); each column as ``N`` (NULL) or ``V<length>:<value>``, so NULL, '' and shifted values differ.

    >>> version_row_sql("n").count("n.lang")
    3
    """

    def field(col: str) -> str:
        value = f"strftime({alias}.{col}, '%Y-%m-%dT%H:%M:%S.%f')" if col == "created_at" else f"{alias}.{col}"
        return f"CASE WHEN {value} IS NULL THEN 'N' ELSE 'V' || length({value}) || ':' || {value} END"

    return "concat_ws(chr(31), " + ", ".join(field(c) for c in SEALED_COLUMNS) + ")"


def version_seal(
    new_id: str, content_sha256: str | None, licence_id: str | None, row_sha256: str | None = None
) -> dict[str, Any]:
    """The fields a creating event of a derived version carries, so ``audit verify`` can check the row:
    with ``row_sha256`` (the sha256 of :func:`version_row_sql`), its :data:`SEALED_COLUMNS` too.

    >>> version_seal("r2", "ab", None)
    {'new_record_id': 'r2', 'new_sha256': 'ab', 'new_licence_id': None}
    >>> version_seal("r2", "ab", None, "cd")["new_row_v"]
    1
    """
    seal = {"new_record_id": new_id, "new_sha256": content_sha256, "new_licence_id": licence_id}
    if row_sha256 is not None:
        seal.update(new_row_sha256=row_sha256, new_row_v=VERSION_ROW_V)
    return seal


def version_seals(con: duckdb.DuckDBPyConnection, ids: list[str], *, from_row: int = 0) -> dict[str, dict[str, Any]]:
    """:func:`version_seal` of each written record in ``ids`` (as stored in ``records``).

    ``from_row``: the rows were appended after the first ``from_row`` rows, so only those after are read (a
    read by id alone scans every row group of the catalogue); any id not found there is looked up by id alone.
    """
    if not ids:
        return {}
    import pyarrow as pa

    from provenance.db import arrow_temp_table

    # a temp table, read by both statements (an Arrow stream is read once)
    arrow_temp_table(con, "_seal_ids", pa.table({"record_id": pa.array(ids, pa.string())}))
    sql = (
        f"SELECT r.record_id, r.content_sha256, r.licence_id, sha256({version_row_sql('r')}) FROM records r"
        " WHERE r.record_id IN (SELECT record_id FROM _seal_ids)"
    )
    rows = con.execute(sql + " AND r.rowid >= $from", {"from": from_row}).fetchall() if from_row else []
    if len(rows) < len(set(ids)):
        rows = con.execute(sql).fetchall()
    con.execute("DROP TABLE _seal_ids")  # not in a finally: after an error the transaction is aborted
    return {r[0]: version_seal(*r) for r in rows}


def create_version(
    con: duckdb.DuckDBPyConnection,
    parent_id: str,
    new_text: str,
    *,
    stage: str,
    run_id: str,
    action: str = "rewrite",
    detail: dict[str, Any] | None = None,
    fields: dict[str, Any] | None = None,
    actor: str | None = None,
) -> str | None:
    """Create one derived version of ``parent_id`` with an event; returns the new id.

    Returns None (and writes nothing) if that exact version exists already. For bulk work use
    :func:`insert_versions` directly. Call inside a transaction.
    """
    import pyarrow as pa

    parent = con.execute("SELECT record_id, status FROM records WHERE record_id = ?", [parent_id]).fetchone()
    if parent is None:
        raise CatalogueError(f"record `{parent_id}` does not exist")
    new_id = derived_record_id(parent_id, stage, new_text)
    if con.execute("SELECT 1 FROM records WHERE record_id = ?", [new_id]).fetchone():
        return None
    fields = dict(fields or {})
    meta_patch = fields.pop("metadata", None)
    allowed = {"script", "lang", "title", "pii_state", "licence_id"}
    bad = set(fields) - allowed
    if bad:
        raise CatalogueError(f"cannot override columns {sorted(bad)} in a new version; allowed: {sorted(allowed)}")
    row = {
        "record_id": [new_id],
        "parent_id": [parent_id],
        "text": [new_text],
        "metadata": pa.array([json.dumps(meta_patch, ensure_ascii=False) if meta_patch else None], pa.string()),
    }
    for col in sorted(allowed):
        row[col] = pa.array([fields.get(col)], pa.string())
    con.register("_one_version", pa.table(row))
    try:
        insert_versions(con, "_one_version", run_id=run_id, stage=stage)
    finally:
        con.unregister("_one_version")
    con.execute("UPDATE records SET status = 'superseded' WHERE record_id = ? AND status = 'active'", [parent_id])
    ledger.append(
        con,
        [
            ledger.Event(
                stage=stage,
                action=action,
                record_id=parent_id,
                run_id=run_id,
                detail={**version_seals(con, [new_id])[new_id], **(detail or {})},
                actor=actor,
            )
        ],
    )
    release_superseded(con, "SELECT $parent", {"parent": parent_id}, run_id=run_id)
    return new_id
