-- PII: names found after a field label (受處分人, 負責人 ...) in one record of a source are scrubbed in
-- every record of that source (curate.pii.source_names). The names are personal data: kept only
-- encrypted (AES-GCM with the vault key, associated data = source_id + digest), found by keyed digest.
CREATE TABLE pii_source_names (
    source_id     VARCHAR NOT NULL,
    digest        VARCHAR NOT NULL,          -- keyed HMAC of the name (PiiKey.digest('PERSON', name))
    nonce         BLOB NOT NULL,
    ciphertext    BLOB NOT NULL,
    key_id        VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,          -- run that found it first
    created_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (source_id, digest)
);
