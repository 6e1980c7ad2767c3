-- Files held from export while the manifest rows for them disagree (review r4 docs #3): an ingest whose rows for one
-- file are all rejected as conflicting holds that file (one row per `container`, as records.container stores it,
-- pseudonymised; one `licence_disputed` event with its count); every record of that container, whatever its id or
-- later versions, is held from export (provenance/_selection.py, reason `licence_disputed`) and from annotation push.
-- A later ingest whose rows for the file agree again deletes the row (one `licence_dispute_released` event).
-- `audit verify` compares each row with its file's newest hold/release event (run, time and count). A table of its
-- own (no ALTER of a table with a `DEFAULT now()` column).
CREATE TABLE licence_holds (
    container  VARCHAR NOT NULL,   -- the file (`source:path`, pseudonymised like records.container)
    records    BIGINT NOT NULL,    -- its records (active or withdrawn) when held
    run_id     VARCHAR,            -- the ingest run that held it
    held_at    TIMESTAMP NOT NULL
);
