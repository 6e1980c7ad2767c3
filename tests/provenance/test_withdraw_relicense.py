"""Withdraw, correct the licence, reinstate (review 7 of the fixes, finding 2): the correction skipped withdrawn
records, so the reinstatement made the version on the OLD licence active again and a commercial export shipped it
while `audit verify` and `audit licences` stayed clean. A correction now gives a withdrawn version that a
reinstatement brings back a new version under the new terms, held withdrawn (`provenance/withdraw.py`:
`hold_corrections`); the reinstatement makes that one active (or a duplicate again) and supersedes its parent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance import db
from tests.dedup.test_relicense_duplicates import Y, Z, _verify
from tests.sources.test_manifest_terms import AGREEMENT, _manifest

OTHER = "存款保險條例修正草案通過，提高存款保險最高保額，並強化要保機構之監理及退場機制。"


def _rows(db_path: Path, status: str | None = None) -> list[tuple[str, str, str | None]]:
    """(status, licence, purposes) of the versions that are not superseded (or of those with ``status``)."""
    con = db.connect_readonly(db_path)
    try:
        return con.execute(
            "SELECT status, licence_id, json_extract_string(metadata, '$.licence_terms.purposes') FROM records"
            " WHERE status <> 'superseded' AND status = coalesce(?, status) ORDER BY ALL",
            [status],
        ).fetchall()
    finally:
        con.close()


def _first_record(db_path: Path) -> str:
    con = db.connect_readonly(db_path)
    try:
        return con.execute("SELECT record_id FROM records ORDER BY doc_key, record_id LIMIT 1").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("scope", ["record", "source"])
def test_a_moda_correction_while_withdrawn_comes_back_under_the_new_licence(cli, db_path, tmp_path, scope):
    corpus = tmp_path / "moda.jsonl"
    rows = [{"id": "news1", "text": Z}, {"id": "news2", "text": Z}, {"id": "news3", "text": Y}]
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    ingest = ("-q", "ingest", "moda", str(corpus), "--licence")
    assert cli(*ingest, "CC-BY-4.0")[0] == 0
    assert cli("-q", "run", "dedup")[0] == 0  # news2 copies news1: a duplicate, withdrawn with its source
    target = ("--source", "moda") if scope == "source" else ("--record", _first_record(db_path))
    assert cli("-q", "provenance", "withdraw", *target, "--reason", "licensor asked")[0] == 0

    code, out, err = cli("ingest", "moda", str(corpus), "--licence", "CC-BY-NC-4.0")  # the correction
    assert code == 0, out + err
    assert {lic for _, lic, _ in _rows(db_path, "withdrawn")} >= {"CC-BY-NC-4.0"}  # the parents stay withdrawn
    assert _verify(db_path) == []
    code, out, err = cli("ingest", "moda", str(corpus), "--licence", "CC-BY-NC-4.0")  # again: nothing changes
    assert code == 0 and "0 new versions" in out, out + err

    assert cli("-q", "provenance", "reinstate", *target, "--reason", "cleared")[0] == 0
    # the copy of news1 is released (its survivor superseded by its corrected version), as without the withdrawal
    assert [(s, lic) for s, lic, _ in _rows(db_path)] == [("active", "CC-BY-NC-4.0")] * 3
    assert _verify(db_path) == []
    assert cli("-q", "run", "dedup")[0] == 0
    assert [(s, lic) for s, lic, _ in _rows(db_path)] == [("active", "CC-BY-NC-4.0")] * 2 + [
        ("duplicate", "CC-BY-NC-4.0")
    ]
    assert _verify(db_path) == []


def test_a_manifest_terms_correction_while_a_record_is_withdrawn_comes_back_under_the_new_terms(cli, db_path, tmp_path):
    books = tmp_path / "books"
    books.mkdir()
    (books / "deposit.txt").write_text(f"第一章 存款\n{Z}\n\n第二章 保險\n{OTHER}\n", encoding="utf-8")
    m = _manifest(books, [{"path": "deposit.txt", **AGREEMENT}])
    assert cli("-q", "ingest", "textbooks", str(m))[0] == 0
    rid = _first_record(db_path)
    assert cli("-q", "provenance", "withdraw", "--record", rid, "--reason", "licensor asked")[0] == 0

    _manifest(books, [{"path": "deposit.txt", **AGREEMENT, "purposes": "evaluation"}])
    code, out, err = cli("ingest", "textbooks", str(m))
    assert code == 0, out + err
    assert {p for _, _, p in _rows(db_path, "withdrawn")} == {'["evaluation"]', '["training","evaluation"]'}
    assert _verify(db_path) == []
    code, out, err = cli("ingest", "textbooks", str(m))
    assert code == 0 and "0 new versions" in out, out + err

    assert cli("-q", "provenance", "reinstate", "--record", rid, "--reason", "cleared")[0] == 0
    rows = _rows(db_path)
    assert {p for _, _, p in rows} == {'["evaluation"]'} and {s for s, _, _ in rows} == {"active"}, rows
    assert _verify(db_path) == []
