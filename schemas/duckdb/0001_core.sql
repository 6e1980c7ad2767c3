-- Core catalogue: runs, sources, records, provenance ledger, quarantine, stage marks.
CREATE TABLE runs (
    run_id        VARCHAR PRIMARY KEY,
    command       VARCHAR NOT NULL,
    config_hash   VARCHAR NOT NULL,
    code_version  VARCHAR NOT NULL,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    status        VARCHAR NOT NULL,          -- running / finished / failed
    schema_version INTEGER,
    params        JSON,
    counts        JSON
);

CREATE TABLE sources (
    source_id     VARCHAR PRIMARY KEY,       -- e.g. law_moj, textbooks:9789571234567
    kind          VARCHAR NOT NULL,          -- registry name of the ingestor
    title         VARCHAR,
    origin        VARCHAR,                   -- URL, file or manifest it came from
    licence_id    VARCHAR,
    pii_expected  BOOLEAN DEFAULT FALSE,
    metadata      JSON,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE records (
    record_id     VARCHAR PRIMARY KEY,       -- sha256 of source + locator + text (+ version metadata)
    doc_key       VARCHAR NOT NULL,          -- stable identity of the logical item across versions
    source_id     VARCHAR NOT NULL,
    locator       VARCHAR NOT NULL,
    title         VARCHAR,
    text          VARCHAR,
    lang          VARCHAR,
    script        VARCHAR,                   -- traditional / simplified / mixed / neutral / NULL (unknown)
    licence_id    VARCHAR,
    version_of    VARCHAR,                   -- record_id this version replaces
    status        VARCHAR NOT NULL,          -- active / superseded / duplicate / withdrawn
    run_id        VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    metadata      JSON,
    stage         VARCHAR NOT NULL,          -- ingest / hygiene / normalise / pii / annotation ...
    content_sha256 VARCHAR,                  -- sha256 of text
    pii_state     VARCHAR                    -- NULL unchecked / clean / scrubbed / raw
);

-- Append-only, hash-chained ledger (see provenance/ledger.py for the hash definition).
CREATE TABLE provenance_events (
    seq           BIGINT PRIMARY KEY,
    event_id      VARCHAR NOT NULL,
    run_id        VARCHAR,
    record_id     VARCHAR,
    stage         VARCHAR NOT NULL,
    action        VARCHAR NOT NULL,
    detail        JSON,
    created_at    TIMESTAMP NOT NULL,
    actor         VARCHAR,
    prev_hash     VARCHAR NOT NULL,
    hash          VARCHAR NOT NULL
);

CREATE TABLE quarantine (
    run_id        VARCHAR NOT NULL,
    source_id     VARCHAR,
    locator       VARCHAR,
    reason        VARCHAR NOT NULL,
    excerpt       VARCHAR,
    stage         VARCHAR,
    created_at    TIMESTAMP NOT NULL
);

-- Which record versions a stage has already processed under which config (re-runs skip them).
CREATE TABLE stage_marks (
    record_id     VARCHAR NOT NULL,
    stage         VARCHAR NOT NULL,
    config_hash   VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,
    outcome       VARCHAR,
    PRIMARY KEY (record_id, stage, config_hash)
);

-- Group of records one input item fully describes (e.g. every article of one law, one language).
ALTER TABLE records ADD COLUMN container VARCHAR;
