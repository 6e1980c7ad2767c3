-- PII review (issue 16): the per-source allow-list fed by 非個資 verdicts, and incremental pull cursors.
-- Values are never stored: `digest` is the keyed HMAC of (entity type, value) under the PII key (key_id).
CREATE TABLE pii_allowlist (
    entry_id         VARCHAR PRIMARY KEY,      -- sha256 of source, type, digest, annotation
    source_id        VARCHAR NOT NULL,
    entity_type      VARCHAR NOT NULL,
    digest           VARCHAR NOT NULL,
    key_id           VARCHAR NOT NULL,
    bank             VARCHAR NOT NULL,
    annotator        VARCHAR NOT NULL,         -- ledger actor: bank/ls-user:ID/sha256(e-mail)
    record_id        VARCHAR NOT NULL,         -- the record whose span was judged 非個資
    ls_annotation_id BIGINT,
    created_at       TIMESTAMP NOT NULL,
    revoked_at       TIMESTAMP,
    revoked_by       VARCHAR,
    revoke_reason    VARCHAR
);
CREATE INDEX pii_allowlist_lookup ON pii_allowlist(source_id, digest);

-- Where the last pull of a project stopped: annotations updated at or before `updated_at` were seen.
CREATE TABLE annotation_pull_cursor (
    instance       VARCHAR NOT NULL,
    ls_project_id  BIGINT NOT NULL,
    updated_at     TIMESTAMP,
    max_annotation_id BIGINT,
    pulled_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (instance, ls_project_id)
);
