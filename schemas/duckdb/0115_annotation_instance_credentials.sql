-- Label Studio instance keys without credentials (review 8): a LABEL_STUDIO_URL with `user:password@` in it was
-- stored as the instance key of projects, tasks, pending pushes, annotations and pull cursors, readable through
-- `curate sql`; the key is now the URL without them (annotation/config.py `instance`). Rewriting the stored keys
-- keeps projects pushed before pullable under the same LABEL_STUDIO_URL. A key whose credential-free form is
-- already there (the same instance pushed to with and without credentials) is left as it was rather than merged.
-- Ledger events written before keep the URL they recorded (the chain is not rewritten): change that password.
UPDATE annotation_projects p SET instance = regexp_replace(p.instance, '^([A-Za-z][A-Za-z0-9+.-]*://).*@', '\1')
WHERE p.instance LIKE '%@%' AND NOT EXISTS (
    SELECT 1 FROM annotation_projects q
    WHERE q.instance = regexp_replace(p.instance, '^([A-Za-z][A-Za-z0-9+.-]*://).*@', '\1')
      AND q.bank = p.bank AND q.project = p.project
);
UPDATE annotation_tasks SET instance = regexp_replace(instance, '^([A-Za-z][A-Za-z0-9+.-]*://).*@', '\1')
WHERE instance LIKE '%@%';
UPDATE annotation_push_pending SET instance = regexp_replace(instance, '^([A-Za-z][A-Za-z0-9+.-]*://).*@', '\1')
WHERE instance LIKE '%@%';
UPDATE annotations a SET instance = regexp_replace(a.instance, '^([A-Za-z][A-Za-z0-9+.-]*://).*@', '\1')
WHERE a.instance LIKE '%@%' AND NOT EXISTS (
    SELECT 1 FROM annotations b
    WHERE b.instance = regexp_replace(a.instance, '^([A-Za-z][A-Za-z0-9+.-]*://).*@', '\1')
      AND b.ls_annotation_id = a.ls_annotation_id
);
UPDATE annotation_pull_cursor c SET instance = regexp_replace(c.instance, '^([A-Za-z][A-Za-z0-9+.-]*://).*@', '\1')
WHERE c.instance LIKE '%@%' AND NOT EXISTS (
    SELECT 1 FROM annotation_pull_cursor d
    WHERE d.instance = regexp_replace(c.instance, '^([A-Za-z][A-Za-z0-9+.-]*://).*@', '\1')
      AND d.ls_project_id = c.ls_project_id
);
