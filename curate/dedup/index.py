"""The persistent dedup index beside the catalogue (tables of migration 0005).

Every clustered document is indexed, the copies dedup dropped too (review 14; survivors only before): their
signatures and LSH band buckets. A new batch looks up the indexed records that share an exact key or a bucket with
it, and their whole earlier clusters (:class:`curate.dedup.store.DiskRows`), and clusters against those; records
neither ``active`` nor a standing duplicate in the catalogue are ignored.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from curate.dedup.config import DedupConfig
from curate.dedup.engine import Signed
from curate.dedup.lsh import band_keys, has_shingles

#: bump when the kernel's arithmetic changes (old signatures become incomparable)
KERNEL_VERSION = "masked32-v2"


def index_key(config: DedupConfig) -> str:
    """Identity of the signature-defining options; rows under another key are never compared.

    >>> index_key(DedupConfig()) == index_key(DedupConfig(threshold=0.8))
    True
    """
    blob = f"{KERNEL_VERSION}|{config.ngram}|{config.bands}|{config.rows}|{config.seed}"
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def sig_matrix(col: pa.ChunkedArray | pa.Array, k: int) -> np.ndarray:
    """``(n, k)`` int32 signatures from an Arrow column of ``4 k``-byte little-endian blobs.

    Read straight from the Arrow buffers (no Python ``bytes`` per row).
    """
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    n = len(arr)
    if n == 0:
        return np.empty((0, k), dtype=np.int32)
    if arr.null_count:
        raise ValueError("dedup index: a signature is missing")
    if not pa.types.is_fixed_size_binary(arr.type):
        arr = arr.cast(pa.binary(4 * k))  # checks that every blob has 4 k bytes
    data = np.frombuffer(arr.buffers()[1], dtype="<i4", count=(arr.offset + n) * k)
    return data[arr.offset * k :].reshape(n, k).astype(np.int32)


def sig_array(sig: np.ndarray) -> pa.Array:
    """Arrow ``fixed_size_binary(4 k)`` column of ``(n, k)`` signatures (one buffer, no per-row bytes)."""
    sig = np.ascontiguousarray(sig, dtype="<i4")
    n, k = sig.shape if sig.ndim == 2 else (0, 0)
    return pa.FixedSizeBinaryArray.from_buffers(pa.binary(4 * k), n, [None, pa.py_buffer(sig)])


def buckets_array(sig: np.ndarray, nsh: np.ndarray, config: DedupConfig) -> pa.Array:
    """Arrow ``list<int64>`` of the LSH bucket keys per document (null for documents without shingles)."""
    n = len(sig)
    keys = band_keys(sig, config.bands, config.rows) if n else np.empty((0, config.bands), np.int64)
    offsets = pa.array(np.arange(n + 1, dtype=np.int32) * config.bands)
    arr = pa.ListArray.from_arrays(offsets, pa.array(keys.reshape(-1)), mask=pa.array(~has_shingles(nsh)))
    return arr


#: an indexed record's version as the survivor rule reads it (``s``: ``dedup_signatures``, ``r``: its record). Before
#: review 9 a record without a version in its metadata was indexed with its creation time (``str(created_at)``, the
#: same text as DuckDB's cast), and such an old copy stayed 'newest' against every later one: its creation time is
#: no version (:func:`curate.stages.dedup._version`)
INDEXED_VERSION = "CASE WHEN s.version = CAST(r.created_at AS VARCHAR) THEN NULL ELSE s.version END AS version"


def update_table(signed: Signed, keep: np.ndarray, config: DedupConfig) -> pa.Table:
    """Rows to add to the index: the kept documents of ``signed`` (as an Arrow table), with their
    signatures as fixed-size blobs and their LSH bucket keys."""
    idx = np.flatnonzero(keep)
    sig = signed.sig[idx] if len(idx) else np.empty((0, config.num_perm), np.int32)
    nsh = signed.nsh[idx]
    return pa.table(
        {
            "record_id": pa.array([signed.ids[i] for i in idx], type=pa.string()),
            "exact_key": pa.array([signed.exact[i] for i in idx], type=pa.string()),
            "n_shingles": pa.array(nsh.astype(np.int32)),
            "signature": sig_array(sig),
            "buckets": buckets_array(sig, nsh, config),
            "source_kind": pa.array([signed.cands[i].source_kind for i in idx], type=pa.string()),
            "licence_id": pa.array([signed.cands[i].licence_id for i in idx], type=pa.string()),
            "version": pa.array([signed.cands[i].version for i in idx], type=pa.string()),
            "length": pa.array([signed.cands[i].length for i in idx], type=pa.int32()),
            "document": pa.array([signed.cands[i].document for i in idx], type=pa.string()),
        }
    )


def apply_update(con, config: DedupConfig, add_path: str, remove: list[str], run_id: str) -> None:
    """Insert survivors (signatures + bucket keys, from the Parquet file ``add_path`` written by
    :func:`update_table`) and drop records that stopped being survivors; all in SQL, so the rows
    never pass through Python."""
    key = index_key(config)
    con.register("_dd_rm", pa.table({"record_id": pa.array(list(remove), type=pa.string())}))
    try:
        con.execute(
            "DELETE FROM dedup_signatures WHERE index_key = $k AND record_id IN ("
            " SELECT record_id FROM _dd_rm UNION ALL SELECT record_id FROM read_parquet($p))",
            {"k": key, "p": str(add_path)},
        )
    finally:
        con.unregister("_dd_rm")
    # an update file written before review 15 (a run resumed across the upgrade) has no strict keys: null, computed
    # from the text when a run needs one
    strict = "strict_key" if "strict_key" in pq.read_schema(add_path).names else "CAST(NULL AS VARCHAR)"
    con.execute(
        f"""INSERT INTO dedup_signatures (record_id, index_key, exact_key, n_shingles, signature, source_kind,
                   licence_id, version, length, run_id, created_at, buckets, strict_key)
           SELECT record_id, $k, exact_key, n_shingles, signature, source_kind, licence_id, version, length, $run,
                  now()::TIMESTAMP, buckets, {strict}
           FROM read_parquet($p)""",
        {"k": key, "run": run_id, "p": str(add_path)},
    )


def store_strict_keys(con, config: DedupConfig, keyed: list[list[str]]) -> None:
    """Store the strict keys ``[[record_id, key], ...]`` a run computed for indexed records that had none, or a stale
    one (another version of the key: each record's text is read for its key once per version,
    :mod:`curate.dedup.strict`)."""
    _store_keys(con, config, "strict_key", keyed)


def store_exact_keys(con, config: DedupConfig, path: str) -> None:
    """Store the exact keys, signatures and buckets a run computed again for indexed records whose key was bare or
    stale (the Parquet file ``path``; every such row of the index at once, :mod:`curate.dedup.exact`). A file written
    before review 17 (a run resumed across the upgrade) holds the keys only: the signatures stay, as they were then."""
    signed = "signature" in pq.read_schema(path).names
    sets = ", n_shingles = k.n_shingles, signature = k.signature, buckets = k.buckets" if signed else ""
    con.execute(
        f"UPDATE dedup_signatures SET exact_key = k.exact_key{sets} FROM read_parquet($p) k"
        " WHERE dedup_signatures.index_key = $k AND dedup_signatures.record_id = k.record_id",
        {"k": index_key(config), "p": path},
    )


def _store_keys(con, config: DedupConfig, column: str, keyed: list[list[str]]) -> None:
    if not keyed:
        return
    con.register("_dd_sk", pa.table({"record_id": [r for r, _ in keyed], "key": [k for _, k in keyed]}))
    try:
        con.execute(
            f"UPDATE dedup_signatures SET {column} = k.key FROM _dd_sk k"
            " WHERE dedup_signatures.index_key = $k AND dedup_signatures.record_id = k.record_id"
            f" AND dedup_signatures.{column} IS DISTINCT FROM k.key",
            {"k": index_key(config)},
        )
    finally:
        con.unregister("_dd_sk")
