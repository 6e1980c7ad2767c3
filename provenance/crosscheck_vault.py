"""Cross-checks of the sealed PII tables (part of ``audit verify``, :mod:`provenance.crosscheck`): every sealed raw
version still has its ciphertext in ``raw_vault``, no sealed row is relabelled to a key id the ledger never named,
and every source name a PII run stored (``pii_source_names_stored``) still has its row."""

from __future__ import annotations

import duckdb

from provenance.crosscheck_base import LEDGER_KEY_IDS, CrossCheck, has_table, ids


def check_vault(con: duckdb.DuckDBPyConnection, res: CrossCheck) -> None:
    """Every sealed raw version (``pii_state`` raw, text cleared) still has its ciphertext in ``raw_vault``; the
    keyed checks (with the PII key) then prove each one decrypts to the recorded digest. Sealing is the one
    thing that clears a text: any other version without one lost it."""
    res.add(
        "records",
        "text removed (NULL) although the version was never sealed (an export would ship it empty)",
        *ids(
            con,
            "SELECT record_id FROM records WHERE text IS NULL AND pii_state IS DISTINCT FROM 'raw'"
            " AND content_sha256 IS NOT NULL",
        ),
    )
    if not has_table(con, "raw_vault"):
        return
    # a row relabelled to another key would be skipped by the keyed checks as "sealed under another key"
    known = LEDGER_KEY_IDS
    for table, what in (("raw_vault", "record_id"), ("pii_source_names", "source_id || '/' || left(digest, 12)")):
        if has_table(con, table) and con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:
            res.add(
                "records",
                f"{table} row sealed under a key id that no ledger event names (relabelled; its checks would be skipped)",
                *ids(con, f"SELECT {what} FROM {table} WHERE key_id IS NULL OR key_id NOT IN ({known})"),
            )
    if has_table(con, "pii_source_names"):
        res.add(
            "records",
            "pii_source_names row the ledger recorded (pii_source_names_stored) is missing: deleted, the PII stage no"
            " longer scrubs that name in the source's next records and `pii scan` no longer looks for it",
            *ids(
                con,
                """SELECT s || '/' || left(d, 12) FROM (
                     SELECT json_extract_string(detail, '$.source_id') AS s, unnest(
                            json_extract_string(detail, '$.digests[*]')) AS d
                     FROM provenance_events WHERE action = 'pii_source_names_stored') e
                   WHERE NOT EXISTS (SELECT 1 FROM pii_source_names n WHERE n.source_id = e.s AND n.digest = e.d)""",
            ),
        )
    res.add(
        "records",
        "sealed raw version without its raw_vault row (the raw text is lost)",
        *ids(
            con,
            "SELECT r.record_id FROM records r WHERE r.pii_state = 'raw' AND r.text IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM raw_vault v WHERE v.record_id = r.record_id)",
        ),
    )
