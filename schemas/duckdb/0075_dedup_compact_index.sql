-- Issue 17: a compact dedup index without ART indexes.
-- The LSH bucket keys of an indexed record move into one list column of dedup_signatures
-- (`buckets[band + 1]` is the key of band `band`), instead of one dedup_buckets row per band that
-- repeated the record id and was kept under an ART index: at 400k records that table held 10M rows
-- and most of the catalogue. Lookups are hash joins over the unnested keys; no ART index is built,
-- so loading the index does not hold one in memory. dedup_buckets stays as a view of the same shape.
ALTER TABLE dedup_signatures ADD COLUMN buckets BIGINT[];
UPDATE dedup_signatures SET buckets = b.keys
FROM (SELECT index_key, record_id, list(bucket ORDER BY band) AS keys FROM dedup_buckets GROUP BY ALL) b
WHERE dedup_signatures.index_key = b.index_key AND dedup_signatures.record_id = b.record_id;
DROP INDEX dedup_buckets_key;
DROP TABLE dedup_buckets;
DROP INDEX dedup_signatures_id;
DROP INDEX dedup_signatures_exact;
CREATE VIEW dedup_buckets AS
SELECT index_key, CAST(generate_subscripts(buckets, 1) - 1 AS SMALLINT) AS band, unnest(buckets) AS bucket, record_id
FROM dedup_signatures;
