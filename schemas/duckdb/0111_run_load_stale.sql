-- Results a stage run's load batch left out because their record changed after the run's snapshot
-- (curate/load.py `_drop_stale`: superseded, marked duplicate or renamed by an ingest, another stage or a rekey
-- in between). They are counted in their batch's `run_load_batches.results` too (the rows a resumed load skips
-- by); the next run of the stage takes the record's current version. One row per batch that left any out, in the
-- batch's transaction. (A table of its own: DuckDB 1.5 cannot replay an ALTER TABLE of run_load_batches, whose
-- `loaded_at` has a default, from the WAL.)
CREATE TABLE run_load_stale (
    run_id  VARCHAR NOT NULL,
    batch   VARCHAR NOT NULL,
    stale   BIGINT NOT NULL
);
