"""A batch's rows on their way into ``records``: stored metadata JSON, Unicode checks, keyed ids and digests
(``pii_expected`` sources), and the temp tables that stage a batch against the catalogue (:func:`stage_new`);
before any of it, :func:`check_source_kinds` (a source id has the documented form and is never taken over by another
kind of source).
Used by :mod:`curate.ingest` (the driver) and its set-based path."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from typing import TYPE_CHECKING, Any

import duckdb

from provenance.errors import ConfigError, UsageError
from provenance.records import INGEST_RECORD_ID_SQL
from sources.base import Record, SourceInfo
from sources.dates import iso_date

if TYPE_CHECKING:
    import pyarrow as pa

    from curate.pii.identifiers import IdentifierGuard


#: quarantine reason of a raw item whose shape made the source fail (a number where text belongs)
REASON_MALFORMED = "malformed item (unexpected field type or shape)"
#: quarantine reason of a record that is not valid Unicode
REASON_INVALID_UNICODE = "not valid Unicode (lone surrogate)"


#: identifiers, and metadata keys that hold file or folder names (a manifest row's file and manifest, MODA's
#: ``dataset_key``: the folder name its doc keys hold), pseudonymised at ingest
GUARDED_FIELDS = ("doc_key", "locator", "container")
GUARDED_METADATA = ("file", "manifest", "dataset_key")


def guarded_ids(guard: IdentifierGuard, rec: Record, *, all_types: bool, keyed: Any = None) -> Record:
    """``rec`` with personal values in its ids and file names pseudonymised (see curate.pii.identifiers).

    ``keyed``: the keyed ids of a ``pii_expected`` source; a manifest row's file digest is keyed like the text's.
    """
    new: dict[str, Any] = {f: guard(getattr(rec, f), all_types=all_types) for f in GUARDED_FIELDS if getattr(rec, f)}
    meta = rec.metadata or {}
    names = guarded_names(guard, meta, all_types=all_types)
    sha = meta.get("file_sha256") if all_types and keyed is not None else None
    if isinstance(sha, str):
        names["file_sha256"] = keyed.file_digest(sha)
    folder = meta.get("manifest_folder") if all_types and keyed is not None else None
    if isinstance(folder, str):  # a digest of a path that may name a customer: keyed as the file's digest is
        names["manifest_folder"] = keyed.folder_digest(folder)
    if any(meta[k] != v for k, v in names.items()):
        new["metadata"] = {**meta, **names}
    if all(new[f] == getattr(rec, f) for f in new):
        return rec
    return dataclasses.replace(rec, **new)


def guarded_names(guard: IdentifierGuard, meta: dict[str, Any], *, all_types: bool) -> dict[str, str]:
    """The file and folder names ``meta`` holds (:data:`GUARDED_METADATA`), pseudonymised."""
    return {k: guard(meta[k], all_types=all_types) for k in GUARDED_METADATA if isinstance(meta.get(k), str)}


def moda_dataset_options(db_path: Any, source_id: str, *, pii_expected: bool) -> dict[str, Any]:
    """Options ``held_datasets`` and ``as_stored`` of a MODA ingest whose folder names key its rows (no
    ``--dataset``): what the catalogue holds under each name, and a name or file name as the ingest stores it
    (pseudonymised as :func:`guarded_ids` does), so the two compare like with like (review of the fixes, 3)."""
    from curate.pii.identifiers import IdentifierGuard
    from sources.moda import held_dataset_origins

    held, sticky = held_dataset_origins(db_path, source_id)
    guard, all_types = IdentifierGuard(), pii_expected or sticky
    if not all_types and held:
        from curate.pii.identifiers import raw_file_names_held
        from provenance import db

        # as the ingest does (curate/ingest.py): a catalogue made before names in file names were pseudonymised keeps
        # them raw for this source, so its names are compared raw too (review of the fixes 9)
        con = db.connect(db_path)
        try:
            guard.names_in_file_names = not raw_file_names_held(con, [source_id])
        finally:
            con.close()
    return {"held_datasets": held, "as_stored": lambda name: guard(name, all_types=all_types)}


def guarded_source(guard: IdentifierGuard, info: SourceInfo, *, all_types: bool) -> SourceInfo:
    """A source row with personal values in its origin and metadata (file paths) pseudonymised."""
    return dataclasses.replace(
        info, origin=guard(info.origin, all_types=all_types), metadata=guard.walk(info.metadata, all_types=all_types)
    )


#: what a source id may be (``--source-id``, pipeline files): letters (any script), digits and ``_ . : -``, at most
#: 64; it is shown by every report, page and terminal table, so markup, spaces and control characters are refused
SOURCE_ID_RE = re.compile(r"[\w.:-]{1,64}")


def check_source_id(source_id: str) -> None:
    """Refuse a source id outside :data:`SOURCE_ID_RE` (one line that shows the id with its controls escaped), or
    one that holds personal data (:func:`refuse_personal`).

    >>> check_source_id("tabf:esun"), check_source_id("金融研訓院")
    (None, None)
    """
    if not SOURCE_ID_RE.fullmatch(source_id or ""):
        raise UsageError(
            f"source id {source_id!r} is not allowed: use letters, digits and _ . : - (1 to 64 of them),"
            " e.g. `tabf:esun`"
        )
    refuse_personal("source id (--source-id)", source_id)


def check_not_reserved(source_id: str, ingestor: str) -> None:
    """Refuse a source id that is the id of another built-in source (``fsc`` on a MODA ingest): that source's own
    ingest takes no ``--source-id``, so it could never be ingested into the catalogue again, and dedup ranks
    sources by these ids.

    >>> check_not_reserved("moda", "moda"), check_not_reserved("tabf:esun", "tabf")
    (None, None)
    """
    from sources import SOURCES

    own = ingestor.replace("-", "_")
    if source_id in SOURCES and source_id != own:
        raise UsageError(
            f"source id `{source_id}` is reserved for the built-in source `curate ingest {source_id.replace('_', '-')}`"
            f" and cannot name a `{own.replace('_', '-')}` source; choose another source id, e.g. `{own}:{source_id}`"
        )


def refuse_personal(option: str, value: str) -> None:
    """Refuse a source id or dataset name that holds personal data (a national ID, phone, e-mail or name), as
    ``--reason`` is refused: the ledger (``source_registered``), the catalogue and every export's manifest and
    NOTICE keep it for good (review 5, F6). The value is not shown: it is the personal data."""
    from curate.pii.engine import personal_kinds

    kinds = personal_kinds(value)
    if kinds:
        raise UsageError(
            f"{option} holds personal data ({', '.join(kinds)}); the ledger, the catalogue and every export's"
            f" manifest and NOTICE would keep it for good; choose one without it (e.g. a bank or project code);"
            " nothing was written"
        )


def check_source_names(infos: list[SourceInfo], ingestor: str, options: dict[str, Any] | None = None) -> None:
    """The checks of :func:`check_source_kinds` that read no catalogue, made before an ingest opens it: a refused
    source id or dataset name made a new --db path a catalogue first, and a refusal (exit 2) says nothing of it, so
    the next ingest into a mistyped path went there in silence."""
    for info in infos:
        check_source_id(info.source_id)
        check_not_reserved(info.source_id, ingestor)
    if options and options.get("dataset"):
        refuse_personal("dataset name (--dataset)", str(options["dataset"]))


def check_source_kinds(
    con: duckdb.DuckDBPyConnection, infos: list[SourceInfo], ingestor: str, options: dict[str, Any] | None = None
) -> None:
    """Refuse an ingest whose source rows name a source id the catalogue holds for another kind of source, or
    a source id outside :data:`SOURCE_ID_RE` (:func:`check_source_id`); a source id, or a dataset name in the
    source's ``options`` (stored as given), that holds personal data (:func:`refuse_personal`).

    The ingest rewrites a source's title, origin and licence, which every record of that source is exported
    under: ``--source-id law_moj`` on a MODA ingest gave the statutes MODA's attribution. A row's ``kind`` is
    the one its source wrote (``SourceInfo.kind``) or, as the schema describes the column, the ingestor's
    registry name (``ingestor``); either is this kind of source.
    """
    check_source_names(infos, ingestor, options)
    want = {i.source_id: i.kind for i in infos}
    held = con.execute(
        "SELECT source_id, kind FROM sources WHERE source_id IN (SELECT unnest($s)) ORDER BY source_id",
        {"s": list(want)},
    ).fetchall()
    for source_id, kind in held:
        if kind not in (want[source_id], ingestor):
            raise ConfigError(
                f"source id `{source_id}` belongs to a source of kind `{kind}` in this catalogue, not `{want[source_id]}`:"
                " ingesting under it would rewrite that source's title, origin and licence; choose another source id"
            )


def encodable(version_meta: str | None, rec: Record) -> bool:
    """Whether every string of the record encodes as UTF-8 (Arrow and DuckDB need valid Unicode)."""
    try:
        for value in (version_meta, rec.doc_key, rec.source_id, rec.locator, rec.title, rec.text, rec.container):
            if value:
                value.encode("utf-8")
        metadata_json(rec).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def metadata_json(rec: Record) -> str:
    """The stored metadata JSON of a record (with ``as_of``), reusing a precomputed string."""
    if rec.metadata_json is not None:
        base = rec.metadata_json
    else:
        base = json.dumps(rec.metadata, ensure_ascii=False, default=str)
    if not rec.as_of:
        return base
    tail = f'"as_of":{json.dumps(rec.as_of)}'
    return base[:-1] + ("," if base.strip() != "{}" else "") + tail + "}"


#: the SQL function :func:`as_of_sql` calls for a value that is not an ISO date already
AS_OF_UDF = "curate_as_of_day"


@functools.lru_cache(maxsize=4096)
def _as_of_day(value: str) -> str:
    """The ISO day of a version's ``as_of`` (:func:`sources.dates.iso_date`), or the value as written."""
    return iso_date(value) or value


def as_of_sql(expr: str) -> str:
    """SQL of the day ``expr`` (an ``as_of`` as stored or staged) names, to order versions by: catalogues made
    before MODA stored ISO dates hold them as written (``2024/02/01``, ``1130201``), and ``2024-10-01`` sorted
    before ``2024/02/01`` as text, so an update was filed as history (review of the fixes, 2). Both sides of every
    comparison go through it. An ISO date is taken as it is and ``YYYYMMDD`` (law.moj's dates) read in SQL, as
    :func:`sources.dates.iso_date` reads it (so the set-based path never calls Python, which imports pandas and
    pyarrow); anything else goes through :func:`_as_of_day`."""
    return (
        rf"CASE WHEN regexp_full_match({expr}, '\d{{4}}-\d{{2}}-\d{{2}}') THEN {expr}"
        rf" WHEN regexp_full_match({expr}, '\d{{8}}') THEN coalesce(strftime(try_strptime({expr}, '%Y%m%d'), '%Y-%m-%d'), {expr})"
        f" ELSE {AS_OF_UDF}({expr}) END"
    )


def snapshot_sql(metadata: str) -> str:
    """SQL of the ISO day of the snapshot a record was read from (``metadata.update_date``: law.moj's
    ``UpdateDate``, ``2024/10/11 上午 12:00:00``, ``2024/10/11``, ``20241011``, or in ROC years, ``113/10/11``), NULL
    when it names none. It orders two versions whose ``as_of`` is the same day: law.moj changes a law's category or
    notes under an unchanged LawModifiedDate, and an older dump ingested after a newer one must not replace it
    (review 9)."""
    u = f"json_extract_string({metadata}, '$.update_date')"
    day = rf"{AS_OF_UDF}(trim(regexp_replace({u}, '\s*[上下]午.*$|\s+\d{{1,2}}:\d{{2}}.*$', '')))"
    iso = (
        rf"strftime(coalesce(try_strptime(regexp_extract({u}, '^\s*(\d{{4}}[/-]\d{{1,2}}[/-]\d{{1,2}})', 1)"
        rf".replace('-', '/'), '%Y/%m/%d'), try_strptime(regexp_extract({u}, '^\s*(\d{{8}})\b', 1), '%Y%m%d')),"
        " '%Y-%m-%d')"
    )
    # any other form as as_of is read (:func:`_as_of_day`: 113/10/11, 民國113年10月11日), else NULL; a CASE, so
    # that Python is asked only for those (DuckDB's coalesce evaluates every argument; the UDF named once)
    return (
        f"CASE WHEN {u} IS NULL THEN NULL WHEN {iso} IS NOT NULL THEN {iso}"
        f" ELSE strftime(try_strptime({day}, '%Y-%m-%d'), '%Y-%m-%d') END"
    )


def register_as_of(con: duckdb.DuckDBPyConnection) -> None:
    """Make :data:`AS_OF_UDF` known to ``con`` (once; a rolled-back transaction drops it, so it is asked each time)."""
    try:
        con.create_function(AS_OF_UDF, _as_of_day, ["VARCHAR"], "VARCHAR", side_effects=False)
    except duckdb.NotImplementedException:
        pass  # registered already


def stage_new(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    """Temp tables of a batch (the rows of ``relation``): ``_inc_t`` (its ids and keys), ``_new`` (the ids and keys
    of rows not yet in the catalogue, with the version they replace or, for an older snapshot, the newer active
    one) and the view ``_new_versions`` (the full rows to insert, read from ``relation`` by the INSERT)."""
    # ids and digests in SQL (vectorised): the same values as provenance.records.ingest_record_id.
    # Only ids and keys are materialised: the wide rows are copied once, into ``records``.
    # Keyed ids/digests (pii_expected sources) come precomputed as columns k_id, k_sha; so do the ids and digests
    # of the set-based path (curate.ingest_fast), computed once with INGEST_RECORD_ID_SQL.
    keyed = "k_id" in {d[0] for d in con.execute(f"SELECT * FROM {relation} LIMIT 0").description}
    rid = f"coalesce(k_id, {INGEST_RECORD_ID_SQL})" if keyed else INGEST_RECORD_ID_SQL
    sha = "coalesce(k_sha, sha256(text))" if keyed else "sha256(text)"
    excluded = "version_meta, k_id, k_sha" if keyed else "version_meta"
    register_as_of(con)
    stored = as_of_sql("json_extract_string(metadata, '$.as_of')")
    snap = snapshot_sql("metadata")
    con.execute(  # as_of: the day it names (as_of_sql), as the stored side is read below
        f"CREATE OR REPLACE TEMP TABLE _inc_t AS SELECT {rid} AS record_id, doc_key, source_id, container,"
        f" {as_of_sql('as_of')} AS as_of, licence_id, {snap} AS snap FROM {relation}"
    )
    # narrow: only ids and keys (the batch's wide rows are read once, by the INSERT, from ``relation`` itself)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _new AS
        SELECT record_id, doc_key, source_id, CASE WHEN historical_of IS NULL THEN a_id END AS version_of, historical_of
        FROM (
            SELECT i.record_id, i.doc_key, i.source_id, a.record_id AS a_id,
                   -- an older snapshot than the active version: kept as history, never replaces it; so is a
                   -- document of an older snapshot of a container (a law) whose newer snapshot no longer has it
                   -- (the removed article ended superseded, or was never ingested): it names an active record
                   -- of that newer snapshot
                   -- (the same as_of day: the older snapshot, when both name theirs, snapshot_sql)
                   CASE WHEN i.as_of < a.as_of OR (i.as_of = a.as_of AND i.snap < a.snap) THEN a.record_id
                        WHEN a.record_id IS NULL AND (i.as_of < c.as_of OR (i.as_of = c.as_of AND i.snap < c.snap))
                        THEN c.record_id END AS historical_of
            FROM _inc_t i
            LEFT JOIN (SELECT container, as_of, snap, record_id
                       FROM (SELECT container, record_id, {stored} AS as_of, {snap} AS snap
                             FROM records WHERE status = 'active' AND container IN (SELECT container FROM _inc_t))
                       WHERE as_of IS NOT NULL
                       QUALIFY row_number() OVER (PARTITION BY container
                                                  ORDER BY as_of DESC, snap DESC NULLS LAST, record_id) = 1) c
                   ON c.container = i.container
            -- the head of each of this batch's doc_keys only (not every active record's metadata): the active
            -- version, else the newest withdrawn one (a document withdrawn meanwhile: its new version is held
            -- withdrawn and linked, so reinstating the document makes the newest version active)
            LEFT JOIN (SELECT record_id, doc_key, {stored} AS as_of, {snap} AS snap
                       FROM records WHERE status IN ('active', 'withdrawn') AND doc_key IN (SELECT doc_key FROM _inc_t)
                       QUALIFY row_number() OVER (PARTITION BY doc_key
                                                  ORDER BY status = 'active' DESC, created_at DESC, record_id DESC) = 1) a
                   ON a.doc_key = i.doc_key
            WHERE i.record_id NOT IN (SELECT record_id FROM records
                                      WHERE record_id IN (SELECT record_id FROM _inc_t))
        )""")
    rows = f"SELECT {rid} AS record_id, * EXCLUDE ({excluded}), {sha} AS content_sha256 FROM {relation}"
    n_inc, n_new, n_linked = con.execute(
        "SELECT (SELECT count(*) FROM _inc_t), count(*), count(version_of) + count(historical_of) FROM _new"
    ).fetchone()
    if n_new == n_inc and not n_linked:
        # every row is a new record (a first ingest): the INSERT reads the batch directly, no join
        con.execute(f"""CREATE OR REPLACE TEMP VIEW _new_versions AS
                        SELECT *, NULL::VARCHAR AS version_of, 'active' AS status FROM ({rows})""")
        return
    con.execute(f"""CREATE OR REPLACE TEMP VIEW _new_versions AS
                    SELECT i.*, n.version_of,
                           CASE WHEN n.historical_of IS NULL THEN 'active' ELSE 'superseded' END AS status
                    FROM ({rows}) i
                    JOIN (SELECT DISTINCT record_id, version_of, historical_of FROM _new) n USING (record_id)""")


def keyed_ids(con: duckdb.DuckDBPyConnection, source_name: str, pii_sources: set[str]) -> Any:
    """:class:`curate.pii.keyed_ids.KeyedIds` when the source has ``pii_expected`` parts (the key is required)."""
    if not pii_sources:
        return None
    from curate.pii.keyed_ids import KeyedIds, refuse_plain_catalogue, require_key

    marked = ", ".join(f"`{s}`" for s in sorted(pii_sources))
    where = f"ingest `{source_name}` ({marked} marked pii_expected)"
    keyed = KeyedIds(require_key("record ids and content digests", where))
    refuse_plain_catalogue(con, pii_sources, where)
    return keyed


def keyed_columns(keyed: Any, recs: list[tuple[str | None, Record]], pii_sources: set[str]) -> dict[str, pa.Array]:
    """``k_id``/``k_sha`` of a batch: keyed id and digest for records of pii_expected sources, else NULL."""
    import pyarrow as pa

    ids, shas = [], []
    for vj, r in recs:
        mine = r.source_id in pii_sources
        ids.append(keyed.record_id(r.source_id, r.locator, r.text, vj) if mine else None)
        shas.append(keyed.content(r.text) if mine else None)
    return {"k_id": pa.array(ids, pa.string()), "k_sha": pa.array(shas, pa.string())}
