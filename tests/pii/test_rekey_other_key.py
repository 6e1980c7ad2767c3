"""`curate pii rekey` with a PII key other than the catalogue's.

The rekey checked the key of the sealed raw texts it re-sealed, nothing else: in a catalogue with a source keyed at
ingest under the catalogue's key and an older one with plain ids that nothing had sealed yet, a rekey under another
key (a test key left in the shell) keyed the old source under that key, exit 0: two keys in one catalogue, the
records of one no longer found by a re-ingest, the other refused by every command that checks the key.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from pii_oracle import CASE, KEY, _plain_path

OTHER_KEY = "c3" * 32


def _rows(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT record_id, content_sha256 FROM records ORDER BY ALL").fetchall()
    finally:
        con.close()


def test_rekey_refuses_another_key_than_the_catalogues(tmp_path, cli, monkeypatch):
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    db = tmp_path / "c.duckdb"
    fsc = tmp_path / "fsc"
    fsc.mkdir()
    (fsc / "case.html").write_text(CASE, encoding="utf-8")
    with monkeypatch.context() as m:  # made before keyed ids: plain ids, nothing sealed
        _plain_path(m)
        code, out, err = cli("-q", "ingest", "fsc", str(fsc), db=db)
        assert code == 0, out + err
    calls = tmp_path / "calls.jsonl"
    calls.write_text(json.dumps({"id": "1", "text": "客戶王小明手機0912345678。"}, ensure_ascii=False) + "\n")
    code, out, err = cli("-q", "ingest", "moda", str(calls), "--licence", "OGDL-Taiwan-1.0", "--pii-expected", db=db)
    assert code == 0, out + err
    before = _rows(db)
    assert any(d.startswith("hmac:") for _, d in before) and not all(d.startswith("hmac:") for _, d in before)

    monkeypatch.setenv("CURATE_PII_KEY", OTHER_KEY)
    code, out, err = cli("pii", "rekey", db=db)
    assert code == 2 and "another PII key" in err and len(err.strip().splitlines()) == 1, out + err
    assert _rows(db) == before

    monkeypatch.setenv("CURATE_PII_KEY", KEY)  # the catalogue's key: rekeyed
    code, out, err = cli("pii", "rekey", db=db)
    assert code == 0 and "rekeyed" in out, out + err
    assert all(d.startswith("hmac:") for _, d in _rows(db))
