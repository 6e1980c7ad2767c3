-- stage_marks without its primary key (issue 17: memory flat in corpus size).
--
-- The key (record_id, stage, config_hash) was an ART index of long strings that DuckDB keeps in memory
-- whole once an insert touches it: ~4 rows per record after four stages, the largest part of a stage
-- load's memory that grew with the catalogue. Nothing reads stage_marks by key: a run selects its input
-- with an anti-join (`NOT EXISTS ... stage_marks`), and the one writer per stage run inserts a record's
-- mark in the same transaction as the record's results, once (`run_load_batches` skips committed
-- batches on resume). tests/test_runner_resume.py checks that no mark is ever written twice.
CREATE TABLE stage_marks_unkeyed (
    record_id     VARCHAR NOT NULL,
    stage         VARCHAR NOT NULL,
    config_hash   VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,
    outcome       VARCHAR
);
INSERT INTO stage_marks_unkeyed SELECT record_id, stage, config_hash, run_id, outcome FROM stage_marks;
DROP TABLE stage_marks;
ALTER TABLE stage_marks_unkeyed RENAME TO stage_marks;
