-- export_items without its primary key (export_id, record_id) and its record_id index (issue 17: memory
-- flat in corpus size).
--
-- Both were ART indexes of random strings, loaded whole into memory at the first insert and never
-- evicted, growing with every export ever made: at 400k records an export's commit ran out of the
-- 128 MB cap. The one writer (provenance.export._insert_export_items) adds an export's items once
-- (none when the export_id has them already) from a manifest of distinct record ids, and
-- `curate audit verify` reports an (export_id, record_id) pair that appears twice (provenance.crosscheck).
-- Readers select by export_id (verify_export) or join (rekey), which scan either way.
CREATE TABLE export_items_unkeyed (
    export_id       VARCHAR NOT NULL,
    record_id       VARCHAR NOT NULL,
    content_sha256  VARCHAR,
    licence_id      VARCHAR
);
INSERT INTO export_items_unkeyed BY NAME SELECT * FROM export_items;
DROP INDEX export_items_record;
DROP TABLE export_items;
ALTER TABLE export_items_unkeyed RENAME TO export_items;
