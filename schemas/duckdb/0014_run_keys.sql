-- Per-run MAC keys (issue 12 §3): stage workers sign each results file with their run's key and the
-- loader refuses a file without a valid MAC. Sealed: never readable through `curate sql` (provenance/sqlguard.py);
-- a run's key is deleted when its load commits or it is abandoned.
CREATE TABLE run_keys (
    run_id      VARCHAR PRIMARY KEY,
    key         BLOB NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
