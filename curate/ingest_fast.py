"""The set-based ingest path: files a source lets DuckDB read and map in SQL.

A source may offer ``iter_raw_bulk()``: :meth:`~sources.base.Source.iter_raw` with some input files
given whole, as objects with ``load(con, tmp_dir)`` (stage the file's records: the temp view ``_blv`` in
the writer's columns, and the temp table ``_blr``, one row per record with at least ``law_i``) and
``fallback()`` (the Python path's raw items of that file). The law.moj source does
(:mod:`sources.law_moj_bulk`). The records then go through the same writer as the Python path
(:meth:`curate.ingest._Ingestor._write_batch`: ids by ``INGEST_RECORD_ID_SQL``, versions,
removals, one ``ingested_batch`` event per batch), in batches of whole laws of up to
:data:`BULK_BATCH_RECORDS` records, each batch one transaction (a kill -9 loses at most the
batch in flight; the rerun skips what is in, ids being content-derived).

``CURATE_INGEST_FAST=0`` turns the path off (every file through the Python path). A file the
SQL cannot map exactly as the Python path would is declined and taken by the Python path whole.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from provenance.envsettings import env_int, env_switch
from sources.base import Notice, RawItem, Rejection, Skip, Source

log = logging.getLogger(__name__)

#: records per transaction on the set-based path (whole laws; DuckDB writes full row groups directly)
#: (``CURATE_INGEST_BULK_BATCH`` overrides it)
BULK_BATCH_RECORDS = 250_000
#: the columns the generic writer reads (``k_id``/``k_sha``: ids and digests the source computed already)
_COLUMNS = (
    "version_meta, doc_key, source_id, locator, title, text, lang, licence_id, metadata, container, as_of, k_id, k_sha"
)


def enabled() -> bool:
    """The set-based path is on unless ``CURATE_INGEST_FAST=0`` (checked: ``off``, ``false``, ``no`` too)."""
    return env_switch("CURATE_INGEST_FAST", True)


def items(source: Source) -> Iterator[Any]:
    """The source's raw items, with whole files where the source offers the set-based path."""
    bulk = getattr(source, "iter_raw_bulk", None)
    if bulk is not None and enabled():
        return bulk()
    return source.iter_raw()


def is_bulk(item: Any) -> bool:
    """A whole file for :func:`ingest_bulk` (not a raw item, rejection, skip or notice)."""
    return not isinstance(item, RawItem | Rejection | Skip | Notice) and hasattr(item, "load")


def ingest_bulk(ing: Any, item: Any) -> bool:
    """Ingest one whole file in SQL; False (nothing written) when the Python path must take it.

    ``ing`` is the running :class:`curate.ingest._Ingestor` (its writer, report, guard and progress).
    """
    con = ing.con
    from sources import law_moj_bulk

    try:
        with tempfile.TemporaryDirectory(prefix="curate-ingest-") as tmp:
            loaded = item.load(con, Path(tmp))
        if not loaded.ok:
            log.info("ingest: %s takes the Python path (%s)", getattr(item, "path", item), loaded.declined)
            return False
        # ids hold personal values pseudonymised (curate.pii.identifiers): the SQL path builds ids only of
        # a PCODE and a short article number; a container the guard would change sends the file back
        all_types = bool(ing.pii_sources)
        if any(ing.guard(c, all_types=all_types) != c for c in loaded.containers):
            log.info("ingest: %s takes the Python path (identifiers to pseudonymise)", item.path)
            return False
        if ing.canary and law_moj_bulk.holds_any(con, ing.canary.needles):  # the Python path quarantines those records
            log.info("ingest: %s takes the Python path (a record holds the PII key)", item.path)
            return False
        if loaded.on_written is not None:
            loaded.on_written()
        rep = ing.report
        in_scope = loaded.items - len(loaded.skips) - len(loaded.bare)  # each skip counts as an item read below
        rep.raw_items += in_scope
        if ing.progress:
            ing.progress(in_scope)
        for loc, reason in (*loaded.skips, *loaded.bare):
            ing._handle_raw(Skip(loc, reason, source_id=getattr(item, "source_id", None)))
        for lo, hi, n in _batches(con):
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW _bli AS SELECT {_COLUMNS} FROM _blv WHERE law_i BETWEEN {lo} AND {hi}"
            )
            containers = [r[0] for r in con.execute("SELECT DISTINCT container FROM _bli").fetchall()]
            ing._write_batch("_bli", n, containers, distinct_ids=True)
            rep.records_seen += n
        return True
    finally:
        con.execute("DROP VIEW IF EXISTS _bli")
        law_moj_bulk.drop_temp(con)


def bulk_batch_records() -> int:
    """``$CURATE_INGEST_BULK_BATCH`` (checked), else :data:`BULK_BATCH_RECORDS`."""
    return env_int("CURATE_INGEST_BULK_BATCH", BULK_BATCH_RECORDS, unit="records")


def _batches(con) -> Iterator[tuple[int, int, int]]:
    """``(first law, last law, records)`` of each batch: whole laws, up to BULK_BATCH_RECORDS records."""
    limit = bulk_batch_records()
    lo = hi = None
    n = 0
    for law_i, cnt in con.execute("SELECT law_i, count(*) FROM _blr GROUP BY law_i ORDER BY law_i").fetchall():
        if lo is not None and n + cnt > limit:
            yield lo, hi, n
            lo, n = None, 0
        if lo is None:
            lo = law_i
        hi = law_i
        n += cnt
    if lo is not None:
        yield lo, hi, n
