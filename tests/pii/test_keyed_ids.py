"""Issue 13, leak 5 ("guessable digests"): keyed record ids and content digests for pii_expected sources.

A catalogue built by the old code path (plain sha256 ids and digests, ``curate.ingest.keyed_ids``
switched off) is the control: the brute-force oracle works there and must be gone in the new one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from pii_oracle import CASE, KEY, NAME, OTHER, PHONE, _dump, _oracle_hits, _plain_path

from provenance.records import derived_record_id


@pytest.fixture
def fsc_dir(tmp_path: Path) -> Path:
    d = tmp_path / "fsc"
    d.mkdir()
    (d / "case.html").write_text(CASE, encoding="utf-8")
    (d / "other.html").write_text(OTHER, encoding="utf-8")
    return d


def _ingest_and_scrub(cli, db: Path, fsc: Path) -> None:
    code, out, err = cli("-q", "ingest", "fsc", str(fsc), db=db)
    assert code == 0, out + err
    for stage in ("hygiene", "pii"):
        code, out, err = cli("-q", "run", stage, "--workers", "1", db=db)
        assert code == 0, out + err


def test_brute_force_oracle_gone(tmp_path, fsc_dir, cli, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    new = tmp_path / "new.duckdb"
    _ingest_and_scrub(cli, new, fsc_dir)
    assert _oracle_hits(new) == set()

    # the sealed raw versions: no plain digest of their text, and no id a guess could rebuild, anywhere
    from curate.pii.keys import load_key
    from curate.pii.vault import read_raw

    dump = _dump(new)
    con = duckdb.connect(str(new), read_only=True)
    raw = con.execute(
        "SELECT record_id, version_of, stage, content_sha256 FROM records WHERE pii_state = 'raw'"
    ).fetchall()
    assert raw
    for rid, parent, stage, digest in raw:
        text = read_raw(con, rid, load_key())
        assert NAME in text
        assert hashlib.sha256(text.encode()).hexdigest() not in dump
        assert digest.startswith("hmac:")
        if parent:
            assert rid != derived_record_id(parent, stage, text)
    con.close()

    # control: the old code path leaks exactly the true name and phone
    _plain_path(monkeypatch)
    old = tmp_path / "old.duckdb"
    _ingest_and_scrub(cli, old, fsc_dir)
    assert _oracle_hits(old) == {(NAME, PHONE)}


def test_ingest_without_key_refused(fsc_dir, cli, db_path, monkeypatch):
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    code, out, err = cli("ingest", "fsc", str(fsc_dir))
    assert code == 2, out + err
    assert "pii_expected" in err and "CURATE_PII_KEY" in err and "Traceback" not in err
    con = duckdb.connect(str(db_path), read_only=True)
    assert con.execute("SELECT count(*) FROM records").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 0
    con.close()


def test_law_ingest_stays_plain_without_key(cli, db_path, monkeypatch):
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    sample = Path(__file__).resolve().parents[2] / "demo" / "sample" / "law_moj" / "ChLaw.json"
    code, out, err = cli("-q", "ingest", "law-moj", str(sample))
    assert code in (0, 3), out + err
    con = duckdb.connect(str(db_path), read_only=True)
    rows = con.execute("SELECT content_sha256 = sha256(text), count(*) FROM records GROUP BY 1").fetchall()
    con.close()
    assert rows and rows == [(True, rows[0][1])]


def test_ids_deterministic_with_the_key(tmp_path, fsc_dir, cli, monkeypatch):
    def ids(db: Path) -> list[tuple[str, str]]:
        con = duckdb.connect(str(db), read_only=True)
        try:
            return con.execute("SELECT record_id, content_sha256 FROM records ORDER BY ALL").fetchall()
        finally:
            con.close()

    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    a, b, c = (tmp_path / f"{n}.duckdb" for n in "abc")
    for db in (a, b):
        code, out, err = cli("-q", "ingest", "fsc", str(fsc_dir), db=db)
        assert code == 0, out + err
    assert ids(a) == ids(b) and len(ids(a)) == 2
    code, out, err = cli("ingest", "fsc", str(fsc_dir), db=a)  # re-ingest: nothing new
    assert "0 new" in out and ids(a) == ids(b)
    monkeypatch.setenv("CURATE_PII_KEY", "6f" * 32)
    code, out, err = cli("-q", "ingest", "fsc", str(fsc_dir), db=c)
    assert code == 0, out + err
    assert not {r for r, _ in ids(a)} & {r for r, _ in ids(c)}


def test_verify_with_and_without_the_key(tmp_path, fsc_dir, cli, db_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    code, out, err = cli("-q", "ingest", "fsc", str(fsc_dir))
    assert code == 0, out + err
    code, out, _ = cli("audit", "verify")
    assert code == 0 and "2 keyed texts" in out, out
    monkeypatch.delenv("CURATE_PII_KEY")
    code, out, _ = cli("audit", "verify")
    assert code == 0 and "not checked without the key" in out, out

    # a text edited in place: caught with the key, never called tampering (nor skipped silently) without it
    con = duckdb.connect(str(db_path))
    rid = con.execute("SELECT record_id FROM records ORDER BY record_id LIMIT 1").fetchone()[0]
    con.execute("UPDATE records SET text = text || '（竄改）' WHERE record_id = ?", [rid])
    con.close()
    code, out, _ = cli("audit", "verify")
    assert code == 0 and "not checked without the key" in out and "FAILED" not in out, out
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    code, out, _ = cli("audit", "verify")
    assert code == 1 and rid in out and "keyed content digest" in out, out
    code, out, _ = cli("audit", "record", rid)
    assert code == 0 and rid in out


def test_annotator_email_digest_is_keyed():
    from annotation.projects import email_sha256
    from curate.pii.keyed_ids import annotator_email_digest
    from curate.pii.keys import derive_key

    mail = "Lin.Pei@bank.example"
    plain = hashlib.sha256(mail.lower().encode()).hexdigest()
    keyed = annotator_email_digest(derive_key(b"k" * 32))
    got = email_sha256(mail, keyed)
    assert got.startswith("hmac:") and plain not in got
    assert got == email_sha256(" lin.pei@BANK.example ", keyed)  # deterministic over the normalised address
    assert got != email_sha256(mail, annotator_email_digest(derive_key(b"j" * 32)))
    assert email_sha256(mail) is None  # without the key nothing is stored, never a plain digest


def test_moda_marked_pii_expected_is_keyed_and_stays_marked(tmp_path, cli, db_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    f = tmp_path / "complaints.jsonl"
    f.write_text(
        json.dumps({"id": "c1", "text": f"申訴人{NAME}表示，電話{PHONE}多次接獲催收。"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    args = ("-q", "ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0")
    code, out, err = cli(*args, "--pii-expected")
    assert code == 0, out + err
    code, out, err = cli(*args[1:])  # without the option: the source stays pii_expected, nothing new
    assert code == 0 and "0 new" in out, out + err
    con = duckdb.connect(str(db_path), read_only=True)
    rows = con.execute("SELECT content_sha256 FROM records").fetchall()
    marked = con.execute("SELECT pii_expected FROM sources WHERE source_id = 'moda'").fetchone()[0]
    con.close()
    assert marked and len(rows) == 1 and rows[0][0].startswith("hmac:")


def _snapshot(db: Path) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("records", "provenance_events", "runs", "raw_vault")
        )
    finally:
        con.close()


@pytest.mark.parametrize("sealed", [True, False], ids=["after the PII stage", "before it"])
def test_another_key_is_refused(tmp_path, fsc_dir, cli, db_path, monkeypatch, sealed):
    """An ingest or PII run under another key would give every record a new id (a second active copy) and make
    `audit verify` report tampering: it is refused before anything is written, named by key id."""
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    if sealed:
        _ingest_and_scrub(cli, db_path, fsc_dir)
    else:
        assert cli("-q", "ingest", "fsc", str(fsc_dir))[0] == 0
    before = _snapshot(db_path)
    monkeypatch.setenv("CURATE_PII_KEY", "cd" * 32)
    for args in (("ingest", "fsc", str(fsc_dir)), ("run", "pii", "--workers", "1")):
        code, out, err = cli("-q", *args)
        assert code == 2 and "keyed under another PII key" in err and "nothing was written" in err, out + err
        assert "Traceback" not in err
    assert _snapshot(db_path) == before  # no run row left behind either
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    code, out, err = cli("-q", "ingest", "fsc", str(fsc_dir))
    assert code == 0, out + err
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err


def test_a_vault_row_no_ledger_event_names_does_not_make_its_key_the_catalogues(tmp_path, cli, db_path, monkeypatch):
    """A row sealed under another key by a command that did not check the key (an older `annotate pull`), or
    relabelled, must not whitelist that key: the guard trusts only key ids the ledger names (review r2_annot2 #1)."""
    from curate.pii.keys import load_key

    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    data = tmp_path / "moda.jsonl"  # not pii_expected: no keyed digest in the clear to tell the key by
    data.write_text(json.dumps({"id": "1", "text": f"客戶{NAME}來電，電話{PHONE}。"}, ensure_ascii=False) + "\n")
    assert cli("-q", "ingest", "moda", str(data), "--licence", "CC-BY-4.0")[0] == 0
    for stage in ("hygiene", "pii"):
        assert cli("-q", "run", stage, "--workers", "1")[0] == 0
    monkeypatch.setenv("CURATE_PII_KEY", "cd" * 32)
    other = load_key(required=True).key_id
    con = duckdb.connect(str(db_path))
    con.execute(
        "INSERT INTO raw_vault SELECT 'annotation:x:1#comment', nonce, ciphertext, ?, sealed_at FROM raw_vault LIMIT 1",
        [other],
    )
    con.close()
    code, out, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 2 and "keyed under another PII key" in err and other in err, out + err
