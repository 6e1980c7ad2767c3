-- Issue 14: near duplicates that the per-source dedup policy keeps active (e.g. parallel provisions of
-- different laws). One link per member, pointing at its cluster's representative (never all pairs).
-- records.near_duplicate_of is the derived column a training export reads (--drop-near-duplicates);
-- near_duplicates keeps the link with its Jaccard and the run that made it.
ALTER TABLE records ADD COLUMN near_duplicate_of VARCHAR;
CREATE TABLE near_duplicates (
    record_id       VARCHAR NOT NULL,
    representative  VARCHAR NOT NULL,
    jaccard         DOUBLE,
    match           VARCHAR,               -- exact | near
    run_id          VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX near_duplicates_record ON near_duplicates(record_id);
