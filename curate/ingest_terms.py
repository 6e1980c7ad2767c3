"""Licence-terms corrections at ingest: a change of terms alone makes new versions, without re-extraction.

A manifest row's licence id and agreement terms (``purposes``, ``audience``, ``commercial``,
``expiry``, ``attribution``...) are part of its records' identity (they are hashed into
``record_id`` with the text, see :func:`sources.manifest.row_version_metadata`). When a
re-ingested row names the same file (same ``file_sha256``) and only its terms changed, this
module makes the new versions directly from the active ones: same text, processing state
(``pii_state``, ``script``...) carried over, new ``licence_id`` and ``metadata.licence_terms``,
and one ``licence_terms_changed`` ledger event per record with the old and the new terms. Exports
then follow the new terms. Re-ingesting the corrected manifest again changes nothing.

When the file itself changed, the driver extracts it as usual; a new version whose text equals
its predecessor's but whose terms differ is still recorded as ``licence_terms_changed``
(:func:`classify_new_versions`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import duckdb

from curate.ingest_rows import guarded_names
from provenance import ledger
from provenance.dedup_release import carry_duplicates, release_superseded
from provenance.records import derived_record_id, insert_versions, version_seals
from provenance.rollback import rollback
from provenance.withdraw import hold_corrections, revivable_sql
from sources.base import RawItem, Source
from sources.manifest import ROW_METADATA_KEYS, ManifestRow, ManifestSource, row_metadata, row_version_metadata

__all__ = [
    "TermsCorrector",
    "TermsOutcome",
    "classify_new_versions",
    "fold_duplicate_terms",
    "relicense_batch",
    "relicensed_versions",
    "stale_duplicates_of_new_rows",
    "terms_of",
    "write_terms_versions",
]

ACTION = "licence_terms_changed"


def correctable_sql(con: duckdb.DuckDBPyConnection, relation: str) -> str:
    """SQL selecting ``record_id, status`` of the rows of ``relation`` (with ``record_id, source_id, doc_key,
    version_of, created_at, status``) that a licence correction reaches: every version of a document that an export
    may hold now or once it is active again, with the status its new version is written with. Active versions,
    duplicates (a release makes them active: also a stale one, whose document has a newer active version, once that
    version is withdrawn), and withdrawn versions a reinstatement makes active or duplicates again
    (:func:`provenance.withdraw.revivable_sql`; their new versions are held withdrawn). Left on the old terms, any of
    them would come back active under those (review 7 of the fixes, findings 1 and 2). The ledger is read only when
    a withdrawal was ever made."""
    sql = f"SELECT record_id, status FROM {relation} WHERE status IN ('active', 'duplicate')"
    if con.execute("SELECT count(*) FROM (SELECT 1 FROM withdrawals LIMIT 1)").fetchone()[0]:
        sql += f" UNION ALL SELECT * FROM ({revivable_sql(relation)})"
    return sql


def terms_of(licence_id: str | None, metadata: dict[str, Any] | str | None) -> dict[str, Any]:
    """The licence facts of a version as shown in events: ``{licence_id, licence_terms}``."""
    if isinstance(metadata, str):
        metadata = json.loads(metadata or "{}")
    terms = (metadata or {}).get("licence_terms")
    if isinstance(terms, dict):  # an empty term is absent (JSON merge patches drop null members)
        terms = {k: v for k, v in terms.items() if v is not None}
    return {"licence_id": licence_id, "licence_terms": terms}


@dataclass(frozen=True, slots=True)
class TermsOutcome:
    """What :meth:`TermsCorrector.plan` decided for one manifest row."""

    handled: bool
    """True: the row's records are settled (unchanged, or new versions planned); do not extract."""
    new_versions: int = 0
    unchanged: int = 0


_NOT_HANDLED = TermsOutcome(False)


class TermsCorrector:
    """Settles manifest rows whose file is unchanged since their active versions were ingested.

    The active versions of the source are read once (without their text); corrections are planned
    per row and written in bulk by :meth:`write` (one transaction, text copied from the parents by
    SQL), so a corrected manifest of many files costs a few statements, not one per file.
    """

    def __init__(
        self, con: duckdb.DuckDBPyConnection, source: Source, keyed: Any = None, guard: Any = None, pii: bool = False
    ) -> None:
        self.con = con
        self.source = source
        #: the ingest's identifier guard: the container and file names are pseudonymised as the stored ones are
        #: (curate/ingest_rows.py:guarded_ids); ``pii``: the source is pii_expected (every type of personal value)
        self.guard = guard
        self.pii = pii
        #: the source's keyed ids (``pii_expected``): its stored ``file_sha256`` are keyed digests
        self.keyed = keyed
        #: the keyed digest that seals the licence terms of versions with keyed digests (None: not pii_expected)
        self.digest = keyed.content if keyed is not None else None
        self.enabled = isinstance(source, ManifestSource)
        self._active: dict[str, list[tuple]] | None = None
        #: containers whose versions are all withdrawn (``_active`` holds their newest ones)
        self._withdrawn: set[str] = set()
        self._touched: set[str] = set()
        self.rows: list[dict[str, Any]] = []
        self.events: list[ledger.Event] = []

    def _load(self) -> dict[str, list[tuple]]:
        if self._active is None:
            self._active = {}
            # and its duplicates and withdrawn versions, which a release or a reinstatement may make active again
            for container, rid, lic, meta, stage, sha, status in self.con.execute(
                "SELECT r.container, r.record_id, r.licence_id, r.metadata, r.stage, r.content_sha256, c.status"
                " FROM records r JOIN ("
                + correctable_sql(self.con, "(SELECT * FROM records WHERE source_id = $source)")
                + ") c USING (record_id) WHERE r.container IS NOT NULL ORDER BY r.doc_key, r.record_id",
                {"source": self.source.source_id},
            ).fetchall():
                self._active.setdefault(container, []).append((rid, lic, json.loads(meta or "{}"), stage, sha, status))
            # a withdrawn file (every version of it withdrawn): its newest versions, so that the same row again
            # is unchanged (extracting it would make unprocessed versions that a reinstatement makes the heads)
            for container, rid, lic, meta, stage, sha, status in self.con.execute(
                "SELECT container, record_id, licence_id, metadata, stage, content_sha256, status FROM records r"
                " WHERE status = 'withdrawn' AND source_id = ? AND container IS NOT NULL"
                " AND NOT EXISTS (SELECT 1 FROM records c WHERE c.version_of = r.record_id)"
                " ORDER BY doc_key, record_id",
                [self.source.source_id],
            ).fetchall():
                if container not in self._active or container in self._withdrawn:
                    self._withdrawn.add(container)
                    self._active.setdefault(container, []).append(
                        (rid, lic, json.loads(meta or "{}"), stage, sha, status)
                    )
        return self._active

    def plan(self, raw: RawItem, run_id: str) -> TermsOutcome:
        """Plan the new versions of a row whose terms alone changed (``handled=False``: extract the file).

        Not handled: other sources, rows whose file changed or whose stored versions predate
        ``file_sha256``, an edition change, and a file named twice in one run.
        """
        if not self.enabled or not isinstance(raw.payload, ManifestRow):
            return _NOT_HANDLED
        row: ManifestRow = raw.payload
        container = self._guarded(f"{self.source.source_id}:{row.rel_path}")
        active = self._load().get(container)
        if not active or container in self._touched:
            return _NOT_HANDLED
        self._touched.add(container)
        new_meta = row_metadata(row)
        if self.guard is not None:
            new_meta.update(guarded_names(self.guard, new_meta, all_types=self.pii))
        if self.keyed is not None:
            new_meta["file_sha256"] = self.keyed.file_digest(new_meta["file_sha256"])
        if any(
            o.get("file_sha256") != new_meta["file_sha256"] or o.get("edition") != row.edition
            for _, _, o, _, _, _ in active
        ):
            return _NOT_HANDLED
        new_terms = terms_of(row.licence_id, {"licence_terms": row.licence_terms})
        changed = [a for a in active if terms_of(a[1], a[2]) != new_terms]
        if not changed:
            return TermsOutcome(True, unchanged=len(active))
        if container in self._withdrawn:
            return _NOT_HANDLED  # new terms for a withdrawn file: extracted, and held withdrawn at ingest
        # JSON merge patch: the row's keys replace the stored ones; keys the row no longer sets are removed
        patch: dict[str, Any] = dict.fromkeys(ROW_METADATA_KEYS)
        patch.update(new_meta)
        patch_json = json.dumps(patch, ensure_ascii=False, default=str)
        vm_json = json.dumps(row_version_metadata(row), sort_keys=True, ensure_ascii=False)
        for old_id, lic, old, stage, sha, status in changed:
            version, event = _terms_version(
                old_id,
                status,
                vm_json,
                row.licence_id,
                patch_json,
                stage,
                sha,
                terms_of(lic, old),
                new_terms,
                run_id,
                manifest_line=row.line,
            )
            self.rows.append(version)
            self.events.append(event)
        return TermsOutcome(True, new_versions=len(changed), unchanged=len(active) - len(changed))

    def _guarded(self, name: str) -> str:
        return name if self.guard is None else self.guard(name, all_types=self.pii)

    def write(self, *, run_id: str, at: Any) -> int:
        """Write the planned versions (same text as their parents), supersede the parents, append the events."""
        if not self.rows:
            return 0
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            written = write_terms_versions(con, self.rows, self.events, run_id=run_id, at=at, terms_digest=self.digest)
            con.execute("COMMIT")
        except BaseException:
            rollback(con)
            raise
        self.rows, self.events = [], []
        return written


def write_terms_versions(
    con: duckdb.DuckDBPyConnection,
    rows: list[dict[str, Any]],
    events: list[ledger.Event],
    *,
    run_id: str,
    at: Any,
    terms_digest: Any = None,
) -> int:
    """New versions that differ from their parents in licence terms only (``rows``: ``record_id, parent_id,
    licence_id, metadata, stage, content_sha256``; the text is copied from the parent by SQL), the parents
    superseded and ``events`` appended, inside the caller's transaction. ``terms_digest``: the keyed digest that
    seals the terms of versions with a keyed content digest (:func:`provenance.records.insert_versions`)."""
    import pyarrow as pa

    con.register("_terms_plan", pa.Table.from_pylist(rows))
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _terms_new AS SELECT t.*, p.text FROM _terms_plan t"
        " JOIN records p ON p.record_id = t.parent_id"
    )
    written = insert_versions(
        con, "_terms_new", run_id=run_id, stage="ingest", created_at=at, terms_digest=terms_digest
    )
    con.execute(
        "UPDATE records SET status = 'superseded' WHERE status IN ('active', 'duplicate')"
        " AND record_id IN (SELECT parent_id FROM _terms_plan)"
    )
    con.execute("DROP VIEW _terms_new")
    # each version's sealed columns (records.SEALED_COLUMNS) as written, on its licence_terms_changed event: what
    # the batch digest is to an ingested version (these versions are in no batch)
    seals = version_seals(con, [e.record_id for e in events if e.action == ACTION and e.record_id])
    for e in events:
        if e.action == ACTION and e.record_id in seals and isinstance(e.detail, dict):
            e.detail.update({k: seals[e.record_id][k] for k in ("new_row_sha256", "new_row_v")})
    ledger.append(con, events, at=at)
    carry_duplicates(con, "SELECT record_id, parent_id FROM _terms_plan WHERE status = 'duplicate'", run_id=run_id)
    hold_corrections(con, "SELECT record_id, parent_id FROM _terms_plan", run_id=run_id)  # of withdrawn parents
    release_superseded(con, "SELECT parent_id FROM _terms_plan", run_id=run_id)
    con.unregister("_terms_plan")
    return written


#: the versions a correction reaches (:func:`correctable_sql`: active, duplicates, withdrawn ones a reinstatement
#: brings back, with the status they are written with) that follow, through
#: version_of, rows of an ingest batch already in the catalogue (same
#: id: same text and identity) under another licence or other licence terms than the batch's: the ingested version
#: itself, or what a stage or an earlier correction made of it (a processing stage's version, a version of other terms
#: only: same text, title and metadata but for ``licence_terms``), never a later ingest's new content; and the
#: duplicates of their documents made before them (a stale duplicate: an earlier text of the document, which a
#: withdrawal of the current one releases), also of a document whose row is new in the batch (its text changed: review
#: 7 of the relicense fixes, finding 2). A row's terms are its stored version's (they are part of its identity): MODA
#: grant terms given again after others were 'unchanged', and the others stayed active (review 8 exports, finding 2).
#: A row of other terms only whose document's current version is a duplicate is not written (:func:`fold_duplicate_terms`)
#: and walks from that duplicate (``_duplicate_terms``); the document's later duplicates of the row's text, title and
#: metadata but for terms are walked too (a second record of other terms only, which ingests before that fix wrote
#: beside the duplicate: a re-ingest repairs it). ``_inc_t``/``_new``: the batch's tables
#: (curate/ingest_rows.py).
_RELICENSE_SQL = """
WITH RECURSIVE
  batch AS (SELECT DISTINCT i.record_id, i.licence_id, json_extract(f.metadata, '$.licence_terms')::VARCHAR AS terms
            FROM _inc_t i JOIN _relicense_family f USING (record_id) WHERE i.licence_id IS NOT NULL
            UNION SELECT head_id, licence_id, terms FROM _duplicate_terms),
  seen AS (SELECT * FROM batch WHERE record_id NOT IN (SELECT record_id FROM _new)),
  k AS (SELECT * FROM ({correctable})),
  walk(start_id, record_id, new_lic, new_terms) AS (
    SELECT record_id, record_id, licence_id, terms FROM seen
    UNION
    SELECT s.record_id, d.record_id, s.licence_id, s.terms FROM batch s
    JOIN _relicense_family b ON b.record_id = s.record_id
    JOIN _relicense_family d ON d.source_id = b.source_id AND d.doc_key = b.doc_key AND d.record_id <> b.record_id
         AND (d.created_at <= b.created_at OR (d.content_sha256 IS NOT DISTINCT FROM b.content_sha256
              AND {but_terms_d} IS NOT DISTINCT FROM {but_terms_b} AND d.title IS NOT DISTINCT FROM b.title))
    JOIN k ON k.record_id = d.record_id AND k.status = 'duplicate'
    UNION
    SELECT w.start_id, c.record_id, w.new_lic, w.new_terms FROM walk w
    JOIN _relicense_family p ON p.record_id = w.record_id JOIN _relicense_family c ON c.version_of = p.record_id
    WHERE c.stage <> 'ingest' OR (c.content_sha256 IS NOT DISTINCT FROM p.content_sha256
          AND json_merge_patch(c.metadata, '{{"licence_terms": null}}')::VARCHAR
              IS NOT DISTINCT FROM json_merge_patch(p.metadata, '{{"licence_terms": null}}')::VARCHAR
          AND c.title IS NOT DISTINCT FROM p.title))
SELECT w.start_id, r.record_id, w.new_lic, w.new_terms, r.licence_id, r.metadata, r.stage, r.content_sha256, k.status
FROM walk w JOIN _relicense_family r USING (record_id) JOIN k USING (record_id)
WHERE coalesce($canon[list_position($alias, r.licence_id)], r.licence_id)
      IS DISTINCT FROM coalesce($canon[list_position($alias, w.new_lic)], w.new_lic)
   OR json_extract(r.metadata, '$.licence_terms')::VARCHAR IS DISTINCT FROM w.new_terms
ORDER BY r.doc_key, r.record_id"""


def _aliases() -> dict[str, list[str]]:
    """``$alias``/``$canon`` of :data:`_RELICENSE_SQL`: a licence under its alias and under its id is one licence
    (a catalogue made before aliases were stored as the id held them as given: re-ingesting the same licence made
    versions with a false ``licence_terms_changed``, review of the fixes, 7)."""
    from provenance.licences import default_licence_catalogue

    aliases = default_licence_catalogue().aliases
    return {"alias": list(aliases), "canon": [aliases[a] for a in aliases]}


def fold_duplicate_terms(con: duckdb.DuckDBPyConnection) -> None:
    """Rows of the batch new only by their licence terms (same text, title and metadata but for ``licence_terms``, so
    another id) whose document has no active or withdrawn version but a duplicate one of that text: taken out of
    ``_new`` (not written) into ``_duplicate_terms`` (the row's licence and terms, and the duplicate), for
    :func:`relicense_batch` to give that duplicate and the document's other versions the terms, as a licence
    correction does. Written as a new record, the row stayed current beside the duplicate, which alone took later
    terms: the document had two current versions, and both came back active when its survivor was withdrawn, one
    with terms given up (review 8 of the fixes, grants 1)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _duplicate_terms (record_id VARCHAR, head_id VARCHAR, licence_id VARCHAR,"
        " terms VARCHAR)"
    )
    if not con.execute(  # the rows' ids and digests are read again below: only when a new row's document has a duplicate
        "SELECT EXISTS (SELECT 1 FROM records WHERE status = 'duplicate' AND doc_key IN"
        " (SELECT doc_key FROM _new WHERE version_of IS NULL AND historical_of IS NULL))"
    ).fetchone()[0]:
        return
    con.execute(f"""
        INSERT INTO _duplicate_terms
        SELECT n.record_id, arg_max(d.record_id, d.created_at) AS head_id, any_value(n.licence_id) AS licence_id,
               any_value(json_extract(n.metadata, '$.licence_terms')::VARCHAR) AS terms
        FROM _new_versions n JOIN _new USING (record_id)
        JOIN records d ON d.source_id = n.source_id AND d.doc_key = n.doc_key AND d.status = 'duplicate'
             AND d.content_sha256 = n.content_sha256 AND d.title IS NOT DISTINCT FROM n.title
             AND {_BUT_TERMS.format("d")} IS NOT DISTINCT FROM {_BUT_TERMS.format("n")}
        WHERE _new.version_of IS NULL AND _new.historical_of IS NULL AND n.licence_id IS NOT NULL
          AND n.doc_key NOT IN (SELECT doc_key FROM records WHERE status IN ('active', 'withdrawn')
                                AND doc_key IN (SELECT doc_key FROM _new))
        GROUP BY n.record_id""")
    if con.execute("SELECT count(*) FROM _duplicate_terms").fetchone()[0]:
        con.execute("DELETE FROM _new WHERE record_id IN (SELECT record_id FROM _duplicate_terms)")
        # a first ingest's view reads the batch whole (curate/ingest_rows.py:stage_new): only the rows left in _new
        con.execute("DROP VIEW IF EXISTS _new_versions_all")
        con.execute("ALTER VIEW _new_versions RENAME TO _new_versions_all")
        con.execute(
            "CREATE TEMP VIEW _new_versions AS SELECT * FROM _new_versions_all"
            " WHERE record_id IN (SELECT record_id FROM _new)"
        )


#: a version's metadata but for its licence terms
_BUT_TERMS = """json_merge_patch({}.metadata, '{{"licence_terms": null}}')::VARCHAR"""


def stale_duplicates_of_new_rows(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a document of a row new in the ingest batch (``_new``) has a duplicate or withdrawn version: a batch of
    new rows alone then still needs :func:`relicense_batch` (its text changed and its licence with it)."""
    return bool(
        con.execute(
            "SELECT count(*) FROM (SELECT 1 FROM records WHERE status IN ('duplicate', 'withdrawn')"
            " AND doc_key IN (SELECT doc_key FROM _new) AND record_id NOT IN (SELECT record_id FROM _new) LIMIT 1)"
        ).fetchone()[0]
    )


def relicense_batch(
    con: duckdb.DuckDBPyConnection, *, run_id: str, at: Any, terms_digest: Any = None
) -> tuple[int, int]:
    """Rows of the ingest batch already in the catalogue but ingested now under another licence (MODA's
    ``--licence`` corrected; its records' ids do not hold the licence): a new version of each of their active
    versions (followed through stages and earlier corrections) with the new licence, same text and processing
    state, and a ``licence_terms_changed`` event, inside the caller's transaction; so are the stale duplicates of the
    documents of rows new in the batch. Returns (versions written, batch rows they follow that are not new). It once matched the ingested id only, so a correction after a stage or a first correction
    changed the source row alone and exports kept the old licence."""
    con.execute(  # the batch's documents only: records has no index (migration 0101)
        "CREATE OR REPLACE TEMP TABLE _relicense_family AS SELECT record_id, source_id, doc_key, version_of, status,"
        " stage, created_at,"
        " title, metadata, content_sha256, licence_id FROM records WHERE doc_key IN (SELECT doc_key FROM _inc_t"
        " WHERE licence_id IS NOT NULL)"  # new rows too: their documents' stale duplicates (_RELICENSE_SQL)
    )
    aliases = _aliases()
    found = (
        con.execute(
            _RELICENSE_SQL.format(
                correctable=correctable_sql(con, "_relicense_family"),
                but_terms_d=_BUT_TERMS.format("d"),
                but_terms_b=_BUT_TERMS.format("b"),
            ),
            aliases,
        ).fetchall()
        if _terms_differ(con, aliases)
        else []
    )
    con.execute("DROP TABLE _relicense_family")
    found = [f for f in found if _other_terms(*f[2:6])]  # terms written in another key order are the same terms
    if not found:
        return 0, 0
    rows, events = relicensed_versions([f[1:] for f in found], run_id)
    written = write_terms_versions(con, rows, events, run_id=run_id, at=at, terms_digest=terms_digest)
    followed = con.execute(  # a new row is counted as new by the ingest, not as unchanged
        "SELECT count(*) FROM (SELECT DISTINCT unnest($ids) AS id) WHERE id NOT IN (SELECT record_id FROM _new)",
        {"ids": [f[0] for f in found]},
    ).fetchone()[0]
    return written, followed


def _terms_differ(con: duckdb.DuckDBPyConnection, aliases: dict[str, list[str]]) -> bool:
    """Whether some version of the batch's documents (``_relicense_family``) holds a licence other than a batch row's,
    or the documents' versions hold more than one set of licence terms: only then is :data:`_RELICENSE_SQL` walked
    (a re-ingest under the same licence, every law.moj dump, then costs a scan of the family, not the walk: +75 MB
    at 100k)."""
    return bool(
        con.execute(
            "SELECT EXISTS (SELECT 1 FROM _relicense_family r, (SELECT DISTINCT licence_id FROM _inc_t WHERE"
            " licence_id IS NOT NULL) b"
            " WHERE coalesce($canon[list_position($alias, r.licence_id)], r.licence_id)"
            " IS DISTINCT FROM coalesce($canon[list_position($alias, b.licence_id)], b.licence_id))"
            " OR (SELECT count(DISTINCT coalesce(json_extract(metadata, '$.licence_terms')::VARCHAR, ''))"
            " FROM _relicense_family) > 1 OR EXISTS (SELECT 1 FROM _duplicate_terms)",
            aliases,
        ).fetchone()[0]
    )


def _other_terms(new_lic: str | None, new_terms: str | None, old_lic: str | None, meta: str | None) -> bool:
    """Whether a version (``old_lic``, ``meta``) is under another licence or other terms than a batch row's."""
    from provenance.licences import canonical_licence_id as canon

    new = {"licence_id": canon(new_lic or ""), "licence_terms": _terms(new_terms)}
    old = terms_of(canon(old_lic or ""), meta)
    return new != old


def _terms(terms_json: str | None) -> dict[str, Any] | None:
    """A row's ``licence_terms`` as :func:`terms_of` shows them (JSON text, or None)."""
    return terms_of(None, {"licence_terms": json.loads(terms_json) if terms_json else None})["licence_terms"]


def relicensed_versions(
    pairs: list[tuple[str, str, str | None, str | None, str | None, str | None, str | None, str]], run_id: str
) -> tuple[list[dict[str, Any]], list[ledger.Event]]:
    """Versions and events for records ingested again unchanged but under another licence or other licence terms (a
    source whose licence is not part of its records' identity, e.g. MODA's ``--licence``; MODA grant terms given again
    after others): ``pairs`` are ``(record_id, new licence, new licence_terms as JSON or None, old licence, metadata,
    stage, content digest, status)`` (the status the new version is written with: active or duplicate; held withdrawn
    after when its parent is withdrawn). The new version's metadata holds the new terms (None: no ``licence_terms``)."""
    rows, events = [], []
    for old_id, new_lic, new_terms, old_lic, meta, stage, sha, status in pairs:
        old = terms_of(old_lic, meta)
        terms = _terms(new_terms)
        salt = new_lic
        if terms != old["licence_terms"]:  # the licence alone changed: the same id as before terms were compared
            salt = f"{new_lic}:{json.dumps(terms, sort_keys=True, ensure_ascii=False)}"
            # a merge patch over the parent's metadata (provenance.records.insert_versions): null removes the terms
            meta = json.dumps({**json.loads(meta or "{}"), "licence_terms": terms}, ensure_ascii=False)
        version, event = _terms_version(
            old_id,
            status,
            salt,
            new_lic,
            meta,
            stage,
            sha,
            old,
            {"licence_id": new_lic, "licence_terms": terms},
            run_id,
        )
        rows.append(version)
        events.append(event)
    return rows, events


def _terms_version(
    old_id: str,
    status: str,
    salt: str,
    licence_id: str,
    metadata: str | None,
    stage: str | None,
    sha: str | None,
    old_terms: dict[str, Any],
    new_terms: dict[str, Any],
    run_id: str,
    **detail: Any,
) -> tuple[dict[str, Any], ledger.Event]:
    """The row (for :func:`write_terms_versions`) and the ``licence_terms_changed`` event of one version that differs
    from its parent ``old_id`` (``status``: active or duplicate) in licence terms only; ``salt`` (the new terms) derives
    its id."""
    new_id = derived_record_id(old_id, f"{ACTION}:{salt}", sha or "")
    version = {
        "record_id": new_id,
        "parent_id": old_id,
        "status": status,  # a duplicate's version stays a duplicate (write_terms_versions carries its decision)
        "licence_id": licence_id,
        "metadata": metadata,
        "stage": stage,
        # same text, same digest (a keyed one stays keyed: pii_expected sources, issue 13)
        "content_sha256": sha,
    }
    event = ledger.Event(
        stage="ingest",
        action=ACTION,
        record_id=new_id,
        run_id=run_id,
        detail={
            "version_of": old_id,
            "old": old_terms,
            "new": new_terms,
            **detail,
            "text_reused": True,
            # what `audit verify` checks the written row against
            "licence_id": licence_id,
            "sha256": sha,
        },
    )
    return version, event


def classify_new_versions(con: duckdb.DuckDBPyConnection, new_table: str) -> dict[str, dict[str, Any]]:
    """New versions in ``new_table`` (``record_id, version_of, licence_id, metadata, content_sha256``)
    whose text equals their predecessor's and whose licence terms differ: record id -> event detail."""
    rows = con.execute(
        f"""SELECT n.record_id, n.version_of, o.licence_id, o.metadata, n.licence_id, n.metadata
            FROM {new_table} n JOIN records o ON o.record_id = n.version_of
            WHERE o.content_sha256 = n.content_sha256"""
    ).fetchall()
    out: dict[str, dict[str, Any]] = {}
    from provenance.licences import canonical_licence_id as canon

    for rid, old_id, old_lic, old_meta, new_lic, new_meta in rows:
        old, new = terms_of(old_lic, old_meta), terms_of(new_lic, new_meta)
        if {**old, "licence_id": canon(old_lic or "")} != {**new, "licence_id": canon(new_lic or "")}:  # alias = id
            out[rid] = {"version_of": old_id, "old": old, "new": new, "text_reused": False}
    return out
