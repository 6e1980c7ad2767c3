-- Review 15: the dedup index keeps each keyed record's strict key (curate/dedup/keys.py:strict_key, the hex digest
-- that splits an exact group: `1.5%` and `15%` share the normalised key, not this one). A run computed it from the
-- text of every member of every exact group its new records joined, so a form letter pasted into every batch made
-- each run read its whole cluster's texts again (quadratic over runs). NULL where none was computed yet (a record
-- indexed alone, or before this migration): a run reads that record's text once and stores the key
-- (curate/dedup/strict.py). A digest of the text, as exact_key is: dropped with the row when the row is. Stored as
-- `<version>:<digest>` (curate/dedup/keys.py:strict_key_version: its rules, the Unicode database, the fold table); a
-- key under another version is stale and is computed again from the text.
ALTER TABLE dedup_signatures ADD COLUMN strict_key VARCHAR;
