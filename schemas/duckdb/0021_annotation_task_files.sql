-- Label Studio task files written for a manual import (`curate annotate push --output FILE`): the
-- path only, so that `curate pii scan` checks the file while it exists (no decision, no text).
CREATE TABLE annotation_task_files (
    path        VARCHAR NOT NULL,          -- absolute path of the JSON file
    bank        VARCHAR NOT NULL,
    project     VARCHAR NOT NULL,
    tasks       BIGINT NOT NULL,
    written_at  TIMESTAMP NOT NULL
);
