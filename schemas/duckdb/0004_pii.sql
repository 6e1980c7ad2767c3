-- PII: raw text of records that have a scrubbed successor, encrypted at rest (AES-GCM).
-- records.text of such rows is NULL; only the pipeline with the key (CURATE_PII_KEY /
-- CURATE_PII_KEY_FILE) can read it back (curate.pii.vault.read_raw).
CREATE TABLE raw_vault (
    record_id     VARCHAR PRIMARY KEY,
    nonce         BLOB NOT NULL,
    ciphertext    BLOB NOT NULL,             -- AES-256-GCM, associated data = record_id
    key_id        VARCHAR NOT NULL,          -- fingerprint of the key (not the key)
    sealed_at     TIMESTAMP NOT NULL
);
