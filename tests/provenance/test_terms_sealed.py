"""`audit verify` checks the licence terms a version carries (the export reads its audience, purposes, expiry and
attribution from them) against the ``terms_sealed`` event the one version writer appended (real textbooks ingest,
real runner, real CLI)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from provenance.crosscheck import crosscheck

AGREEMENT = {
    "path": "deposit.txt",
    "title": "銀行實務",
    "licensor": "金融出版社",
    "licence_id": "LicenseRef-Written-Agreement",
    "agreement_id": "PUB-2025-01",
    "audience": "consortium",
    "purposes": "training;evaluation",
    "expiry": "2030-12-31",
    "attribution": "© 金融出版社",
}
PROBLEM = "licence terms differ from"


def _ingest(cli, folder: Path, **changes: str) -> None:
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(AGREEMENT))
        w.writeheader()
        w.writerow({**AGREEMENT, **changes})
    code, out, err = cli("--quiet", "ingest", "textbooks", str(folder / "manifest.csv"))
    assert code == 0, out + err


@pytest.fixture
def books(tmp_path, cli, db_path):
    """Two chapters under one agreement, through hygiene and normalise (derived versions inherit the terms)."""
    d = tmp_path / "books"
    d.mkdir()
    (d / "deposit.txt").write_text(
        "第一章 存款\n銀行应依法辦理存款業務並保障存款人權益。  \n第二章 放款\n放款應審慎評估借款人之信用狀況。\n",
        encoding="utf-8",
    )
    _ingest(cli, d)
    for stage in ("hygiene", "normalise"):
        code, _, err = cli("-q", "run", stage, "--workers", "1")
        assert code == 0, err
    return d


def _q(path, sql, params=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _sql(path, sql, params=None):
    con = duckdb.connect(str(path))
    try:
        con.execute(sql, params)
    finally:
        con.close()


def _problems(path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        res = crosscheck(con)
    finally:
        con.close()
    return [f"{f.problem} {f.subject}" for f in res.findings]


def test_every_version_with_terms_is_sealed_and_verifies(books, db_path, cli):
    with_terms = _q(db_path, "SELECT record_id, stage FROM records WHERE json_exists(metadata, '$.licence_terms')")
    sealed = {r for (r,) in _q(db_path, "SELECT record_id FROM provenance_events WHERE action = 'terms_sealed'")}
    assert {s for _, s in with_terms} >= {"ingest", "hygiene"}, with_terms  # new records and derived versions
    assert {r for r, _ in with_terms} == sealed
    assert _problems(db_path) == []
    code, out, err = cli("audit", "verify")
    assert code == 0 and "cross-checks ok" in out, out + err


@pytest.mark.parametrize(
    "patch",
    [
        {"licence_terms": {"audience": "public"}},  # a consortium agreement made public
        {"licence_terms": {"expiry": "2099-12-31"}},
        {"licence_terms": {"attribution": None}},  # the NOTICE loses its credit line
        {"licence_terms": None},  # the terms removed
    ],
    ids=["audience", "expiry", "attribution", "removed"],
)
def test_an_edited_term_is_named(books, db_path, cli, patch):
    rid = _q(
        db_path, "SELECT record_id FROM records WHERE status = 'active' AND json_exists(metadata, '$.licence_terms')"
    )
    rid = rid[0][0]
    _sql(
        db_path,
        "UPDATE records SET metadata = json_merge_patch(metadata, ?) WHERE record_id = ?",
        [json.dumps(patch), rid],
    )
    problems = _problems(db_path)
    assert any(PROBLEM in p and rid in p for p in problems), problems
    code, out, err = cli("audit", "verify")
    assert code == 1 and PROBLEM in out, out + err


def test_terms_added_by_hand_are_named(books, db_path, tmp_path, cli):
    """A version written after the first seal with terms but no seal of its own: added in place."""
    (tmp_path / "law.jsonl").write_text('{"id": "1", "text": "主權語料金融段落。"}\n', encoding="utf-8")
    code, out, err = cli("--quiet", "ingest", "moda", str(tmp_path / "law.jsonl"), "--licence", "OGDL-Taiwan-1.0")
    assert code == 0, out + err
    rid = _q(db_path, "SELECT record_id FROM records WHERE source_id = 'moda'")[0][0]
    terms = {"licence_terms": {"agreement_id": "X", "audience": "public", "purposes": ["training"]}}
    _sql(
        db_path,
        "UPDATE records SET metadata = json_merge_patch(metadata, ?) WHERE record_id = ?",
        [json.dumps(terms), rid],
    )
    problems = _problems(db_path)
    assert any("no terms_sealed event" in p and rid in p for p in problems), problems


def test_a_terms_correction_is_sealed_with_the_new_terms(books, db_path, cli, monkeypatch):
    """After the PII stage: the correction's version (same text) is sealed anew and keeps its parent's PII pass."""
    monkeypatch.setenv("CURATE_PII_KEY", "7a" * 32)
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    _ingest(cli, books, attribution="© 金融出版社（修訂）")
    new = _q(
        db_path,
        "SELECT record_id FROM records WHERE status = 'active' AND json_extract_string(metadata,"
        " '$.licence_terms.attribution') = '© 金融出版社（修訂）'",
    )
    assert new and _q(db_path, "SELECT pii_state FROM records WHERE record_id = ?", [new[0][0]]) == [("clean",)]
    assert _problems(db_path) == []


def test_versions_from_before_seals_are_counted_not_named(db_path, cli):
    """A catalogue written before terms were sealed: its versions with terms are not checked, and said so."""
    from catalogue_builder import add_records, add_source

    from provenance import db

    con = db.connect(db_path)
    add_source(con, "old")
    add_records(
        con, [{"source_id": "old", "locator": "1", "text": "舊的章節。", "metadata": {"licence_terms": {"a": 1}}}]
    )
    con.execute("DELETE FROM provenance_events WHERE action = 'terms_sealed'")  # as written before seals existed
    res = crosscheck(con)
    con.close()
    assert not any("terms" in p for p in res.problems) and any("licence terms" in n for n in res.notes), res


@pytest.fixture
def personal_licensor(tmp_path, cli, db_path, monkeypatch):
    """A pii_expected TABF handout whose licensor names a person and a phone, through hygiene and the PII stage."""
    monkeypatch.setenv("CURATE_PII_KEY", "5c" * 32)
    d = tmp_path / "tabf"
    d.mkdir()
    # a text hygiene rewrites (a lone ASCII space between CJK characters goes; a full-width one is a kept gap since
    # round 11), so there is a hygiene version to seal too
    (d / "deposit.txt").write_text("第一章 說明\n本講義說明授信流程。\n", encoding="utf-8")
    with (d / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(AGREEMENT))
        w.writeheader()
        w.writerow({**AGREEMENT, "licensor": "講師吳雅婷 0933-185-246"})
    code, out, err = cli("--quiet", "ingest", "tabf", str(d / "manifest.csv"), "--pii-expected")
    assert code == 0, out + err
    for stage in ("hygiene", "pii"):
        code, _, err = cli("-q", "run", stage, "--workers", "1")
        assert code == 0, err
    return d


def _keyed_problems(path) -> list[str]:
    from curate.pii.keys import load_key

    con = duckdb.connect(str(path), read_only=True)
    try:
        res = crosscheck(con, keyed_digest=load_key(required=True).content_digest)
    finally:
        con.close()
    return [f"{f.problem} {f.subject}" for f in res.findings]


def test_a_licensor_scrubbed_by_the_pii_stage_still_verifies(personal_licensor, db_path, cli):
    """The PII stage shows raw versions' scrubbed metadata (the raw one sealed in the vault) and seals the shown terms
    anew: verify is clean (review 5, F1), and no seal is a plain sha256 of the terms that name the person."""
    shown = _q(db_path, "SELECT DISTINCT json_extract_string(metadata, '$.licence_terms.licensor') FROM records")
    assert shown == [("講師吳雅婷 〔電話〕",)], shown  # a licensor's name is a licence fact, kept (review 9)
    seals = _q(
        db_path,
        "SELECT e.detail FROM provenance_events e JOIN records r USING (record_id)"
        " WHERE e.action = 'terms_sealed' AND r.pii_state = 'raw'",
    )
    assert len(seals) >= 4, seals  # ingest and hygiene versions: sealed when written and when the vault took them
    assert all(set(json.loads(d)) <= {"terms_hmac", "reason"} for (d,) in seals), seals  # keyed, never plain
    assert _keyed_problems(db_path) == []
    code, out, err = cli("audit", "verify")
    assert code == 0 and "cross-checks ok" in out, out + err


@pytest.mark.parametrize("state", ["raw", "scrubbed"])
def test_terms_edited_after_the_pii_stage_are_named(personal_licensor, db_path, cli, state):
    rid = _q(db_path, "SELECT record_id FROM records WHERE pii_state = ? LIMIT 1", [state])[0][0]
    patch = {"licence_terms": {"audience": "public"}}
    _sql(
        db_path,
        "UPDATE records SET metadata = json_merge_patch(metadata, ?) WHERE record_id = ?",
        [json.dumps(patch), rid],
    )
    problems = _keyed_problems(db_path)
    assert any(PROBLEM in p and rid in p for p in problems), problems
    code, out, err = cli("audit", "verify")
    assert code == 1 and PROBLEM in out, out + err


def test_keyed_seals_without_the_key_are_counted_not_checked(personal_licensor, db_path):
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        res = crosscheck(con)
    finally:
        con.close()
    assert not any("terms" in p for p in res.problems), res
    assert any("keyed digest" in n and "licence terms" in n for n in res.notes), res.notes
