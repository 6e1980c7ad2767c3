-- The records whose results a stage run's load batch left out as stale (curate/load.py `_drop_stale`), so that
-- the run's statistics count what was loaded (`run_stats`: `in` without them, `stale` beside it) and not every
-- result the workers wrote. Written in the batch's transaction; a run's rows are deleted by its last
-- transaction, once its statistics are stored (a run with committed batches is never abandoned, and
-- `curate pii rekey` refuses while a run is unfinished: no plain id stays here). A table of its own, as
-- run_load_stale (0111).
CREATE TABLE run_load_stale_records (
    run_id     VARCHAR NOT NULL,
    record_id  VARCHAR NOT NULL
);
