-- Members of verdict batches (provenance/verdicts.py). A stage that leaves a record's text as it is still
-- decides about it (normalise: its script; the PII stage: nothing personal found). Instead of one ledger event
-- per record, each load batch appends one `verdict_batch` event (its detail: the per-record action, how many
-- members, and the sha256 over the members' `record_id:verdict:detail` lines in `pos` order) and one row
-- here per member. `curate audit verify` recomputes every batch's count and digest from these rows, so a row
-- added, removed or edited after the fact is caught. Append-only, like the ledger.
--   batch_seq  the seq of the batch's `verdict_batch` event in provenance_events
--   pos        the member's position in its batch (the load's result order; rows are inserted in it)
--   verdict    the value the decision set: records.script for `script_detected`, records.pii_state ('clean')
--              for `pii_checked`
--   detail     the stage's per-record detail (canonical JSON), as a per-record event carried it
CREATE TABLE verdict_members (
    batch_seq  BIGINT NOT NULL,
    pos        BIGINT NOT NULL,
    record_id  VARCHAR NOT NULL,
    verdict    VARCHAR NOT NULL,
    detail     VARCHAR
);
