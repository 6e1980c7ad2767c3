-- Statistics of each run, one number per (metric, key): filled by the stage runner inside its load
-- transaction (curate/stats.py) and printed by `curate runs show RUN` and the curation report.
--   metric 'records'  keys in / out / dropped / rewritten / flagged / events / results
--   metric 'bytes'    keys in / out (UTF-8 bytes of the input texts and of the new versions' texts)
--   metric 'seconds'  keys snapshot / execute / finalize / load / total
--   metric 'outcome'  per stage outcome; 'action' per ledger action
--   stage metrics: hygiene 'change'; pii 'entity', 'entity_by_source'; normalise 'edit', 'flag';
--   dedup 'rule', 'match', 'cluster_size', 'kept_by_policy' (near-duplicate pairs kept), 'cluster' (counters)
CREATE TABLE run_stats (
    run_id   VARCHAR NOT NULL,
    stage    VARCHAR NOT NULL,
    metric   VARCHAR NOT NULL,
    key      VARCHAR NOT NULL,
    value    DOUBLE NOT NULL,
    PRIMARY KEY (run_id, metric, key)
);
