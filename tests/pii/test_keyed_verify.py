"""`curate audit verify` checks the raw-text vault and keyed digests when the PII key is set (issue 12 §2)."""

from __future__ import annotations

import json

import duckdb
from catalogue_builder import add_records, add_source

from provenance import db, runs

KEY = "5e" * 32
RECORDS = {
    "c/1": "受處分人：王大明，身分證統一編號A123456789，電話0912-345-678。",
    "c/2": "受處分人：陳小華，住臺北市中正區重慶南路一段122號。",
    "c/3": "本會依銀行法第一百二十九條規定核處罰鍰。",
}


def test_vault_checked_with_the_key_and_said_so_without(db_path, cli, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "s", pii_expected=True)
    add_records(
        con, [{"source_id": "s", "locator": k, "text": t, "doc_key": k} for k, t in RECORDS.items()], run_id=run_id
    )
    runs.finish_run(con, run_id)
    con.close()
    code, out, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    con = duckdb.connect(str(db_path), read_only=True)
    sealed = con.execute("SELECT count(*) FROM raw_vault").fetchone()[0]
    con.close()
    assert sealed >= 2

    code, out, err = cli("audit", "verify", "--json")
    rep = json.loads(out)
    assert rep["keyed"]["checked"] >= sealed and rep["keyed"]["problems"] == [], out + err
    code, out, _ = cli("audit", "verify")
    assert "keyed checks ok" in out

    monkeypatch.delenv("CURATE_PII_KEY")
    code, out, _ = cli("audit", "verify")
    assert "CURATE_PII_KEY not set" in out and "not checked" in out

    # swap two sealed texts: each is bound to its record id, so neither decrypts any more
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    con = duckdb.connect(str(db_path))
    a, b = con.execute(
        "SELECT v.record_id FROM raw_vault v JOIN records r USING (record_id) ORDER BY 1 LIMIT 2"
    ).fetchall()
    con.execute(
        "UPDATE raw_vault SET ciphertext = (SELECT ciphertext FROM raw_vault WHERE record_id = ?),"
        " nonce = (SELECT nonce FROM raw_vault WHERE record_id = ?) WHERE record_id = ?",
        [b[0], b[0], a[0]],
    )
    con.close()
    code, out, _ = cli("audit", "verify")
    assert code == 1 and f"raw_vault `{a[0]}`: does not decrypt" in out, out

    # a correctly encrypted but different text (someone with the key): the digest check names it
    from curate.pii.keys import load_key
    from curate.pii.vault import encrypt

    nonce, ct = encrypt(load_key(), a[0], "偽造的原文。")
    con = duckdb.connect(str(db_path))
    con.execute("UPDATE raw_vault SET nonce = ?, ciphertext = ? WHERE record_id = ?", [nonce, ct, a[0]])
    con.close()
    code, out, _ = cli("audit", "verify")
    assert code == 1 and "does not hash to the record's content_sha256" in out, out
