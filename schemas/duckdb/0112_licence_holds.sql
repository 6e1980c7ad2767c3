-- Records held from export while the manifest rows for their file disagree (review r4 docs #3): an ingest whose rows
-- for one file are all rejected as conflicting holds that file's active records (one `licence_disputed` event per
-- record, provenance/holds.py); a later ingest whose rows for the file agree again deletes the rows (one
-- `licence_dispute_released` event per record). The export decision (provenance/_selection.py) blocks a held record
-- with reason `licence_disputed`. A table of its own (no ALTER of a table with a `DEFAULT now()` column).
CREATE TABLE licence_holds (
    record_id  VARCHAR NOT NULL,
    container  VARCHAR NOT NULL,   -- the file (`source:path`, pseudonymised like records.container)
    run_id     VARCHAR,            -- the ingest run that held it
    held_at    TIMESTAMP NOT NULL
);
