"""Keyed record ids and content digests for sources marked ``pii_expected`` (issue 13, leak 5).

A plain sha256 of a short record's raw text is a brute-force oracle: with the span offsets in the
ledger, guessing a name and a phone number and hashing the candidates recovered them in seconds.
So for ``pii_expected`` sources the ingest driver derives ``record_id`` and ``content_sha256`` with
HMAC-SHA256 under a sub-key of the PII key (derivation in :mod:`curate.pii.keys`), versions derived
before the PII stage (e.g. hygiene) get keyed ids and digests too, and a sealed raw version of any
source has its plain digest replaced by the keyed one. Laws and textbooks keep plain sha256.

Every keyed value is an HMAC of the *plain* id or digest (derivation in :mod:`curate.pii.keys`), so
``curate pii rekey`` turns an old catalogue into exactly what a fresh keyed ingest gives. The kernel
(:mod:`provenance`) never holds the key: checks are handed a digest function. :class:`KeyedIds` is
what the ingest driver and the runner use.
"""

from __future__ import annotations

import hashlib
import shlex
from collections.abc import Callable

from curate.pii.keys import ENV_KEY, ENV_KEY_FILE, MIN_KEY_BYTES, PiiKey, key_file_as_read_before, load_key
from provenance import db
from provenance.errors import KeyRequiredError, UsageError
from provenance.records import KEYED_PREFIX, derived_record_id, ingest_record_id

__all__ = ["KEYED_PREFIX", "KeyedIds", "digest_function", "refuse_other_key", "refuse_other_set_key", "require_key"]


def require_key(what: str, where: str) -> PiiKey:
    """The PII key, or :class:`KeyRequiredError` (exit 2) saying what needs it, where and how to fix it."""
    key = load_key(required=False)
    if key is None:
        raise KeyRequiredError(
            f"{where}: {what} are derived with a keyed hash (HMAC-SHA256 under the PII key) so that they "
            f"cannot be used to guess personal data; set {ENV_KEY} (random bytes as hex, at least {MIN_KEY_BYTES}: "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`; a passphrase can be guessed offline from "
            f"the key id in the ledger) or {ENV_KEY_FILE} (path to a key file) and run the command again; nothing was written"
        )
    return key


class KeyedIds:
    """Keyed id and digest functions under one key (deterministic: same key, same input, same id)."""

    def __init__(self, key: PiiKey) -> None:
        self.key = key

    def record_id(self, source_id: str, locator: str, text: str, version_meta: str | None) -> str:
        """Keyed id of an ingested record: the plain :func:`provenance.records.ingest_record_id`, keyed."""
        return self.key_record_id(ingest_record_id(source_id, locator, text, version_meta))

    def key_record_id(self, plain_id: str) -> str:
        """The keyed form of a plain ingest record id (a fresh ingest and ``curate pii rekey`` agree)."""
        return self.key.keyed_hex("record-id", plain_id.encode())

    def derived_id(self, parent_id: str, stage: str, text: str) -> str:
        """Keyed :func:`provenance.records.derived_record_id` (a version derived before the PII stage)."""
        return self.key.keyed_hex("derived-id", derived_record_id(parent_id, stage, text).encode())

    def content(self, text: str) -> str:
        """Keyed content digest (``hmac:`` + 64 hex)."""
        return self.key.content_digest(text)

    def file_digest(self, plain_hex: str) -> str:
        """Keyed digest of a source file (``hmac:`` + 64 hex) from its plain sha256: a short file's plain digest
        could be brute-forced back to its personal values as a short text's can (``file_sha256`` metadata)."""
        if plain_hex.startswith(KEYED_PREFIX):
            return plain_hex
        return KEYED_PREFIX + self.key.keyed_hex("file-sha256", plain_hex.encode())

    def folder_digest(self, plain: str) -> str:
        """Keyed ``manifest_folder`` (``hmac:`` + 64 hex) from :func:`sources.manifest_rows.folder_key`: that is an
        unkeyed digest of the folder's path, and a folder named for a customer (``客戶_王小明_A123456789/``) is
        guessed back from it offline by trying the ID numbers under the known rest of the path."""
        if plain.startswith(KEYED_PREFIX):
            return plain
        return KEYED_PREFIX + self.key.keyed_hex("manifest-folder", plain.encode())


def digest_function(key: PiiKey | None) -> Callable[[str], str] | None:
    """What :func:`provenance.crosscheck.crosscheck` needs to recompute keyed digests (None: no key)."""
    return key.content_digest if key is not None else None


def key_pre_pii_results(con, stage: str, *, within: tuple[int, int] | None = None) -> Callable[[str], str] | None:
    """Give the stage results in the temp table ``_res`` keyed ids and digests where they need them.

    A version derived before the PII stage from a record with a keyed digest (e.g. hygiene of an FSC
    record) holds the same raw text: its ``new_id`` becomes the keyed derived id and ``k_sha`` (added
    to ``_res``, NULL elsewhere) its keyed digest. Called by the runner's load inside its transaction;
    returns the keyed digest function when a result was keyed (it seals those versions' licence terms too:
    :func:`provenance.records.insert_versions`), else None. Needs the key only when there is such a result. ``within``: the row
    positions between which every result's record lies (the load's, exact in its transaction): only those are read.
    """
    con.execute("ALTER TABLE _res ADD COLUMN IF NOT EXISTS k_sha VARCHAR")
    parents = (
        "records"
        if within is None
        else f"(SELECT * FROM records WHERE rowid BETWEEN {int(within[0])} AND {int(within[1])})"
    )
    rows = con.execute(f"""
        SELECT x.ord, x.record_id, x.new_text FROM _res x JOIN {parents} p ON p.record_id = x.record_id
        WHERE x.new_text IS NOT NULL AND starts_with(coalesce(p.content_sha256, ''), '{KEYED_PREFIX}')
          AND coalesce(json_extract_string(x.fields, '$.pii_state'), p.pii_state, 'raw') NOT IN ('clean', 'scrubbed')
        ORDER BY x.ord""").fetchall()
    if not rows:
        return None
    import pyarrow as pa

    keyed = KeyedIds(require_key("ids and digests of versions derived before the PII stage", f"stage `{stage}`"))
    keyed_res = pa.table(
        {
            "ord": pa.array([r[0] for r in rows], pa.int64()),
            "new_id": pa.array([keyed.derived_id(r[1], stage, r[2]) for r in rows], pa.string()),
            "k_sha": pa.array([keyed.content(r[2]) for r in rows], pa.string()),
        }
    )
    with db.arrow_scan(con, "_keyed_res", keyed_res):
        con.execute("UPDATE _res SET new_id = k.new_id, k_sha = k.k_sha FROM _keyed_res k WHERE _res.ord = k.ord")
    return keyed.content


def annotator_email_digest(key: PiiKey | None) -> Callable[[str], str] | None:
    """``e-mail -> "hmac:" + keyed hex`` for ``annotations.annotator_email_sha256`` (None without a key).

    Keyed over the plain sha256 of the (already normalised) address, so ``curate pii rekey`` turns a plain
    digest stored before issue 13 into exactly this value (:func:`key_email_digest`).
    """
    if key is None:
        return None
    return lambda email: key_email_digest(key, hashlib.sha256(email.encode()).hexdigest())


def key_email_digest(key: PiiKey, plain_hex: str) -> str:
    """The keyed form of a plain sha256 of an annotator's e-mail."""
    return KEYED_PREFIX + key.keyed_hex("annotator-email", plain_hex.encode())


def refuse_plain_catalogue(con, source_ids: set[str], where: str) -> None:
    """Refuse a keyed ingest into a catalogue whose records of these sources still have plain ids.

    Every record would come back as a new version of itself (its id changes); ``curate pii rekey``
    rewrites the old ids first, to exactly the ids this ingest gives.
    """
    row = con.execute(
        "SELECT count(*) FROM records WHERE source_id IN (SELECT unnest($s)) AND stage = 'ingest'"
        f" AND content_sha256 IS NOT NULL AND NOT starts_with(content_sha256, '{KEYED_PREFIX}')",
        {"s": sorted(source_ids)},
    ).fetchone()
    if row[0]:
        raise UsageError(
            f"{where}: the catalogue holds {row[0]} records of these sources with plain ids and digests from "
            "before keyed ids (issue 13); run `curate pii rekey` first (it gives them the ids this ingest "
            "derives), then ingest again; nothing was written"
        )


def catalogue_key_ids(con) -> set[str]:
    """The key ids of this catalogue's PII key: those of its sealed rows that a ledger event also names (a row
    written under a wrong key, or relabelled, does not count). Empty when nothing was sealed."""
    from provenance.crosscheck_base import LEDGER_KEY_IDS, has_table

    known: set[str] = set()
    for table in ("raw_vault", "pii_source_names"):
        if has_table(con, table):
            known |= {
                r[0]
                for r in con.execute(
                    f"SELECT DISTINCT key_id FROM {table} WHERE key_id IN ({LEDGER_KEY_IDS})"
                ).fetchall()
            }
    return known


#: keyed ingest texts still in the clear that :func:`is_other_key` hashes: the key is another only if none matches
#: (one text edited in place is not a wrong key)
KEY_PROBES = 50


def is_other_key(con, key: PiiKey) -> tuple[bool, set[str]]:
    """Whether ``key`` is not the key this catalogue's personal data was keyed under, and the catalogue's key ids
    (:func:`catalogue_key_ids`). Its sealed rows' key ids tell; before anything is sealed, the keyed digests of
    ingest texts still in the clear: another key when none of up to :data:`KEY_PROBES` of them matches. False when
    nothing tells (no keyed data)."""
    known = catalogue_key_ids(con)
    if known and key.key_id not in known:
        return True, known
    probes = con.execute(
        "SELECT text, content_sha256 FROM records WHERE stage = 'ingest' AND text IS NOT NULL"
        f" AND starts_with(content_sha256, '{KEYED_PREFIX}') LIMIT {KEY_PROBES}"
    ).fetchall()
    return bool(probes) and all(key.content_digest(t) != d for t, d in probes), known


def refuse_other_set_key(con, where: str) -> None:
    """:func:`refuse_other_key` for the key set now, if one is: a stage run checks it before it starts (a stage before
    the PII stage keyed the versions it derived under whatever key was set, and ``audit verify`` then called them
    tampered)."""
    key = load_key(required=False)
    if key is not None:
        refuse_other_key(con, key, where)


def refuse_other_key(con, key: PiiKey, where: str) -> None:
    """Refuse to write with a PII key other than the one this catalogue's personal data was keyed under.

    With another key, keyed ids, digests and pseudonyms would not match the stored ones (every record of a
    ``pii_expected`` source would come in again as a new version, a file name's pseudonym would name a new
    document) and the vault could not be read. The catalogue's key shows in its sealed rows' key ids and in any
    text of a keyed ingest version still in the clear (one row is enough: its keyed digest under this key).
    Only key ids that a ledger event also names count: a row written under a wrong key by a command that did not
    check it, or relabelled, does not make that key the catalogue's."""
    other, known = is_other_key(con, key)
    if other:
        _refuse_key_file_read_without_its_mark(con, key, where)
        named = f" (key id {', '.join(sorted(known))})" if known else ""
        raise UsageError(
            f"{where}: this catalogue's personal data was keyed under another PII key{named} than the one set now "
            f"(key id {key.key_id}); with it, ids, digests and pseudonyms would not match the stored ones and the "
            f"vault could not be read; set the catalogue's key in {ENV_KEY} or {ENV_KEY_FILE} and run the command "
            "again; nothing was written"
        )


def _refuse_key_file_read_without_its_mark(con, key: PiiKey, where: str) -> None:
    if why := key_file_read_before(con, key, where):
        raise UsageError(why)


def refuse_key_file_read_before(con, key: PiiKey, where: str) -> None:
    """For a reader (``pii scan``): a catalogue keyed under the key file as it was read before was scanned under the
    file as read now, "wrong PII key or the vault row was altered" (as if tampered with), with no way on."""
    if is_other_key(con, key)[0]:
        _refuse_key_file_read_without_its_mark(con, key, where)


def key_file_read_before(con, key: PiiKey, where: str) -> str | None:
    """The key file's UTF-8 byte-order mark was once read as part of the key, and a UTF-16 file (PowerShell 5.1's
    ``>``) as its bytes: a catalogue keyed under such a file then was refused as "keyed under another PII key" under
    the very same file, and nothing said why or how to go on."""
    legacy = key_file_as_read_before()
    if legacy is None or legacy[1] == key or is_other_key(con, legacy[1])[0]:
        return None
    path, old, how = legacy
    # a pipe (`<(cat FILE)`, a mounted secret's way on) has no file to name: the command that gave it is extended
    piped = not path.is_file()
    shown = "COMMAND" if piped else f"cat {shlex.quote(str(path))}"
    told = " (COMMAND: the one inside its `<(...)`)" if piped else ""
    hexed = f"{shown} | od -An -tx1 -v" if piped else f"od -An -tx1 -v {shlex.quote(str(path))}"
    if how == "utf-16":
        return (
            f"{where}: this catalogue was keyed under the PII key file `{path}` as it was read before UTF-16 key files "
            f"were read as text (PowerShell 5.1's `>` writes UTF-16; its bytes were the key: key id {old.key_id}, not "
            f"{key.key_id}); to go on with this catalogue, set {ENV_KEY_FILE}=<({hexed} | tr -d ' \\n'){told} "
            "(those bytes as hex) and run the command again; nothing was written"
        )
    return (
        f"{where}: this catalogue was keyed under the PII key file `{path}` as it was read before its UTF-8 "
        f"byte-order mark was dropped (the mark part of the key: key id {old.key_id}, not {key.key_id}); to go on "
        f'with this catalogue, set {ENV_KEY}="$({shown})"{told} (the mark kept) and unset {ENV_KEY_FILE}, and run the '
        "command again; nothing was written"
    )
