"""A licence correction after dedup (review 7, finding 1): the correction reaches the duplicate versions of its
documents too, so neither the duplicates it releases itself nor those a later change releases come back active under
the old licence, a second run of the same correction changes nothing, and `audit verify` stays clean."""

from __future__ import annotations

import json
from pathlib import Path

from curate.ingest import ingest
from curate.runner import run_stage
from curate.stages.dedup import DedupStage
from provenance import db
from provenance.withdraw import withdraw
from sources.base import ErrorPolicy
from sources.moda import ModaSource
from tests.dedup.test_release import NEW_X, NEW_Y, X, Y, _ingest_laws

Z = "金融控股公司應建立內部控制及稽核制度，並由董事會定期檢討其有效性，以確保營運之健全。"


def _moda(db_path: Path, tmp_path: Path, licence: str):
    corpus = tmp_path / "moda.jsonl"
    rows = [{"id": "news1", "text": Z}, {"id": "news2", "text": Z}, {"id": "news3", "text": Y}]
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return ingest(db_path, ModaSource([corpus], licence=licence), on_error=ErrorPolicy.RAISE)


def _moda_rows(db_path: Path) -> list[tuple[str, str, str]]:
    """(text, status, licence) of the MODA versions that are not superseded."""
    con = db.connect_readonly(db_path)
    try:
        return con.execute(
            "SELECT text, status, licence_id FROM records WHERE source_id = 'moda' AND status <> 'superseded'"
            " ORDER BY text, status"
        ).fetchall()
    finally:
        con.close()


def _verify(db_path: Path) -> list[str]:
    from provenance.crosscheck import crosscheck
    from provenance.ledger import verify

    con = db.connect_readonly(db_path)
    try:
        assert verify(con).ok
        return sorted(crosscheck(con).problems)
    finally:
        con.close()


def test_a_correction_after_dedup_relicenses_the_duplicates_it_releases_and_those_released_later(db_path, tmp_path):
    _ingest_laws(db_path, tmp_path, "v1", ("G9990001", "20220101", [X, Y]))
    _moda(db_path, tmp_path, "CC-BY-4.0")
    assert run_stage(db_path, DedupStage(), workers=1).status == "finished"
    # news2 copies news1 (Z), news3 copies the law's §2 (Y): both duplicates
    assert [s for _, s, _ in _moda_rows(db_path)] == ["active", "duplicate", "duplicate"]

    _moda(db_path, tmp_path, "CC-BY-NC-4.0")  # the correction: the data is non-commercial
    # the copy of Z is released (its survivor, news1, was superseded by its corrected version): under the new licence;
    # the copy of Y stays a duplicate of the law's §2, under the new licence too
    assert _moda_rows(db_path) == [
        (Z, "active", "CC-BY-NC-4.0"),
        (Z, "active", "CC-BY-NC-4.0"),
        (Y, "duplicate", "CC-BY-NC-4.0"),
    ]
    assert _verify(db_path) == []

    again = _moda(db_path, tmp_path, "CC-BY-NC-4.0")  # the same correction again changes nothing
    assert (again.versions_new, again.terms_changed) == (0, 0)
    _ingest_laws(db_path, tmp_path, "v2", ("G9990001", "20240601", [NEW_X, NEW_Y]))  # the copy of Y is released
    assert _moda_rows(db_path)[2] == (Y, "active", "CC-BY-NC-4.0")
    assert _verify(db_path) == []
    assert run_stage(db_path, DedupStage(), workers=1).status == "finished"
    assert _verify(db_path) == []
    assert {lic for _, _, lic in _moda_rows(db_path)} == {"CC-BY-NC-4.0"}


def test_a_manifest_terms_correction_after_dedup_reaches_the_duplicate_files(cli, db_path, tmp_path):
    """The textbook/TABF path (curate/ingest_terms.py:TermsCorrector): a file copying another is a duplicate."""
    from tests.sources.test_manifest_terms import AGREEMENT, _manifest

    books = tmp_path / "books"
    books.mkdir()
    for name in ("deposit.txt", "copy.txt"):
        (books / name).write_text(f"第一章 存款\n{Z}\n", encoding="utf-8")
    rows = [{"path": "deposit.txt", **AGREEMENT}, {"path": "copy.txt", **AGREEMENT}]
    m = _manifest(books, rows)
    assert cli("--quiet", "ingest", "textbooks", str(m))[0] == 0
    assert cli("--quiet", "run", "dedup")[0] == 0
    con = db.connect_readonly(db_path)
    try:
        assert con.execute("SELECT count(*) FROM records WHERE status = 'duplicate'").fetchone()[0] >= 1
    finally:
        con.close()

    _manifest(books, [{**r, "purposes": "evaluation", "attribution": "© 金融出版社"} for r in rows])
    code, out, err = cli("ingest", "textbooks", str(m))
    assert code == 0, out + err
    con = db.connect_readonly(db_path)
    try:
        terms = con.execute(
            "SELECT DISTINCT status, json_extract_string(metadata, '$.licence_terms.purposes') FROM records"
            " WHERE status <> 'superseded' ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()
    assert terms == [("active", '["evaluation"]')], terms  # the copy released by the correction: on the new terms
    code, out, _ = cli("ingest", "textbooks", str(m))  # the corrected manifest again: nothing changes
    assert code == 0 and "0 new versions" in out, out
    assert _verify(db_path) == []


def test_a_correction_reaches_a_stale_duplicate_that_a_withdrawal_of_its_document_releases_later(db_path, tmp_path):
    """Review 7 of the fixes, finding 1: a duplicate whose document has a newer active version (stale) was left on the
    old licence, out of the correction's walk; withdrawing that version let `run dedup` release it, active under the
    old licence (a commercial export shipped it), and the same correction again never reached it."""
    news = "中央銀行宣布調整重貼現率，並要求金融機構審慎評估不動產放款風險，強化資本適足率之管理與監督。"

    def moda(name: str, b_text: str, licence: str):
        corpus = tmp_path / name  # the file name is part of MODA's metadata: v2 rows are new records of their documents
        rows = [{"id": "a", "text": Z}, {"id": "b", "text": b_text}, {"id": "c", "text": Y}]
        corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
        return ingest(db_path, ModaSource([corpus], licence=licence), on_error=ErrorPolicy.RAISE)

    moda("v1.jsonl", Z, "CC-BY-4.0")
    assert run_stage(db_path, DedupStage(), workers=1).status == "finished"  # a's text copies b's
    moda("v2.jsonl", news, "CC-BY-4.0")  # b's text changes; a gets a new active record, its duplicate stays (stale)
    assert sorted(s for _, s, _ in _moda_rows(db_path)) == ["active", "active", "active", "duplicate"]
    moda("v2.jsonl", news, "CC-BY-NC-4.0")  # the correction
    assert {lic for _, _, lic in _moda_rows(db_path)} == {"CC-BY-NC-4.0"}
    assert _verify(db_path) == []

    con = db.connect(db_path)
    try:
        current = con.execute(
            "SELECT record_id FROM records WHERE source_id = 'moda' AND status = 'active' AND text = ?", [Z]
        ).fetchone()[0]
        withdraw(con, record_id=current, reason="document a withdrawn")
    finally:
        con.close()
    assert run_stage(db_path, DedupStage(), workers=1).status == "finished"  # releases the stale duplicate
    assert (Z, "active", "CC-BY-NC-4.0") in _moda_rows(db_path)
    assert {lic for _, _, lic in _moda_rows(db_path)} == {"CC-BY-NC-4.0"}
    assert _verify(db_path) == []
    again = moda("v2.jsonl", news, "CC-BY-NC-4.0")
    assert (again.versions_new, again.terms_changed) == (0, 0)


def _moda_file(db_path: Path, path: Path, rows: dict[str, str], licence: str):
    path.write_text(
        "".join(json.dumps({"id": k, "text": t}, ensure_ascii=False) + "\n" for k, t in rows.items()), "utf-8"
    )
    return ingest(db_path, ModaSource([path], licence=licence), on_error=ErrorPolicy.RAISE)


def test_a_correction_in_the_ingest_that_changes_a_documents_text_reaches_its_stale_duplicate(db_path, tmp_path):
    """Review 7 of the relicense fixes, finding 2: the correction came in the ingest that also gave document a a new
    text (a new record of a, its duplicate left stale). The walk started from rows already in the catalogue only, so
    the stale duplicate kept the old licence; a withdrawal of a's new text and `run dedup` released it, active under
    the old licence, and the same correction again never reached it."""
    news = "中央銀行宣布調整重貼現率，並要求金融機構審慎評估不動產放款風險，強化資本適足率之管理與監督。"
    _moda_file(db_path, tmp_path / "v1.jsonl", {"a": Z, "b": Z, "c": Y}, "CC-BY-4.0")
    assert run_stage(db_path, DedupStage(), workers=1).status == "finished"  # a copies b: a duplicate
    # a new file (its name is MODA metadata: every row a new record) with a's new text, under the corrected licence
    out = _moda_file(db_path, tmp_path / "v2.jsonl", {"a": Z + news, "b": Z, "c": Y}, "CC-BY-NC-4.0")
    assert out.records_new == 1 and out.unchanged == 0
    assert {lic for _, _, lic in _moda_rows(db_path)} == {"CC-BY-NC-4.0"}
    assert _verify(db_path) == []
    again = _moda_file(db_path, tmp_path / "v2.jsonl", {"a": Z + news, "b": Z, "c": Y}, "CC-BY-NC-4.0")
    assert (again.versions_new, again.terms_changed) == (0, 0)

    con = db.connect(db_path)
    try:
        (current,) = con.execute(
            "SELECT record_id FROM records WHERE source_id = 'moda' AND status = 'active' AND text = ?", [Z + news]
        ).fetchone()
        withdraw(con, record_id=current, reason="document a withdrawn")
    finally:
        con.close()
    assert run_stage(db_path, DedupStage(), workers=1).status == "finished"
    assert {lic for _, _, lic in _moda_rows(db_path)} == {"CC-BY-NC-4.0"}
    assert _verify(db_path) == []


def test_a_correction_in_an_ingest_with_new_records_keeps_the_batch_digest(db_path, tmp_path):
    """The versions a MODA correction writes in an ingest batch that also holds new records were created at the batch
    event's time, so they counted as its members and `audit verify` failed ("the batch had 1 records, the catalogue
    now has 3")."""
    _moda_file(db_path, tmp_path / "v1.jsonl", {"a": Z, "c": Y}, "CC-BY-4.0")
    out = _moda_file(db_path, tmp_path / "v1.jsonl", {"a": Z, "c": Y, "d": X}, "CC-BY-NC-4.0")
    assert (out.records_new, out.terms_changed) == (1, 2)
    assert {lic for _, _, lic in _moda_rows(db_path)} == {"CC-BY-NC-4.0"}
    assert _verify(db_path) == []
