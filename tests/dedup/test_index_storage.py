"""The dedup index's storage (migration 0075): bucket keys in one list column, no ART index, the old
one-row-per-band table converted, and the index's rows written and read through Arrow buffers."""

from __future__ import annotations

import numpy as np
from catalogue_builder import catalogue_before

from curate.dedup.config import DedupConfig
from curate.dedup.engine import sign
from curate.dedup.index import buckets_array, sig_array, sig_matrix
from curate.dedup.lsh import band_keys
from provenance import db


def test_migration_moves_bucket_rows_into_the_signature_row(tmp_path):
    con = catalogue_before(tmp_path / "old.duckdb", 75)
    con.execute(
        "INSERT INTO dedup_signatures VALUES ('r1', 'k', 'e1', 3, '\\x00'::BLOB, NULL, NULL, NULL, 1, 'run',"
        " now()), ('r2', 'k', 'e2', 0, '\\x00'::BLOB, NULL, NULL, NULL, 1, 'run', now())"
    )
    con.execute("INSERT INTO dedup_buckets VALUES ('k', 1, 11, 'r1'), ('k', 0, 10, 'r1'), ('k', 2, -12, 'r1')")
    assert 75 in db.migrate(con)
    assert con.execute("SELECT record_id, buckets FROM dedup_signatures ORDER BY 1").fetchall() == [
        ("r1", [10, 11, -12]),
        ("r2", None),
    ]
    rows = con.execute("SELECT index_key, band, bucket, record_id FROM dedup_buckets ORDER BY band").fetchall()
    assert rows == [("k", 0, 10, "r1"), ("k", 1, 11, "r1"), ("k", 2, -12, "r1")]
    assert con.execute("SELECT count(*) FROM duckdb_indexes() WHERE table_name LIKE 'dedup_%'").fetchone()[0] == 0
    con.close()


def test_signature_and_bucket_columns_round_trip_through_arrow():
    from curate.dedup.engine import DedupDoc

    cfg = DedupConfig()
    signed = sign(
        [DedupDoc(str(i), f"第{i}條 銀行應依法辦理存款業務及放款業務{i}") for i in range(5)] + [DedupDoc("e", "")], cfg
    )
    col = sig_array(signed.sig)
    assert np.array_equal(sig_matrix(col, cfg.num_perm), signed.sig)
    assert np.array_equal(sig_matrix(col.slice(2, 3), cfg.num_perm), signed.sig[2:5])
    # a variable-length binary column (older side files) reads the same
    assert np.array_equal(sig_matrix(col.cast("binary"), cfg.num_perm), signed.sig)
    b = buckets_array(signed.sig, signed.nsh, cfg).to_pylist()
    assert b[-1] is None  # no shingles: never in a bucket
    assert b[:5] == band_keys(signed.sig[:5], cfg.bands, cfg.rows).tolist()
