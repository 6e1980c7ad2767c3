-- Licence holds on the file, not on record ids (review r5 of review r4 docs #3): 0112 held a disputed file's active
-- records by record_id, so a stage run's or an annotation pull's new version (a new id), a record withdrawn during
-- the dispute and reinstated later, and a hold row whose record_id was rewritten all escaped the hold. Now one row
-- per held file (`container`, as records.container stores it, pseudonymised); every record of that container is
-- held from export and annotation push (provenance/holds.py), and `audit verify` compares each row with its
-- file's newest licence_disputed / licence_dispute_released event (run, time and count). A table of its own,
-- filled from 0112's rows, then renamed (no ALTER of a table with a `DEFAULT now()` column).
CREATE TABLE licence_holds_by_file (
    container  VARCHAR NOT NULL,   -- the file (`source:path`, pseudonymised like records.container)
    records    BIGINT NOT NULL,    -- its records (active or withdrawn) when held
    run_id     VARCHAR,            -- the ingest run that held it
    held_at    TIMESTAMP NOT NULL
);
INSERT INTO licence_holds_by_file
    SELECT container, count(*), min(run_id), min(held_at) FROM licence_holds GROUP BY container;
DROP TABLE licence_holds;
ALTER TABLE licence_holds_by_file RENAME TO licence_holds;
