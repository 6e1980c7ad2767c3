"""The ingest's tuning settings from the environment, checked before an ingest changes anything."""

from __future__ import annotations

import os

from provenance.envsettings import env_int, env_size

#: DuckDB buffer pool cap while ingesting (peak memory independent of catalogue size); JSON parsing on the
#: set-based path allocates outside the pool, so the cap leaves room for it under ~1 GiB of process memory.
#: ``CURATE_INGEST_MEMORY`` overrides it (1M articles: 1GB took 40.2 s / 1.27 GiB against 42.9 s / 0.76 GiB)
INGEST_MEMORY_LIMIT = "512MB"


def ingest_memory_limit() -> str:
    """``$CURATE_INGEST_MEMORY`` (checked), else :data:`INGEST_MEMORY_LIMIT`."""
    return env_size("CURATE_INGEST_MEMORY", INGEST_MEMORY_LIMIT)


def ingest_threads() -> int:
    """DuckDB threads while ingesting: ``$CURATE_INGEST_THREADS``, else half the cores (at least one): on 2 cores
    one thread parsed 100k articles in 40-50 % less CPU and time than two (docs/benchmarks.md, issue 17). The
    set-based path raises it to every core for what parallelises (its hashing and batch inserts)."""
    return env_int("CURATE_INGEST_THREADS", max(1, (os.cpu_count() or 2) // 2), unit="threads")


def checked() -> tuple[str, int]:
    """Every setting an ingest reads, read once up front (a bad one is a ConfigError); returns the DuckDB cap
    and threads."""
    from curate.ingest_fast import bulk_batch_records, enabled
    from provenance.db import checkpoint_threshold
    from sources.capped import max_record_chars
    from sources.law_moj_bulk import bulk_min_bytes

    for read in (enabled, bulk_batch_records, max_record_chars, bulk_min_bytes, checkpoint_threshold):
        read()
    return ingest_memory_limit(), ingest_threads()
