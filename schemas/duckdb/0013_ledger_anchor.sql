-- Ledger hash format 2 (issue 12): NULL and '' hash differently in run_id, record_id, detail and actor.
-- Events from `from_seq` on are hashed with format 2, older ones keep format 1. Changing this row
-- is detected: every event then fails under the other format.
CREATE TABLE ledger_format (
    version   INTEGER PRIMARY KEY,
    from_seq  BIGINT NOT NULL
);
INSERT INTO ledger_format SELECT 2, coalesce(max(seq), 0) + 1 FROM provenance_events;
-- Each run records the ledger head (seq, hash) when it finished, so `runs` anchors the chain:
-- deleting the newest events leaves runs pointing past the end (`curate audit verify`).
ALTER TABLE runs ADD COLUMN ledger_seq BIGINT;
ALTER TABLE runs ADD COLUMN ledger_hash VARCHAR;
