-- Issue 13, leak 5: keyed record ids for sources marked pii_expected. `curate pii rekey` (needs the PII key)
-- rewrites the plain ids and digests of a catalogue made before keyed ids; this table keeps the old -> new
-- mapping so that `audit verify` can still read ledger rows written before the rekey (they hold the old ids:
-- the hash chain is never rewritten). Sealed: `curate sql` cannot read it (provenance/sqlguard.py), and the
-- ledger's `record_rekeyed` events carry only a keyed digest of each old id.
CREATE TABLE pii_rekey_map (
    old_id      VARCHAR PRIMARY KEY,
    new_id      VARCHAR NOT NULL,
    run_id      VARCHAR NOT NULL,          -- the `pii rekey` run
    rekeyed_at  TIMESTAMP NOT NULL
);
CREATE INDEX pii_rekey_map_new ON pii_rekey_map(new_id);
