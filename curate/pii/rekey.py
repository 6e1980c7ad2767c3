"""Rewrite plain ids and digests into keyed ones everywhere they occur (issue 13, leak 5).

Two callers:

* ``curate pii rekey`` (:func:`rekey_catalogue`): a catalogue made before keyed ids holds plain
  sha256 ids and digests for records of ``pii_expected`` sources. Their ingested records get the id
  a fresh keyed ingest gives (:meth:`KeyedIds.key_record_id` of the plain id), versions derived
  from them are re-derived from the new parent id (keyed where they hold raw text), and content
  digests of raw text become keyed. Needs the PII key.
* sealing (:func:`curate.pii.vault.seal_raw_records`, :func:`key_sealed_digests`): a raw version of
  a source *not* marked ``pii_expected`` keeps its plain id (laws and textbooks keep plain ids) but its
  plain content digest is replaced by the keyed one (by the PII stage once per run, grouped by ingest batch).

:func:`apply_changes` does the rewriting, inside the caller's transaction (a crash leaves the old
catalogue or the new one, never a mix): ``records`` (id, ``version_of``, ``near_duplicate_of``,
digest), ``raw_vault`` (re-encrypted: AES-GCM binds each text to its record id), ``export_items``,
``near_duplicates``, the dedup index (rows of sealed raw versions are dropped: their exact key and
MinHash are digests of raw text), ``stage_marks``, ``verdict_members``, the annotation tables and ``pii_allowlist``. A
rekey also keys the plain sha256 digests of annotators' e-mails stored before issue 13.

The ledger is hash-chained and is **not** rewritten: rows written before a rekey still hold the old
ids and digests. The mapping goes to the sealed table ``pii_rekey_map`` (``curate sql`` cannot read
it) and to the ledger as one ``record_rekeyed`` event per record whose detail carries the new id,
digest and licence (so ``audit verify`` checks the row against it) and only a *keyed* digest of the
old id; a batch whose members changed gets a ``batch_rekeyed`` event with its new digest, and so does a verdict
batch whose members' ids were rewritten (``verdict_batch_rekeyed``, :func:`provenance.verdicts.rekey_members`); the run
ends with one ``rekey`` event (counts, key id, a digest of the whole keyed mapping).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from curate.faults import fault
from curate.interrupts import stop_if_asked
from curate.pii.keyed_ids import KeyedIds, refuse_other_key
from curate.pii.keys import PiiKey
from provenance import db, ledger, runs
from provenance.batches import BATCH_ACTION, BATCH_REKEYED, DIGEST_VERSION, batch_digests, stale_batches
from provenance.dbnew import connect_existing
from provenance.errors import CatalogueError, UsageError
from provenance.export_items import ITEMS_REKEYED, affected_exports, items_digest
from provenance.records import PII_PASSED, SEALED_ID_SQL, derived_record_id, is_keyed_digest, version_seal
from provenance.verdicts import rekey_members
from provenance.version_chain import descendants_cte

#: ledger actions written here
RECORD_REKEYED = "record_rekeyed"
REKEY = "rekey"

#: (table, id column) pairs rewritten by a rekey besides records, raw_vault, export_items and the dedup index
_ID_COLUMNS = (
    ("near_duplicates", "record_id"),
    ("near_duplicates", "representative"),
    ("stage_marks", "record_id"),
    ("annotation_tasks", "record_id"),
    ("annotation_tasks", "superseded_by"),
    ("annotation_push_pending", "record_id"),
    ("annotations", "record_id"),
    ("annotations", "new_record_id"),
    ("pii_allowlist", "record_id"),
)


@dataclass(frozen=True, slots=True)
class Change:
    """One record's rewrite: ``old_id`` -> ``new_id`` (may be equal) and its new content digest."""

    old_id: str
    new_id: str
    new_sha: str | None
    licence_id: str | None
    sealed: bool = False


@dataclass
class RekeyReport:
    """What a rekey changed."""

    run_id: str | None = None
    records: int = 0
    ids_changed: int = 0
    digests_keyed: int = 0
    vault_rows: int = 0
    batches: int = 0
    verdict_batches: int = 0
    tables: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?", [table]
        ).fetchall()[0][0]
    )


# ---------------------------------------------------------------- planning (curate pii rekey)


def plan_rekey(con: duckdb.DuckDBPyConnection, key: PiiKey) -> list[Change]:
    """The changes that bring the records of ``pii_expected`` sources, and annotators' corrections of any source, to
    keyed ids and digests.

    A record still needs it when it was ingested with a plain digest (keyed ingests never write one), or when it is
    a correction an older pull left with a plain digest (a pull keys every correction since review 15, whatever its
    source: text a person typed); every version derived from it follows, parents first.
    """
    from curate.pii.vault import read_raw

    keyed = KeyedIds(key)
    # the corrections: the versions a proofread_fix event made (a PII review's version holds text the PII stage
    # checked, scrubbed: a pull keeps its digest plain)
    corrections = {
        r[0]
        for r in con.execute(
            "SELECT json_extract_string(detail, '$.new_record_id') FROM provenance_events"
            " WHERE action = 'proofread_fix' AND stage = 'annotation'"
        ).fetchall()
        if r[0]
    }
    # (every correction: one with a keyed digest may still have a plain id, below)
    plain_typed = "SELECT record_id FROM records WHERE record_id IN (SELECT unnest(?::VARCHAR[]))"
    rows = con.execute(
        f"""
        WITH RECURSIVE {descendants_cte("typed", plain_typed)}
        SELECT r.record_id, r.version_of, r.stage, r.pii_state, r.content_sha256, r.licence_id,
               r.text IS NULL AS sealed
        FROM records r JOIN sources s USING (source_id)
        WHERE s.pii_expected OR r.record_id IN (SELECT record_id FROM typed)""",
        [sorted(corrections)],
    ).fetchall()
    recs = {r[0]: r for r in rows}
    depth: dict[str, int] = {}
    for rid in recs:
        chain, cur = [], rid
        while cur in recs and cur not in depth:
            chain.append(cur)
            cur = recs[cur][1]
        base = depth.get(cur, -1)
        for i, c in enumerate(reversed(chain)):
            depth[c] = base + 1 + i
    new_id: dict[str, str] = {}
    new_sha: dict[str, str | None] = {}
    changes: list[Change] = []
    for rid in sorted(recs, key=lambda r: (depth[r], r)):
        _, parent, stage, state, sha, licence, sealed = recs[rid]
        made_from = parent
        if parent not in recs:
            parent = None
        if stage == "ingest":
            if is_keyed_digest(sha) or sha is None:
                continue  # ingested with keyed ids already
            nid, nsha = keyed.key_record_id(rid), key.key_plain_digest(sha)
        else:
            if rid in corrections and parent not in new_id:
                # a correction an older pull left with a plain id and digest of the text a person typed: as a pull
                # makes it today (the keyed id of its parent and text), or a keyed id of the old one
                # (one the PII stage sealed since, a typed phone number found in it, had its digest keyed by the
                # seal but kept its id, a plain sha256 of its parent and the typed text: keyed here too)
                text = read_raw(con, rid, key)
                derived = made_from is not None and derived_record_id(made_from, stage, text) == rid
                if derived or (sha and not is_keyed_digest(sha)):
                    nid = (
                        keyed.derived_id(made_from, stage, text)
                        if derived
                        else key.keyed_hex("rekeyed-id", rid.encode())
                    )
                    nsha = sha if not sha or is_keyed_digest(sha) else key.key_plain_digest(sha)
                    new_id[rid], new_sha[rid] = nid, nsha
                    changes.append(Change(rid, nid, nsha, licence, bool(sealed)))
                continue
            if parent is None or parent not in new_id:
                continue  # its lineage needs nothing
            p_state, p_sha = recs[parent][3], new_sha[parent]
            # (a correction's text is typed by a person: keyed whatever its parent's state, as a pull keys it)
            raw_text = rid in corrections or (
                is_keyed_digest(p_sha) and p_state not in PII_PASSED and state != "scrubbed"
            )
            text = read_raw(con, rid, key)
            if derived_record_id(parent, stage, text) == rid:
                plain = derived_record_id(new_id[parent], stage, text)
                nid = keyed.key.keyed_hex("derived-id", plain.encode()) if raw_text else plain
            else:  # made some other way (terms corrections, annotation...): a keyed id of the old one
                nid = key.keyed_hex("rekeyed-id", rid.encode())
            nsha = key.key_plain_digest(sha) if raw_text and sha and not is_keyed_digest(sha) else sha
        new_id[rid], new_sha[rid] = nid, nsha
        changes.append(Change(rid, nid, nsha, licence, bool(sealed)))
    return changes


# ---------------------------------------------------------------- applying (both callers)

#: ledger events built and appended per page by :func:`apply_changes`
EVENT_PAGE = 5_000


def apply_changes(
    con: duckdb.DuckDBPyConnection,
    key: PiiKey,
    changes: list[Change],
    *,
    run_id: str,
    stage: str,
    reason: str,
    redeclared: set[int] | None = None,
) -> RekeyReport:
    """Rewrite ``changes`` everywhere and record them in the ledger; call inside a transaction.

    ``redeclared``: ingest batch events (ledger seqs) whose digest this caller re-declared earlier in the
    same run and process, under the run's lock; they are not verified again before the next re-declaration
    (the PII stage seals once per load batch: verifying each affected ingest batch every time cost a whole
    batch digest per load batch). The set is updated with the batches re-declared now.
    """
    rep = RekeyReport(run_id=run_id, records=len(changes))
    if not changes:
        return rep
    rk_in = pa.table(
        {
            "old_id": pa.array([c.old_id for c in changes], pa.string()),
            "new_id": pa.array([c.new_id for c in changes], pa.string()),
            "new_sha": pa.array([c.new_sha for c in changes], pa.string()),
        }
    )
    db.arrow_temp_table(con, "_rk", rk_in)
    con.execute("CREATE OR REPLACE TEMP TABLE _rk_ids AS SELECT old_id, new_id FROM _rk WHERE new_id <> old_id")
    rep.ids_changed = con.execute("SELECT count(*) FROM _rk_ids").fetchone()[0]
    batches = _affected_batches(con, redeclared or set())
    rep.digests_keyed = con.execute(
        "SELECT count(*) FROM _rk k JOIN records r ON r.record_id = k.old_id"
        " WHERE k.new_sha IS DISTINCT FROM r.content_sha256"
    ).fetchone()[0]
    # a renamed version keeps its row seal (records.SEALED_COLUMNS: no rekey column among them): carried as its
    # creating event sealed it, not recomputed, so an edit made before the rekey is still named by audit verify
    row_seals = _row_seals(con) if rep.ids_changed else {}
    rep.vault_rows = _rekey_vault(con, key)
    # the dedup index of sealed raw versions: exact key and MinHash are digests of raw text
    for t in ("dedup_signatures", "dedup_buckets"):
        if _has(con, t):
            n = con.execute(
                f"DELETE FROM {t} WHERE record_id IN (SELECT k.old_id FROM _rk k JOIN records r"
                " ON r.record_id = k.old_id WHERE r.pii_state = 'raw')"
            ).fetchone()[0]
            n += con.execute(
                f"UPDATE {t} SET record_id = m.new_id FROM _rk_ids m WHERE {t}.record_id = m.old_id"
            ).fetchone()[0]
            rep.tables[t] = n
    if _has(con, "export_items"):
        exports = affected_exports(con, "_rk")  # checked against their sealed digests before they change
        rep.tables["export_items"] = con.execute(
            "UPDATE export_items SET record_id = k.new_id, content_sha256 = CASE WHEN"
            " export_items.content_sha256 IS NOT DISTINCT FROM r.content_sha256 THEN k.new_sha"
            " ELSE export_items.content_sha256 END FROM _rk k JOIN records r ON r.record_id = k.old_id"
            " WHERE export_items.record_id = k.old_id"
        ).fetchone()[0]
        redeclare = []
        for export_id in exports:
            n, digest = items_digest(con, export_id)
            redeclare.append(
                ledger.Event(
                    stage=stage,
                    action=ITEMS_REKEYED,
                    run_id=run_id,
                    detail={"export_id": export_id, "items_digest": digest, "records": n, "reason": reason},
                )
            )
        ledger.append(con, redeclare)
    for table, col in _ID_COLUMNS:
        if _has(con, table):
            n = con.execute(
                f"UPDATE {table} SET {col} = m.new_id FROM _rk_ids m WHERE {table}.{col} = m.old_id"
            ).fetchone()[0]
            rep.tables[f"{table}.{col}"] = n
    con.execute(
        "UPDATE records SET content_sha256 = k.new_sha FROM _rk k WHERE records.record_id = k.old_id"
        " AND records.content_sha256 IS DISTINCT FROM k.new_sha"
    )
    con.execute("UPDATE records SET version_of = m.new_id FROM _rk_ids m WHERE records.version_of = m.old_id")
    con.execute(
        "UPDATE records SET near_duplicate_of = m.new_id FROM _rk_ids m WHERE records.near_duplicate_of = m.old_id"
    )
    rep.tables["records"] = con.execute(
        "UPDATE records SET record_id = m.new_id FROM _rk_ids m WHERE records.record_id = m.old_id"
    ).fetchone()[0]
    now = ledger.now()
    if rep.ids_changed:
        con.execute(
            "INSERT INTO pii_rekey_map SELECT old_id, new_id, $run, $at FROM _rk_ids ON CONFLICT DO NOTHING",
            {"run": run_id, "at": now},
        )
    for lo in range(0, len(changes), EVENT_PAGE):  # Python holds a page of events at a time
        ledger.append(
            con,
            [
                ledger.Event(
                    stage=stage,
                    action=RECORD_REKEYED,
                    record_id=c.new_id,
                    run_id=run_id,
                    detail={
                        **version_seal(c.new_id, c.new_sha, c.licence_id),
                        **row_seals.get(c.old_id, {}),
                        "old_id_keyed": key.keyed_hex("old-id", c.old_id.encode()) if c.new_id != c.old_id else None,
                        "reason": reason,
                    },
                )
                for c in changes[lo : lo + EVENT_PAGE]
            ],
        )
    events = []
    digests = batch_digests(con, batches)
    for seq, _, _ in batches:
        n, digest = digests[seq]
        events.append(
            ledger.Event(
                stage=stage,
                action=BATCH_REKEYED,
                run_id=run_id,
                detail={
                    "batch_seq": seq,
                    "digest": digest,
                    "digest_v": DIGEST_VERSION,
                    "records": n,
                    "reason": reason,
                },
            )
        )
    rep.batches = len(batches)
    ledger.append(con, events)
    rep.verdict_batches = rekey_members(con, "_rk_ids", stage=stage, run_id=run_id, reason=reason)
    if redeclared is not None:
        redeclared.update(seq for seq, _, _ in batches)
    con.execute("DROP TABLE IF EXISTS _rk_ids")
    con.execute("DROP TABLE IF EXISTS _rk")
    return rep


def _row_seals(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """Per old id of ``_rk_ids``, the row seal its first sealing event declared (``new_row_sha256``, ``new_row_v``)."""
    rows = con.execute(
        "SELECT k.old_id, arg_min(e.sha, e.seq), arg_min(e.v, e.seq) FROM (SELECT seq, "
        f"{SEALED_ID_SQL} AS rid, json_extract_string(detail, '$.new_row_sha256') AS sha,"
        " json_extract(detail, '$.new_row_v') AS v FROM provenance_events WHERE json_exists(detail, '$.new_row_sha256'))"
        " e JOIN _rk_ids k ON k.old_id = e.rid GROUP BY 1"
    ).fetchall()
    return {old: {"new_row_sha256": sha, "new_row_v": json.loads(v)} for old, sha, v in rows}


def _affected_batches(con: duckdb.DuckDBPyConnection, trusted: set[int]) -> list[tuple[int, str, Any]]:
    """Batch events with a member in ``_rk``; each must still verify before its digest is re-declared
    (except those in ``trusted``: re-declared by this run and process, see :func:`apply_changes`)."""
    rows = con.execute(f"""
        SELECT DISTINCT e.seq, e.run_id, e.created_at FROM provenance_events e
        JOIN records r ON r.run_id = e.run_id AND r.created_at = e.created_at AND r.stage = 'ingest'
        WHERE e.action = '{BATCH_ACTION}' AND r.record_id IN (SELECT old_id FROM _rk) ORDER BY e.seq""").fetchall()
    stale = stale_batches(con, [r for r in rows if r[0] not in trusted])
    if stale:
        raise CatalogueError(
            f"the ingest batch at ledger seq {stale[0]} no longer matches its recorded digest, so its members "
            "cannot be rekeyed safely; run `curate audit verify` and repair the catalogue first; nothing was changed"
        )
    return rows


def _rekey_vault(con: duckdb.DuckDBPyConnection, key: PiiKey) -> int:
    """Re-encrypt the vault rows of renamed records under their new ids (AES-GCM binds text to the id)."""
    from curate.pii.vault import _vault_insert, decrypt, encrypt

    rows = con.execute("""
        SELECT v.record_id, v.nonce, v.ciphertext, v.key_id, m.new_id || substr(v.record_id, length(m.old_id) + 1)
        FROM raw_vault v JOIN _rk_ids m
          ON v.record_id IN (m.old_id, m.old_id || '#title', m.old_id || '#metadata')""").fetchall()
    if not rows:
        return 0
    sealed = []
    for vid, nonce, ct, key_id, new_vid in rows:
        if key_id != key.key_id:
            raise CatalogueError(
                f"raw_vault `{vid}` was sealed under another PII key (key id {key_id}, this key is {key.key_id}); "
                "rekey with the key that sealed the vault; nothing was changed"
            )
        n2, c2 = encrypt(key, new_vid, decrypt(key, vid, bytes(nonce), bytes(ct)))
        sealed.append((new_vid, n2, c2, key.key_id))
    con.execute("DELETE FROM raw_vault WHERE record_id IN (SELECT unnest($ids))", {"ids": [r[0] for r in rows]})
    _vault_insert(con, sealed)
    return len(sealed)


# ---------------------------------------------------------------- the two entry points


def _refuse_unfinished_stage_runs(con) -> None:
    """A stage run that is still running or failed holds results under the records' old ids in its work files;
    resumed after a rekey they would name records that are gone (and a PII run would check nothing)."""
    rows = con.execute(
        "SELECT run_id, command FROM runs WHERE command LIKE 'run %' AND status IN ('running', 'failed')"
        " ORDER BY started_at"
    ).fetchall()
    if rows:
        named = ", ".join(f"{rid} ({cmd})" for rid, cmd in rows[:5])
        raise UsageError(
            f"stage runs are unfinished: {named}; their work files hold the records' old ids. Finish each (run the"
            " same command again) or `curate runs abandon RUN_ID`, then `curate pii rekey`; nothing was changed"
        )


def rekey_catalogue(db_path, key: PiiKey) -> RekeyReport:
    """``curate pii rekey``: keyed ids and digests for every record of a ``pii_expected`` source, in one transaction."""
    con = connect_existing(db_path, "`curate pii rekey`")
    try:
        # this process holds the write lock: a rekey run still `running` died (kill -9) before its commit
        runs.fail_interrupted(con, "pii rekey")
        changes = plan_rekey(con, key)
        emails = _plain_email_digests(con)
        if not changes and not emails and not _plain_manifest_digests(con):
            return RekeyReport()
        # the vault's rows are checked one by one below, but a source keyed at ingest and nothing sealed yet showed
        # no other key: the old records were keyed under the one set now, a second key in the catalogue
        refuse_other_key(con, key, "`curate pii rekey`")
        _refuse_unfinished_stage_runs(con)
        run_id = runs.start_run(con, "pii rekey", "rekey", {"key_id": key.key_id})
        try:
            return _rekey(con, key, changes, emails, run_id)
        except BaseException:  # Ctrl-C, SIGTERM, a full disk: nothing committed, and the run says so now
            with contextlib.suppress(duckdb.Error, OSError):
                # a stop that lands once the commit is done (its run finished in it) must not call the rekey failed
                if db.execute(con, "SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchone() == ("running",):
                    runs.finish_run(con, run_id, "failed", {})
            raise
    finally:
        con.close()


def _rekey(
    con: duckdb.DuckDBPyConnection, key: PiiKey, changes: list[Change], emails: list[str], run_id: str
) -> RekeyReport:
    """The rekey's one transaction (:func:`rekey_catalogue`); its report."""
    with db.transaction(con):
        rep = apply_changes(con, key, changes, run_id=run_id, stage="pii", reason="rekey")
        rep.tables["annotator e-mail digests"] = _key_email_digests(con, key, emails)
        rep.tables["manifest file and folder digests"] = _key_manifest_digests(con, key)
        lines = sorted(f"{key.keyed_hex('old-id', c.old_id.encode())}:{c.new_id}" for c in changes)
        ledger.append(
            con,
            [
                ledger.Event(
                    stage="pii",
                    action=REKEY,
                    run_id=run_id,
                    detail={
                        "key_id": key.key_id,
                        "records": rep.records,
                        "ids_changed": rep.ids_changed,
                        "digests_keyed": rep.digests_keyed,
                        "vault_rows": rep.vault_rows,
                        "batches": rep.batches,
                        "mapping_digest": hashlib.sha256("\n".join(lines).encode()).hexdigest(),
                    },
                )
            ],
        )
        fault("rekey_before_commit")  # crash tests: everything written, nothing committed
        stop_if_asked()  # a stop whose exception was lost while it rewrote (DuckDB): nothing committed
        runs.finish_run(con, run_id, "finished", rep.as_dict())
    fault("rekey_after_commit")  # crash tests: committed, its run finished
    return rep


#: metadata digests a manifest ingest of a pii_expected source keys (curate/ingest_rows.py guarded_ids)
_MANIFEST_DIGESTS = ("file_sha256", "manifest_folder")


def _plain_manifest_digests(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(record_id, metadata) of the versions of ``pii_expected`` sources whose manifest ``file_sha256`` or
    ``manifest_folder`` is a plain digest (stored before they were keyed): the folder's is a digest of a path that may
    name a customer, guessed back offline."""
    plain = " OR ".join(
        f"NOT starts_with(coalesce(json_extract_string(r.metadata, '$.{k}'), 'hmac:'), 'hmac:')"
        for k in _MANIFEST_DIGESTS
    )
    return con.execute(
        "SELECT r.record_id, r.metadata FROM records r JOIN sources s USING (source_id)"
        f" WHERE s.pii_expected AND ({plain}) ORDER BY 1"
    ).fetchall()


def _key_manifest_digests(con: duckdb.DuckDBPyConnection, key: PiiKey) -> int:
    """The plain manifest digests of :func:`_plain_manifest_digests` keyed in place, as a keyed ingest stores them
    (:meth:`KeyedIds.file_digest`, :meth:`KeyedIds.folder_digest`)."""
    import json

    keyed = KeyedIds(key)
    how = {"file_sha256": keyed.file_digest, "manifest_folder": keyed.folder_digest}
    ids, metas = [], []
    for rid, meta in _plain_manifest_digests(con):
        m = json.loads(meta)
        m.update({k: how[k](m[k]) for k in _MANIFEST_DIGESTS if isinstance(m.get(k), str)})
        ids.append(rid)
        metas.append(json.dumps(m, ensure_ascii=False))
    if not ids:
        return 0
    with db.arrow_scan(con, "_rk_meta", pa.table({"record_id": ids, "metadata": metas})):
        con.execute("UPDATE records SET metadata = m.metadata FROM _rk_meta m WHERE records.record_id = m.record_id")
    return len(ids)


def _plain_email_digests(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Plain sha256 digests of annotators' e-mails stored before issue 13 (``annotations``)."""
    if not _has(con, "annotations"):
        return []
    return [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT annotator_email_sha256 FROM annotations WHERE annotator_email_sha256 IS NOT NULL"
            " AND NOT starts_with(annotator_email_sha256, 'hmac:')"
        ).fetchall()
    ]


def _key_email_digests(con: duckdb.DuckDBPyConnection, key: PiiKey, plain: list[str]) -> int:
    """Annotators' e-mail digests (``annotations``, the actor in ``pii_allowlist``) keyed in place."""
    if not plain:
        return 0
    from curate.pii.keyed_ids import key_email_digest

    con.register("_mail", pa.table({"plain": plain, "keyed": [key_email_digest(key, p) for p in plain]}))
    try:
        n = con.execute(
            "UPDATE annotations SET annotator_email_sha256 = m.keyed FROM _mail m"
            " WHERE annotations.annotator_email_sha256 = m.plain"
        ).fetchone()[0]
        if _has(con, "pii_allowlist"):  # actor: bank/ls-user:ID/<digest>
            con.execute(
                "UPDATE pii_allowlist SET annotator = replace(annotator, '/' || m.plain, '/' || m.keyed)"
                " FROM _mail m WHERE ends_with(pii_allowlist.annotator, '/' || m.plain)"
            )
    finally:
        con.unregister("_mail")
    return n


def key_sealed_digests(
    con: duckdb.DuckDBPyConnection,
    key: PiiKey,
    digests: list[tuple[str, str]],
    run_id: str,
    redeclared: set[int] | None = None,
) -> int:
    """Sealing: the versions among ``digests`` (``(record_id, keyed digest)``, the PII stage's
    :meth:`~curate.stages.pii.PiiStage._key_sealed`) whose digest is plain get the keyed one.

    Ids do not change (a source not marked ``pii_expected`` keeps plain ids). Call inside the caller's
    transaction, once per seal (not per chunk of texts): it re-declares the digest of every ingest batch
    it touches, which reads the batch's members.
    """
    if not digests:
        return 0
    table = pa.table({"record_id": [d[0] for d in digests], "new_sha": [d[1] for d in digests]})
    with db.arrow_scan(con, "_seal_rows", table):
        plain = con.execute(
            "SELECT r.record_id, r.licence_id, s.new_sha FROM records r JOIN _seal_rows s ON s.record_id = r.record_id"
            " WHERE r.content_sha256 IS NOT NULL AND NOT starts_with(r.content_sha256, 'hmac:')"
            " AND r.source_id NOT IN (SELECT source_id FROM sources WHERE pii_expected) ORDER BY r.record_id"
        ).fetchall()
    if not plain:
        return 0
    changes = [Change(rid, rid, sha, lic, True) for rid, lic, sha in plain]
    return apply_changes(
        con, key, changes, run_id=run_id, stage="pii", reason="sealed", redeclared=redeclared
    ).digests_keyed
