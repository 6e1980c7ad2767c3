-- records without its primary key and without the records(version_of) index (issue 17: ingest near
-- DuckDB's bulk path, memory flat in corpus size).
--
-- Both were ART indexes of 64-character random strings. DuckDB loads such an index whole into memory at
-- the first insert into the table and never evicts it, and every insert pays for it: at 400k records an
-- insert into the keyed table took ~3x as long as into a plain one. Uniqueness of record_id is kept by
-- the one writer of versions (provenance.records.insert_versions: an anti-join on record_id, or a caller
-- that anti-joined the batch already), ids are digests of content, DuckDB admits one writing process per
-- catalogue file, and `curate audit verify` reports any id that appears twice (provenance.crosscheck).
-- Readers that looked a version up by key now read a record's versions by doc_key (one scan:
-- provenance.audit) or in sets (joins), which never used the indexes.
CREATE TABLE records_unkeyed (
    record_id     VARCHAR NOT NULL,
    doc_key       VARCHAR NOT NULL,
    source_id     VARCHAR NOT NULL,
    locator       VARCHAR NOT NULL,
    title         VARCHAR,
    text          VARCHAR,
    lang          VARCHAR,
    script        VARCHAR,
    licence_id    VARCHAR,
    version_of    VARCHAR,
    status        VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    metadata      JSON,
    stage         VARCHAR NOT NULL,
    content_sha256 VARCHAR,
    pii_state     VARCHAR,
    container     VARCHAR,
    near_duplicate_of VARCHAR
);
INSERT INTO records_unkeyed BY NAME SELECT * FROM records;
DROP INDEX records_version_of;
DROP TABLE records;
ALTER TABLE records_unkeyed RENAME TO records;
