-- Withdrawal sticks (issue 12 §6): a withdrawn source or document stays withdrawn for records ingested later,
-- until `curate provenance reinstate ... --reason` (a ledger event and a row here) lifts it.
CREATE TABLE reinstatements (
    reinstatement_seq BIGINT PRIMARY KEY,    -- ledger seq of the reinstatement event
    scope           VARCHAR NOT NULL,        -- source / record
    target          VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL,
    records         BIGINT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    actor           VARCHAR
);
