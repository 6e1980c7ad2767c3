"""An export's items (``export_items``: the records it shipped, with their content digest and licence) and the
digest its ledger event seals over them.

The export event's detail carries ``items_digest``: the sha256 over the items' ``record_id:content_sha256:licence_id``
lines in ``record_id`` order (as :func:`provenance.batches.stream_digest` hashes them). `curate audit verify`
recomputes it, so an item swapped for another record, or its digest or licence edited, is caught without the export
folder (``audit verify-export DIR`` checks the folder itself). ``curate pii rekey`` rewrites the items' ids and
digests; it first checks the declared digest, then re-declares it in an ``export_items_rekeyed`` event (detail
``export_id``, ``items_digest``, ``records``): the newest declaration is what is verified. Exports made before the
digest existed are counted in a note.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from provenance.batches import BatchCheck, stream_digest
from provenance.db import arrow_scan
from provenance.errors import CatalogueError

#: the ledger action re-declaring an export's items digest after a rekey rewrote its items
ITEMS_REKEYED = "export_items_rekeyed"
#: manifest rows read back per insert
_CHUNK = 50_000

#: per export id, the items digest and count last declared (the export event, or its newest re-declaration)
_DECLARED = f"""
    WITH x AS (
        SELECT seq, json_extract_string(detail, '$.export_id') AS export_id,
               json_extract_string(detail, '$.items_digest') AS digest,
               CAST(json_extract(detail, '$.records') AS BIGINT) AS n
        FROM provenance_events WHERE stage = 'export' AND action = 'export' AND json_exists(detail, '$.items_digest')),
    rk AS (
        SELECT json_extract_string(detail, '$.export_id') AS export_id,
               arg_max(json_extract_string(detail, '$.items_digest'), seq) AS digest,
               arg_max(CAST(json_extract(detail, '$.records') AS BIGINT), seq) AS n
        FROM provenance_events WHERE action = '{ITEMS_REKEYED}' GROUP BY 1)
    SELECT x.export_id, arg_max(coalesce(rk.digest, x.digest), x.seq) AS digest,
           arg_max(coalesce(rk.n, x.n), x.seq) AS n, max(x.seq) AS seq
    FROM x LEFT JOIN rk USING (export_id) GROUP BY x.export_id"""

#: the export ids whose export event seals their items (``items_digest``); the others were made before it existed
SEALED_EXPORT_IDS = (
    "SELECT coalesce(json_extract_string(detail, '$.export_id'), '') FROM provenance_events"
    " WHERE stage = 'export' AND action = 'export' AND json_exists(detail, '$.items_digest')"
)


def items_digest(con: duckdb.DuckDBPyConnection, export_id: str) -> tuple[int, str]:
    """``(items, digest)`` of an export's items as stored now."""
    cur = con.execute(
        "SELECT record_id || ':' || coalesce(content_sha256, '') || ':' || coalesce(licence_id, '')"
        " FROM export_items WHERE export_id = ? ORDER BY record_id",
        [export_id],
    )
    return stream_digest(cur)


def insert_items(con: duckdb.DuckDBPyConnection, export_id: str, manifest: Path, records: int) -> None:
    """One ``export_items`` row per exported record, read back from the manifest just written (once: a
    byte-identical re-export adds none), 50,000 rows at a time, so memory stays flat in the export's size."""
    if not records or con.execute("SELECT 1 FROM export_items WHERE export_id = ? LIMIT 1", [export_id]).fetchall():
        return
    import pyarrow as pa

    n = 0
    with manifest.open(encoding="utf-8") as fh:
        while chunk := [json.loads(line) for _, line in zip(range(_CHUNK), fh, strict=False)]:
            tbl = pa.table(
                {
                    "export_id": [export_id] * len(chunk),
                    "record_id": [m["record_id"] for m in chunk],
                    "content_sha256": [m["content_sha256"] for m in chunk],
                    "licence_id": [m["licence_id"] for m in chunk],
                }
            )
            with arrow_scan(con, "_export_items", tbl):  # freed after the insert, not at the commit
                con.execute(
                    "INSERT INTO export_items SELECT export_id, record_id, content_sha256, licence_id FROM _export_items"
                )
            n += len(chunk)
    if n != records:  # the manifest changed between its write and this read
        raise CatalogueError(f"{manifest}: {n} manifest rows read back, {records} written; export again")


def declared(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str, int]]:
    """``{export_id: (items, digest, event seq)}`` as last declared, for exports whose event seals its items."""
    return {eid: (int(n or 0), digest or "", seq) for eid, digest, n, seq in con.execute(_DECLARED).fetchall()}


def verify_items(con: duckdb.DuckDBPyConnection) -> tuple[BatchCheck, int]:
    """Recompute every sealed export's items digest; ``(check, exports without a sealed digest)``."""
    sealed = declared(con)
    total = con.execute("SELECT count(DISTINCT export_id) FROM exports").fetchone()[0]  # a re-export: one id
    # an event whose seq was erased (NULL) sorts last: the chain check names it
    for export_id, (n, digest, seq) in sorted(sealed.items(), key=lambda kv: (kv[1][2] is None, kv[1][2] or 0)):
        if items_digest(con, export_id) != (n, digest):
            return BatchCheck(
                False,
                len(sealed),
                seq,
                export_id,
                f"export {export_id}: its items differ from what its ledger event sealed (a record swapped in or "
                "out, or an item's content digest or licence edited)",
            ), max(0, total - len(sealed))
    return BatchCheck(True, len(sealed)), max(0, total - len(sealed))


def affected_exports(con: duckdb.DuckDBPyConnection, ids_relation: str) -> list[str]:
    """Sealed exports with an item among the record ids of ``ids_relation`` (one column ``old_id``); each must still
    match its declared digest (else :class:`CatalogueError`) before a rekey rewrites its items."""
    ids = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT export_id FROM export_items WHERE record_id IN (SELECT old_id FROM {ids_relation})"
            " ORDER BY 1"
        ).fetchall()
    ]
    if not ids:
        return []
    sealed = declared(con)
    mine = [e for e in ids if e in sealed]
    for export_id in mine:
        n, digest, seq = sealed[export_id]
        if items_digest(con, export_id) != (n, digest):
            raise CatalogueError(
                f"the items of export {export_id} (ledger seq {seq}) no longer match their recorded digest, so they "
                "cannot be rekeyed safely; run `curate audit verify` and repair the catalogue first; nothing was changed"
            )
    return mine
