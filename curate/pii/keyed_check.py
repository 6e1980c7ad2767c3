"""Keyed checks for `curate audit verify` when the PII key is at hand (issue 12 §2).

The ledger's cross-checks (:mod:`provenance.crosscheck`) see digests and ciphertexts but no key.
With ``CURATE_PII_KEY``/``CURATE_PII_KEY_FILE`` set, this also proves that:

* every sealed raw text in ``raw_vault`` decrypts (AES-GCM: the ciphertext and its record binding
  are authentic) and hashes to its record's ``content_sha256`` (plain sha256, or the keyed
  ``hmac:`` digest of issue 13), so the vault still holds the text the ledger recorded;
* sealed raw titles and metadata decrypt;
* every name in ``pii_source_names`` decrypts and its keyed digest is the one stored beside it.

Without the key `verify` says that these were not checked.
"""

from __future__ import annotations

import hashlib
from typing import Any

import duckdb

from curate.pii.keys import PiiKey
from curate.pii.source_names import _aad
from curate.pii.vault import decrypt
from provenance.errors import ConfigError
from provenance.records import is_keyed_digest


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            f"SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = '{table}'"
        ).fetchall()[0][0]
    )


def verify_keyed(con: duckdb.DuckDBPyConnection, key: PiiKey) -> dict[str, Any]:
    """``{checked, problems, other_key}``: vault rows and source names checked with ``key``."""
    problems: list[str] = []
    checked = other_key = 0
    if _has(con, "raw_vault"):
        rows = con.execute(
            "SELECT v.record_id, v.nonce, v.ciphertext, v.key_id, r.content_sha256 FROM raw_vault v"
            " LEFT JOIN records r USING (record_id) ORDER BY v.record_id"
        ).fetchall()
        for vid, nonce, ct, key_id, digest in rows:
            if key_id != key.key_id:
                other_key += 1
                continue
            checked += 1
            try:
                plain = decrypt(key, vid, bytes(nonce), bytes(ct))
            except ConfigError:
                problems.append(f"raw_vault `{vid}`: does not decrypt (altered, or bound to another record)")
                continue
            expected = (
                key.content_digest(plain)
                if is_keyed_digest(digest)
                else hashlib.sha256(plain.encode("utf-8", "surrogatepass")).hexdigest()
            )
            if digest is not None and expected != digest:
                problems.append(f"raw_vault `{vid}`: the sealed text does not hash to the record's content_sha256")
    if _has(con, "pii_source_names"):
        for source_id, digest, nonce, ct, key_id in con.execute(
            "SELECT source_id, digest, nonce, ciphertext, key_id FROM pii_source_names ORDER BY ALL"
        ).fetchall():
            if key_id != key.key_id:
                other_key += 1
                continue
            checked += 1
            try:
                name = decrypt(key, _aad(source_id, digest), bytes(nonce), bytes(ct))
            except ConfigError:
                problems.append(f"pii_source_names {source_id}/{digest[:12]}…: does not decrypt")
                continue
            if key.digest("PERSON", name) != digest:
                problems.append(f"pii_source_names {source_id}/{digest[:12]}…: keyed digest does not match the name")
    return {"checked": checked, "problems": problems, "other_key": other_key}
