-- Result batches of a stage run already loaded into the catalogue (curate/load.py). Each batch of at
-- most CURATE_LOAD_BATCH result rows commits on its own together with its row here, so a run killed
-- during its load resumes after its last committed batch and sums its counts from these rows.
--   batch  '<results file>:<n>' (the n-th batch of that file; the cut is the same on every resume)
CREATE TABLE run_load_batches (
    run_id          VARCHAR NOT NULL,
    batch           VARCHAR NOT NULL,
    results         BIGINT NOT NULL,
    new_versions    BIGINT NOT NULL,
    status_changes  BIGINT NOT NULL,
    events          BIGINT NOT NULL,
    loaded_at       TIMESTAMP NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, batch)
);
