"""Raw text out of reach: AES-GCM encryption of raw versions' text at rest.

Once a record has a scrubbed successor (``pii_state='raw'``), :func:`seal_raw_records` moves its
text into ``raw_vault`` (nonce + ciphertext, authenticated with the record id as associated data)
and sets ``records.text`` to NULL, so `curate sql`, audit queries, exports and Label Studio only
ever see ciphertext. The pipeline reads it back with :func:`read_raw` and the key.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

from curate.pii.keys import PiiKey
from provenance import db
from provenance.errors import CatalogueError, ConfigError
from provenance.terms_seal import metadata_terms, reseal
from provenance.version_chain import ancestors_cte

NONCE_BYTES = 12


def encrypt(key: PiiKey, record_id: str, text: str) -> tuple[bytes, bytes]:
    """(nonce, ciphertext) of ``text`` bound to ``record_id``."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(key.vault_key).encrypt(nonce, text.encode("utf-8"), record_id.encode("utf-8"))


def decrypt(key: PiiKey, record_id: str, nonce: bytes, ciphertext: bytes) -> str:
    """Inverse of :func:`encrypt`; raises ConfigError for a wrong key or tampered data (a nonce cut or grown past
    what AES-GCM takes is a ValueError of `cryptography`, "Nonce must be between 8 and 128 bytes": review 13's
    traceback of `curate pii scan` on such a row)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(key.vault_key).decrypt(nonce, ciphertext, record_id.encode("utf-8")).decode("utf-8")
    except (InvalidTag, ValueError) as exc:
        raise ConfigError(
            f"cannot decrypt the raw text of `{record_id}`: wrong PII key (key id {key.key_id}) "
            "or the vault row was altered"
        ) from exc


def sealed_texts(con, key: PiiKey, problems: list[str] | None = None) -> Iterator[tuple[str, str]]:
    """``(record id, raw text)`` of every ``raw_vault`` row. A row sealed under ``key`` that does not decrypt
    (altered: another row's ciphertext, a nonce cut short) is named in ``problems`` as `curate audit verify` names
    it and skipped (`curate pii scan` printed a traceback on a malformed nonce, review 13); without ``problems``,
    or for a row of another key, :class:`ConfigError` (wrong PII key) as before."""
    rows = con.execute("SELECT record_id, nonce, ciphertext, key_id FROM raw_vault").fetchall()
    for rid, nonce, ct, key_id in rows:
        try:
            raw = decrypt(key, rid, bytes(nonce), bytes(ct))
        except ConfigError:
            if problems is None or key_id != key.key_id:
                raise
            problems.append(f"raw_vault `{rid}`: does not decrypt (altered, or bound to another record)")
            continue
        yield rid, raw


#: raw texts sealed per step (fetched, re-digested, encrypted, inserted)
SEAL_CHUNK = 5_000


def seal_raw_records(con, key: PiiKey, *, run_id: str | None = None) -> int:
    """Encrypt the text of every ``pii_state='raw'`` record still in clear and NULL it; returns the count.

    A sealed version of a source not marked ``pii_expected`` keeps its plain content digest until the PII stage
    keys it (:meth:`curate.stages.pii.PiiStage._key_sealed`, once per run: issue 13).
    """
    # earlier versions of a raw record (ingest, hygiene ...) carry the same personal data: seal them too
    parents = "SELECT version_of FROM records WHERE pii_state = 'raw' AND version_of IS NOT NULL"
    con.execute(
        f"WITH RECURSIVE {ancestors_cte('anc', parents)} UPDATE records SET pii_state = 'raw'"
        " WHERE record_id IN (SELECT record_id FROM anc) AND pii_state IS NULL AND status <> 'active'"
    )
    # what this seal seals, in one scan of `records` (the title, metadata and text seals below read it instead
    # of scanning `records` again each: per load batch and name-scrub step, those scans grew with the catalogue)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _to_seal AS"
        " SELECT record_id, doc_key, text FROM records WHERE pii_state = 'raw' AND text IS NOT NULL"
    )
    # the raw and scrubbed versions of those documents, read from `records` once for both field seals (each
    # joined `records` with itself: four scans of the catalogue per seal, 13 s of a 1M-record PII run)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _seal_docs AS"
        " SELECT record_id, doc_key, pii_state, title, metadata, created_at FROM records"
        " WHERE pii_state IN ('raw', 'scrubbed') AND doc_key IN (SELECT DISTINCT doc_key FROM _to_seal)"
    )
    _seal_raw_titles(con, key)
    _seal_raw_metadata(con, key, run_id)
    con.execute("DROP TABLE _seal_docs")
    # ids first, texts SEAL_CHUNK at a time: a run's last seal can hold every record that source-name
    # propagation superseded (100k+ at 1M records), so Python holds one chunk of texts, not all of them
    ids = [r[0] for r in con.execute("SELECT record_id FROM _to_seal ORDER BY record_id").fetchall()]
    for lo in range(0, len(ids), SEAL_CHUNK):
        rows = con.execute(
            "SELECT record_id, text FROM _to_seal WHERE record_id IN (SELECT unnest($ids)) ORDER BY record_id",
            {"ids": ids[lo : lo + SEAL_CHUNK]},
        ).fetchall()
        sealed = []
        for rid, text in rows:
            nonce, ct = encrypt(key, rid, text)
            sealed.append((rid, nonce, ct, key.key_id))
        del rows
        _vault_insert(con, sealed)
    if ids:
        con.execute("UPDATE records SET text = NULL WHERE pii_state = 'raw' AND text IS NOT NULL")
        drop_sealed_index(con, "SELECT record_id FROM _to_seal")
    con.execute("DROP TABLE IF EXISTS _to_seal")  # not in a finally: after an error the transaction is aborted
    return len(ids)


#: the dedup index's tables keyed by record: their rows hold unkeyed digests of the record's text (blake2b
#: ``exact_key``/``strict_key``, MinHash and its LSH bands)
DEDUP_INDEX_TABLES = ("dedup_signatures", "dedup_buckets")


def drop_sealed_index(con, ids: str = "SELECT record_id FROM records WHERE pii_state = 'raw'") -> int:
    """Drop the dedup index rows of the sealed raw versions in the query ``ids``; returns the count.

    A raw version dedup indexed before the PII stage scrubbed it (a dedup run before ``curate run pii``, or a source
    not marked ``pii_expected``) kept unkeyed digests of its raw text in the index, read by ``curate sql``, after its
    text was sealed and its content digest keyed (review 15; ``curate pii rekey`` drops them the same way). Its
    duplicates were released when it was superseded (:func:`provenance.dedup_release.release_superseded`, before
    the seal), so nothing reads those rows again."""
    n = 0
    for t in DEDUP_INDEX_TABLES:
        if con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?", [t]
        ).fetchone()[0]:
            n += con.execute(f"DELETE FROM {t} WHERE record_id IN ({ids})").fetchone()[0]
    return n


def seal_texts(con, key: PiiKey, items: list[tuple[str, str]]) -> int:
    """Seal ``(vault id, text)`` pairs that have no record row (e.g. an annotator's comment,
    :func:`annotation.decide.vault_id`): encrypted and bound to the id like a raw version's text; returns the count."""
    if not items:
        return 0
    _vault_insert(con, [(vid, *encrypt(key, vid, text), key.key_id) for vid, text in items])
    return len(items)


#: fields of ``annotations.result`` that catalogues from before review round 3 kept in the clear
_TYPED_FIELDS = (("comment", "comment"), ("corrected_text", "corrected"))


def seal_annotation_texts(con, key: PiiKey, run_id: str | None = None) -> int:
    """Seal text a person typed that an older pull left in ``annotations.result`` (``comment``,
    ``corrected_text``) as a pull now does (:mod:`annotation.decide`); returns the annotations rewritten.

    The result keeps the lengths and names the vault rows (``sealed``); called by the PII stage's last step. A
    ledger event (``annotation_texts_sealed``) names the key id, which audit verify asks of every vault row.
    """

    from annotation.decide import vault_id

    rows = con.execute(
        "SELECT instance, ls_annotation_id, result FROM annotations WHERE json_extract_string(result, '$.comment')"
        " IS NOT NULL OR json_extract_string(result, '$.corrected_text') IS NOT NULL"
    ).fetchall()
    items, results = [], []
    for instance, ann_id, raw in rows:
        result = json.loads(raw)
        sealed = dict(result.get("sealed") or {})
        for field, name in _TYPED_FIELDS:
            text = result.pop(field, None)
            if isinstance(text, str) and text:
                vid = vault_id(instance, ann_id, name)
                items.append((vid, text))
                sealed[name] = vid
                result[f"{name}_chars"] = len(text)
        result["sealed"] = sealed
        results.append((json.dumps(result, ensure_ascii=False), instance, ann_id))
    seal_texts(con, key, items)
    if results:
        con.executemany("UPDATE annotations SET result = ? WHERE instance = ? AND ls_annotation_id = ?", results)
        from provenance import ledger

        detail = {"annotations": len(results), "sealed": len(items), "key_id": key.key_id}
        ledger.append(con, [ledger.Event(stage="pii", action="annotation_texts_sealed", run_id=run_id, detail=detail)])
    return len(results)


def _vault_insert(con, sealed: list[tuple[str, bytes, bytes, str]]) -> None:
    """Insert ``(vault id, nonce, ciphertext, key id)`` rows in one set-based statement.

    Row-by-row ``executemany`` keeps every statement's state in memory until the commit, which
    fails under the runner's capped buffer pool on large runs.
    """
    import pyarrow as pa

    table = pa.table(
        {
            "record_id": pa.array([x[0] for x in sealed], pa.string()),
            "nonce": pa.array([x[1] for x in sealed], pa.binary()),
            "ciphertext": pa.array([x[2] for x in sealed], pa.binary()),
            "key_id": pa.array([x[3] for x in sealed], pa.string()),
        }
    )
    with db.arrow_scan(con, "_sealed", table):  # freed after the insert, not at the commit
        con.execute(
            "INSERT INTO raw_vault (record_id, nonce, ciphertext, key_id, sealed_at) "
            "SELECT record_id, nonce, ciphertext, key_id, now()::TIMESTAMP FROM _sealed ON CONFLICT DO NOTHING"
        )


def title_vault_id(record_id: str) -> str:
    """Vault key of a record's raw title."""
    return f"{record_id}#title"


def metadata_vault_id(record_id: str) -> str:
    """Vault key of a record's raw metadata."""
    return f"{record_id}#metadata"


def _seal_raw_titles(con, key: PiiKey) -> int:
    """Raw records whose title was scrubbed in a successor: encrypt the title, show the scrubbed one."""
    return len(_seal_raw_field(con, key, "title", "{}.title", "#title"))


def _seal_raw_metadata(con, key: PiiKey, run_id: str | None) -> int:
    """Raw records whose metadata was scrubbed in a successor: encrypt it, show the scrubbed one.

    Where that changes the licence terms they show (a TABF ``licensor`` naming a person), the shown terms are sealed
    anew (:func:`provenance.terms_seal.reseal`): their seal was taken over the raw terms, now in the vault, and
    ``audit verify`` would call the scrubbed ones edited in place."""
    rows = _seal_raw_field(con, key, "metadata", "CAST({}.metadata AS VARCHAR)", "#metadata")
    changed = [rid for rid, raw, shown in rows if metadata_terms(raw) != metadata_terms(shown)]
    if changed:
        reseal(con, changed, run_id=run_id, stage="pii", keyed=key.content_digest, reason="raw metadata vaulted")
    return len(rows)


def _seal_raw_field(con, key: PiiKey, column: str, as_text: str, suffix: str) -> list[tuple[str, str, str]]:
    """Seal ``column`` of raw records whose newest scrubbed successor shows it differently.

    ``as_text`` renders the column as text for alias ``{}``; the raw value goes to the vault under
    ``record_id + suffix`` and the record shows the scrubbed value (one set-based update). Returns the
    ``(record id, raw value, shown value)`` of each sealed version.

    Only documents with a raw version whose text is not sealed yet (``_to_seal``, made by :func:`seal_raw_records`)
    are searched, in their versions' rows (``_seal_docs``, made there too): a new scrubbed version
    is what can make an older raw version's field differ, and it always comes with such a version (its
    parent, sealed in the same call), so a document without one has not changed since the call that
    sealed its last raw text. Searching every document instead made each call a self-join of the whole
    catalogue (1M articles: 5.7 s per run, and out of a 128 MB cap inside a name-scrub step).
    """
    raw, scrubbed = as_text.format("r"), as_text.format("s")
    rows = con.execute(f"""
        SELECT DISTINCT ON (r.record_id) r.record_id, {raw}, {scrubbed}
        FROM _seal_docs r JOIN _seal_docs s ON s.doc_key = r.doc_key AND s.pii_state = 'scrubbed'
        WHERE r.pii_state = 'raw' AND r.{column} IS NOT NULL AND {raw} IS DISTINCT FROM {scrubbed}
          AND NOT EXISTS (SELECT 1 FROM raw_vault v WHERE v.record_id = r.record_id || '{suffix}')
        ORDER BY r.record_id, s.created_at DESC""").fetchall()
    _show_sealed(con, key, column, suffix, rows)
    return rows


def seal_fields(con, key: PiiKey, items: list[tuple[str, str, str, str]], *, run_id: str | None) -> int:
    """Seal ``(record id, column, raw value, shown value)`` items (column ``title`` or ``metadata``, as JSON text):
    the raw value to the vault as :func:`seal_raw_records` seals a raw version's field, the shown one in ``records``
    (a field sealed before keeps its vaulted raw value and shows the new shown one: an earlier version the PII stage
    sealed shows its scrubbed successor's field, which may show the value too); returns how many were sealed."""
    done = {
        r[0]
        for r in con.execute(
            "SELECT record_id FROM raw_vault WHERE record_id IN (SELECT unnest(?::VARCHAR[]))",
            [[rid + _SUFFIX[col] for rid, col, _, _ in items]],
        ).fetchall()
    }
    todo = [i for i in items if i[0] + _SUFFIX[i[1]] not in done]
    for column in ("title", "metadata"):
        rows = [(rid, raw, shown) for rid, col, raw, shown in todo if col == column]
        _show_sealed(con, key, column, _SUFFIX[column], rows)
        again = [(rid, raw, shown) for rid, col, raw, shown in items if col == column and rid + _SUFFIX[col] in done]
        _show(con, column, again)
        changed = [
            rid
            for rid, raw, shown in rows + again
            if column == "metadata" and metadata_terms(raw) != metadata_terms(shown)
        ]
        if changed:
            reseal(con, changed, run_id=run_id, stage="pii", keyed=key.content_digest, reason="raw metadata vaulted")
    return len(todo)


_SUFFIX = {"title": "#title", "metadata": "#metadata"}


def _show_sealed(con, key: PiiKey, column: str, suffix: str, rows: list[tuple[str, str, str]]) -> None:
    """Encrypt each ``(record id, raw value, shown value)``'s raw value under ``record id + suffix`` and show the
    shown value in ``column``."""
    if not rows:
        return
    sealed = []
    for rid, value, _ in rows:
        vid = rid + suffix
        nonce, ct = encrypt(key, vid, value)
        sealed.append((vid, nonce, ct, key.key_id))
    _vault_insert(con, sealed)
    _show(con, column, rows)


def _show(con, column: str, rows: list[tuple[str, str, str]]) -> None:
    """Show each ``(record id, raw value, shown value)``'s shown value in ``column``."""
    if not rows:
        return
    import pyarrow as pa

    shown = pa.table(
        {
            "record_id": pa.array([r[0] for r in rows], pa.string()),
            "value": pa.array([r[2] for r in rows], pa.string()),
        }
    )
    with db.arrow_scan(con, "_shown", shown):
        con.execute(f"UPDATE records SET {column} = u.value FROM _shown u WHERE records.record_id = u.record_id")


def vault_terms_function(key: PiiKey | None):
    """What ``audit verify`` needs to check licence terms sealed before the vault took them
    (:data:`provenance.terms_seal.VaultTerms`; None without the key): a catalogue whose PII stage ran before keyed
    seals sealed a raw version's terms in plain and then showed them scrubbed, the raw ones in the vault."""
    if key is None:
        return None

    def vault_terms(con, record_id: str, shown: str | None) -> str | None:
        vid = metadata_vault_id(record_id)
        row = con.execute("SELECT nonce, ciphertext FROM raw_vault WHERE record_id = ?", [vid]).fetchone()
        if row is None:
            return None
        try:
            raw = metadata_terms(decrypt(key, vid, bytes(row[0]), bytes(row[1])))
        except ConfigError:  # another key, or an altered row: the keyed vault checks name it
            return None
        return raw if raw is not None and shown is not None and scrub_of(json.loads(shown), json.loads(raw)) else None

    return vault_terms


def scrub_of(shown, raw) -> bool:
    """Whether the JSON value ``shown`` is ``raw`` with personal values replaced by placeholders or pseudonyms
    (:data:`curate.pii.scrubber.PLACEHOLDER_RE`): the same keys and items, each string equal or the raw one with
    parts replaced; anything else (an audience, an expiry) equal.

    >>> scrub_of({"licensor": "講師〔姓名〕 〔電話〕", "audience": "consortium"},
    ...          {"licensor": "講師吳雅婷 0933-185-246", "audience": "consortium"})
    True
    >>> scrub_of({"licensor": "講師〔姓名〕", "audience": "public"}, {"licensor": "講師吳雅婷", "audience": "consortium"})
    False
    """
    import re

    from curate.pii.scrubber import PLACEHOLDER_RE

    if isinstance(shown, dict) and isinstance(raw, dict):
        return shown.keys() == raw.keys() and all(scrub_of(shown[k], raw[k]) for k in shown)
    if isinstance(shown, list) and isinstance(raw, list):
        return len(shown) == len(raw) and all(scrub_of(a, b) for a, b in zip(shown, raw, strict=True))
    if isinstance(shown, str) and isinstance(raw, str) and shown != raw:
        pattern = ".+?".join(re.escape(part) for part in PLACEHOLDER_RE.split(shown))
        return PLACEHOLDER_RE.search(shown) is not None and re.fullmatch(pattern, raw, re.DOTALL) is not None
    return type(shown) is type(raw) and shown == raw


def read_raw(con, record_id: str, key: PiiKey) -> str:
    """The raw text of a sealed record (for the pipeline, e.g. to re-scrub with better recognizers)."""
    row = con.execute("SELECT nonce, ciphertext FROM raw_vault WHERE record_id = ?", [record_id]).fetchone()
    if row is None:
        clear = con.execute("SELECT text FROM records WHERE record_id = ?", [record_id]).fetchone()
        if clear is not None and clear[0] is not None:
            return clear[0]
        raise CatalogueError(f"no raw text for record `{record_id}` (not in the catalogue or the vault)")
    return decrypt(key, record_id, bytes(row[0]), bytes(row[1]))
