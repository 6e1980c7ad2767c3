-- Label Studio bridge: projects, pushed tasks (record version -> task), in-flight pushes, imported annotations.
CREATE TABLE annotation_projects (
    instance       VARCHAR NOT NULL,          -- Label Studio base URL
    bank           VARCHAR NOT NULL,
    project        VARCHAR NOT NULL,          -- proofread / pii / topic
    ls_project_id  BIGINT NOT NULL,
    title          VARCHAR NOT NULL,
    config_sha256  VARCHAR NOT NULL,          -- sha256 of the label config it was created with
    created_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (instance, bank, project)
);

-- One row per record version pushed to a bank's project; written only after Label Studio confirmed the task.
CREATE TABLE annotation_tasks (
    record_id      VARCHAR NOT NULL,
    doc_key        VARCHAR NOT NULL,
    bank           VARCHAR NOT NULL,
    project        VARCHAR NOT NULL,
    instance       VARCHAR NOT NULL,
    ls_project_id  BIGINT NOT NULL,
    ls_task_id     BIGINT NOT NULL,
    run_id         VARCHAR,
    pushed_at      TIMESTAMP NOT NULL,
    superseded_by  VARCHAR,                   -- record_id of the newer version whose task replaced this one
    superseded_at  TIMESTAMP,
    PRIMARY KEY (bank, project, record_id)
);
CREATE INDEX annotation_tasks_doc ON annotation_tasks(bank, project, doc_key);

-- Records sent in a batch Label Studio has not confirmed yet; reconciled by the next push.
CREATE TABLE annotation_push_pending (
    instance       VARCHAR NOT NULL,
    ls_project_id  BIGINT NOT NULL,
    bank           VARCHAR NOT NULL,
    project        VARCHAR NOT NULL,
    record_id      VARCHAR NOT NULL,
    batch_id       VARCHAR NOT NULL,
    started_at     TIMESTAMP NOT NULL
);

-- Completed annotations imported by `curate annotate pull` (once each).
CREATE TABLE annotations (
    instance        VARCHAR NOT NULL,
    ls_annotation_id BIGINT NOT NULL,
    ls_task_id      BIGINT NOT NULL,
    ls_project_id   BIGINT NOT NULL,
    bank            VARCHAR NOT NULL,
    project         VARCHAR NOT NULL,
    record_id       VARCHAR NOT NULL,
    annotator_id    BIGINT,                   -- Label Studio user id
    annotator_email_sha256 VARCHAR,           -- sha256 of the lower-cased e-mail, never the e-mail itself
    outcome         VARCHAR NOT NULL,         -- ok / fixed / reject / reviewed / labelled / cancelled / stale / invalid
    result          JSON,                     -- decisions (code-point offsets for spans)
    new_record_id   VARCHAR,                  -- version created from this annotation, if any
    annotated_at    TIMESTAMP,
    updated_at      TIMESTAMP,
    imported_at     TIMESTAMP NOT NULL,
    run_id          VARCHAR,
    PRIMARY KEY (instance, ls_annotation_id)
);
CREATE INDEX annotations_record ON annotations(record_id);
