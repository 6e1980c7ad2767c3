-- Tasks of records withdrawn after they were pushed (review 5, annotation #2): the next `curate annotate push` or
-- `pull` of the bank deletes each such task in Label Studio if nobody annotated it (annotation/retract.py), and
-- marks it here either way (one `task_retracted` event each); `curate audit withdrawn` lists what is left there.
ALTER TABLE annotation_tasks ADD COLUMN retracted_at TIMESTAMP;
ALTER TABLE annotation_tasks ADD COLUMN task_deleted BOOLEAN;
