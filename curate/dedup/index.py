"""The persistent dedup index beside the catalogue (tables of migration 0005).

Only accepted documents (cluster survivors) are indexed: their signatures and LSH band buckets.
A new batch looks up the indexed records that share an exact key or a bucket with it, and
clusters against those alone; records no longer ``active`` in the catalogue are ignored.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa

from curate.dedup.config import DedupConfig
from curate.dedup.engine import Signed
from curate.dedup.lsh import band_keys, has_shingles
from curate.dedup.survivor import Candidate

#: bump when the kernel's arithmetic changes (old signatures become incomparable)
KERNEL_VERSION = "masked32-v2"


def index_key(config: DedupConfig) -> str:
    """Identity of the signature-defining options; rows under another key are never compared.

    >>> index_key(DedupConfig()) == index_key(DedupConfig(threshold=0.8))
    True
    """
    blob = f"{KERNEL_VERSION}|{config.ngram}|{config.bands}|{config.rows}|{config.seed}"
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def lookup(con, config: DedupConfig, new: Signed) -> Signed:
    """Indexed, still active records sharing an exact key or an LSH bucket with ``new``."""
    key = index_key(config)
    active = has_shingles(new.nsh) if len(new) else np.zeros(0, dtype=bool)
    keys = (
        band_keys(new.sig[active], config.bands, config.rows) if active.any() else np.empty((0, config.bands), np.int64)
    )
    q = pa.table(
        {
            "band": pa.array(np.tile(np.arange(config.bands, dtype=np.int16), len(keys))),
            "bucket": pa.array(keys.reshape(-1)),
        }
    )
    qe = pa.table(
        {
            "exact_key": pa.array(sorted(set(new.exact)), type=pa.string()),
        }
    )
    qi = pa.table({"record_id": pa.array(new.ids, type=pa.string())})
    con.register("_dd_q", q)
    con.register("_dd_qe", qe)
    con.register("_dd_qi", qi)
    try:
        rows = con.execute(
            """
            WITH hit AS (
                SELECT b.record_id FROM dedup_buckets b JOIN _dd_q q ON b.band = q.band AND b.bucket = q.bucket
                WHERE b.index_key = $k
                UNION
                SELECT s.record_id FROM dedup_signatures s JOIN _dd_qe e ON s.exact_key = e.exact_key
                WHERE s.index_key = $k)
            SELECT s.record_id, s.exact_key, s.n_shingles, s.signature, s.source_kind, s.licence_id, s.version,
                   s.length, r.container
            FROM dedup_signatures s JOIN records r ON r.record_id = s.record_id AND r.status = 'active'
            WHERE s.index_key = $k AND s.record_id IN (SELECT record_id FROM hit)
              AND s.record_id NOT IN (SELECT record_id FROM _dd_qi)
            ORDER BY s.record_id""",
            {"k": key},
        ).fetchall()
    finally:
        for name in ("_dd_q", "_dd_qe", "_dd_qi"):
            con.unregister(name)
    k = config.num_perm
    sig = (
        np.frombuffer(b"".join(r[3] for r in rows), dtype="<i4").reshape(len(rows), k).astype(np.int32)
        if rows
        else np.empty((0, k), dtype=np.int32)
    )
    return Signed(
        ids=[r[0] for r in rows],
        exact=[r[1] for r in rows],
        sig=sig,
        nsh=np.array([r[2] for r in rows], dtype=np.int64),
        cands=[Candidate(r[0], r[4], r[5], r[6], r[7] or 0, r[8]) for r in rows],
    )


def update_table(signed: Signed, keep: np.ndarray) -> pa.Table:
    """Rows to add to the index: the kept documents of ``signed`` (as an Arrow table)."""
    idx = np.flatnonzero(keep)
    return pa.table(
        {
            "record_id": pa.array([signed.ids[i] for i in idx], type=pa.string()),
            "exact_key": pa.array([signed.exact[i] for i in idx], type=pa.string()),
            "n_shingles": pa.array(signed.nsh[idx].astype(np.int32)),
            "signature": pa.array([signed.sig[i].astype("<i4").tobytes() for i in idx], type=pa.binary()),
            "source_kind": pa.array([signed.cands[i].source_kind for i in idx], type=pa.string()),
            "licence_id": pa.array([signed.cands[i].licence_id for i in idx], type=pa.string()),
            "version": pa.array([signed.cands[i].version for i in idx], type=pa.string()),
            "length": pa.array([signed.cands[i].length for i in idx], type=pa.int32()),
            "document": pa.array([signed.cands[i].document for i in idx], type=pa.string()),
        }
    )


def apply_update(con, config: DedupConfig, add: pa.Table, remove: list[str], run_id: str) -> None:
    """Insert survivors (signatures + buckets) and drop records that stopped being survivors."""
    key = index_key(config)
    ids = list(remove) + add.column("record_id").to_pylist()
    if ids:
        con.register("_dd_rm", pa.table({"record_id": pa.array(ids, type=pa.string())}))
        con.execute(
            "DELETE FROM dedup_buckets WHERE index_key = $k AND record_id IN (SELECT record_id FROM _dd_rm)", {"k": key}
        )
        con.execute(
            "DELETE FROM dedup_signatures WHERE index_key = $k AND record_id IN (SELECT record_id FROM _dd_rm)",
            {"k": key},
        )
        con.unregister("_dd_rm")
    if add.num_rows == 0:
        return
    con.register("_dd_add", add)
    con.execute(
        """INSERT INTO dedup_signatures SELECT record_id, $k, exact_key, n_shingles, signature, source_kind,
                   licence_id, version, length, $run, now()::TIMESTAMP FROM _dd_add""",
        {"k": key, "run": run_id},
    )
    con.unregister("_dd_add")
    sig = np.frombuffer(b"".join(add.column("signature").to_pylist()), dtype="<i4").reshape(add.num_rows, -1)
    nsh = add.column("n_shingles").to_numpy()
    rows = np.flatnonzero(nsh > 0)
    if len(rows):
        keys = band_keys(sig[rows].astype(np.int32), config.bands, config.rows)
        rid = add.column("record_id").to_pylist()
        buckets = pa.table(
            {
                "band": pa.array(np.tile(np.arange(config.bands, dtype=np.int16), len(rows))),
                "bucket": pa.array(keys.reshape(-1)),
                "record_id": pa.array(
                    np.repeat(np.array([rid[i] for i in rows], dtype=object), config.bands), type=pa.string()
                ),
            }
        )
        con.register("_dd_b", buckets)
        con.execute("INSERT INTO dedup_buckets SELECT $k, band, bucket, record_id FROM _dd_b", {"k": key})
        con.unregister("_dd_b")
