-- Provenance: dataset exports, the records each contained, and withdrawals.
CREATE TABLE exports (
    export_seq      BIGINT PRIMARY KEY,      -- ledger seq of the export event (one row per export run)
    export_id       VARCHAR NOT NULL,        -- content id: same catalogue state + parameters => same id
    created_at      TIMESTAMP NOT NULL,
    purpose         VARCHAR NOT NULL,
    audience        VARCHAR NOT NULL,
    commercial      BOOLEAN NOT NULL,
    as_of           DATE NOT NULL,           -- date licences (expiry) were evaluated at
    format          VARCHAR NOT NULL,
    out_dir         VARCHAR,
    state_hash      VARCHAR NOT NULL,        -- last non-export ledger hash at export time
    manifest_sha256 VARCHAR NOT NULL,
    records         BIGINT NOT NULL,
    blocked         BIGINT NOT NULL,
    counts          JSON,                    -- {"licences": {...}, "blocked": {reason: n}}
    actor           VARCHAR,
    run_id          VARCHAR                  -- runs row of the export command
);
CREATE INDEX exports_id ON exports(export_id);

CREATE TABLE export_items (
    export_id       VARCHAR NOT NULL,
    record_id       VARCHAR NOT NULL,
    content_sha256  VARCHAR,
    licence_id      VARCHAR,
    PRIMARY KEY (export_id, record_id)
);
CREATE INDEX export_items_record ON export_items(record_id);

CREATE TABLE withdrawals (
    withdrawal_seq  BIGINT PRIMARY KEY,      -- ledger seq of the withdrawal event
    scope           VARCHAR NOT NULL,        -- source / record
    target          VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL,
    records         BIGINT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    actor           VARCHAR
);

-- Lineage lookups (derived versions of a record) for `curate audit record` and withdrawal.
CREATE INDEX records_version_of ON records(version_of);
