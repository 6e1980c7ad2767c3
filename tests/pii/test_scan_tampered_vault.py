"""`curate pii scan` on a tampered vault row (review 13): a malformed nonce ("Nonce must be between 8 and 128
bytes", a ValueError of `cryptography`) printed a Python traceback; a row that does not decrypt is now named the
way `curate audit verify` names it, the scan goes on and is not clean."""

import json

import duckdb
import pytest
from catalogue_builder import add_records, add_source

from provenance import db, runs

TEXT = "受處分人：林志明\n核處林志明罰鍰，聯絡手機0912345678。"


@pytest.fixture
def scrubbed(db_path, cli, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "4d" * 32)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "fsc", pii_expected=True)
    add_records(con, [{"source_id": "fsc", "locator": "case/1", "text": TEXT}], run_id=run_id)
    runs.finish_run(con, run_id)
    con.close()
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    return db_path


@pytest.mark.parametrize("nonce", [b"", b"abc", b"n" * 200, None])
def test_a_malformed_nonce_is_reported_not_a_traceback(scrubbed, cli, nonce):
    con = duckdb.connect(str(scrubbed))
    (vid,) = con.execute("SELECT record_id FROM raw_vault ORDER BY 1 LIMIT 1").fetchone()
    if nonce is None:  # the column is NOT NULL: a ciphertext cut short instead
        con.execute("UPDATE raw_vault SET ciphertext = '\\x01\\x02'::BLOB WHERE record_id = ?", [vid])
    else:
        con.execute("UPDATE raw_vault SET nonce = ? WHERE record_id = ?", [nonce, vid])
    con.close()
    code, out, err = cli("pii", "scan")
    assert "Traceback" not in out + err, out + err
    assert code == 1 and f"raw_vault `{vid}`: does not decrypt" in out, out + err
    code, out, err = cli("pii", "scan", "--json")
    report = json.loads(out)
    assert code == 1 and any(vid in p for p in report["vault_problems"]), out + err
    code, out, _ = cli("audit", "verify")
    assert code == 1 and f"raw_vault `{vid}`: does not decrypt" in out, out


def test_a_wrong_key_still_stops_in_one_line(scrubbed, cli, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    code, out, err = cli("pii", "scan")
    assert code != 0 and "Traceback" not in out + err and "wrong PII key" in out + err, out + err
