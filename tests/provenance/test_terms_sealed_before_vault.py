"""A catalogue whose PII stage ran before keyed terms seals (09730dc) sealed a raw version's licence terms with a plain
sha256 of the raw terms, then moved them into the vault and showed them scrubbed without a new seal. `audit verify`
under the new code called that an edit in place (review of the PII fixes, N3). It now checks the vault's raw terms
against the old seal with the PII key (a match is sealed; a mismatch, or shown terms that are not the raw ones
scrubbed, is still an edit) and counts the seal as not checked without the key. The old catalogue is made by the real
CLI with the two steps of the old code put back: plain seals for every version, no reseal by the vault."""

from __future__ import annotations

import csv
import json

import duckdb
import pytest

from provenance.crosscheck import crosscheck

KEY = "5d" * 32
TERMS = {
    "path": "credit.txt",
    "title": "授信講義",
    "licensor": "講師吳雅婷 0933-185-246",
    "licence_id": "LicenseRef-Written-Agreement",
    "agreement_id": "TABF-R-1",
    "audience": "consortium",
    "purposes": "training",
    "expiry": "2030-12-31",
    "attribution": "© 台灣金融研訓院",
}
PROBLEM = "licence terms differ from"


@pytest.fixture
def old_catalogue(tmp_path, cli, db_path, monkeypatch):
    """A pii_expected TABF handout naming a person, ingested and through the PII stage as the old code did it."""
    import curate.pii.vault
    import provenance.terms_seal as ts

    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    plain = ts._append_seals
    with monkeypatch.context() as old:  # the code before 09730dc: plain seals only, the vault seals nothing anew
        old.setattr(ts, "_append_seals", lambda con, rows, **kw: plain(con, [(*r[:3], False) for r in rows], **kw))
        old.setattr(curate.pii.vault, "reseal", lambda *a, **k: 0)
        d = tmp_path / "tabf"
        d.mkdir()
        (d / "credit.txt").write_text("第一章　說明\n本講義說明授信流程。\n", encoding="utf-8")
        with (d / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(TERMS))
            w.writeheader()
            w.writerow(TERMS)
        code, out, err = cli("--quiet", "ingest", "tabf", str(d / "manifest.csv"), "--pii-expected")
        assert code == 0, out + err
        code, _, err = cli("-q", "run", "pii", "--workers", "1")
        assert code == 0, err
    seals = _q(db_path, "SELECT detail FROM provenance_events WHERE action = 'terms_sealed'")
    assert seals and all("terms_sha256" in d for (d,) in seals), seals  # as the old code left them
    return db_path


def _q(path, sql, params=None, write=False):
    con = duckdb.connect(str(path), read_only=not write)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _raw_id(path) -> str:
    return _q(path, "SELECT record_id FROM records WHERE pii_state = 'raw'")[0][0]


def _findings(path, *, key: bool) -> tuple[list[str], list[str]]:
    from curate.pii.keys import load_key
    from curate.pii.vault import vault_terms_function

    k = load_key(required=True) if key else None
    con = duckdb.connect(str(path), read_only=True)
    try:
        res = crosscheck(con, keyed_digest=k and k.content_digest, vault_terms=vault_terms_function(k))
    finally:
        con.close()
    return [f"{f.problem} {f.subject}" for f in res.findings], res.notes


def test_an_old_catalogue_verifies_with_and_without_the_key(old_catalogue, cli, monkeypatch):
    assert _findings(old_catalogue, key=True) == ([], [])
    problems, notes = _findings(old_catalogue, key=False)
    assert problems == [] and any("before their raw terms went into the vault" in n for n in notes), notes
    code, out, err = cli("audit", "verify")
    assert code == 0 and "cross-checks ok" in out, out + err
    monkeypatch.delenv("CURATE_PII_KEY")
    code, out, err = cli("audit", "verify")
    assert code == 0 and "not checked without the PII key" in out, out + err


@pytest.mark.parametrize("state", ["raw", "scrubbed"])
def test_terms_edited_in_an_old_catalogue_are_named(old_catalogue, cli, state):
    rid = _q(old_catalogue, "SELECT record_id FROM records WHERE pii_state = ?", [state])[0][0]
    patch = json.dumps({"licence_terms": {"audience": "public"}})
    _q(
        old_catalogue,
        "UPDATE records SET metadata = json_merge_patch(metadata, ?) WHERE record_id = ?",
        [patch, rid],
        True,
    )
    problems, _ = _findings(old_catalogue, key=True)
    assert any(PROBLEM in p and rid in p for p in problems), problems
    code, out, err = cli("audit", "verify")
    assert code == 1 and PROBLEM in out, out + err


def test_vaulted_terms_that_differ_from_the_old_seal_are_named(old_catalogue):
    """The vault's raw terms are what the old seal covered: other raw terms there (re-encrypted) are an edit."""
    from curate.pii.keys import load_key
    from curate.pii.vault import encrypt, metadata_vault_id

    rid, vid = _raw_id(old_catalogue), metadata_vault_id(_raw_id(old_catalogue))
    (meta,) = _q(old_catalogue, "SELECT metadata FROM records WHERE record_id = ?", [rid])[0]
    doc = json.loads(meta)
    doc["licence_terms"]["licensor"] = doc["licensor"] = (
        "講師林美華 0912-345-678"  # shown: 講師〔姓名〕 〔電話〕 still fits
    )
    nonce, ct = encrypt(load_key(required=True), vid, json.dumps(doc, ensure_ascii=False))
    _q(old_catalogue, "UPDATE raw_vault SET nonce = ?, ciphertext = ? WHERE record_id = ?", [nonce, ct, vid], True)
    problems, _ = _findings(old_catalogue, key=True)
    assert any(PROBLEM in p and rid in p for p in problems), problems
