-- Persistent dedup index: MinHash signatures and LSH band buckets of accepted (surviving) records,
-- so a new ingest is deduplicated against the corpus without recomputing it (curate/dedup/index.py).
-- Rows are keyed by the signature-defining options (index_key: ngram, bands, rows, seed, kernel).
CREATE TABLE dedup_signatures (
    record_id     VARCHAR NOT NULL,
    index_key     VARCHAR NOT NULL,
    exact_key     VARCHAR NOT NULL,          -- digest of the normalised, script-folded text
    n_shingles    INTEGER NOT NULL,
    signature     BLOB NOT NULL,             -- int32 little-endian x (bands * rows)
    source_kind   VARCHAR,
    licence_id    VARCHAR,
    version       VARCHAR,
    length        INTEGER,
    run_id        VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX dedup_signatures_id ON dedup_signatures(index_key, record_id);
CREATE INDEX dedup_signatures_exact ON dedup_signatures(index_key, exact_key);

CREATE TABLE dedup_buckets (
    index_key     VARCHAR NOT NULL,
    band          SMALLINT NOT NULL,
    bucket        BIGINT NOT NULL,
    record_id     VARCHAR NOT NULL
);
CREATE INDEX dedup_buckets_key ON dedup_buckets(index_key, band, bucket);
