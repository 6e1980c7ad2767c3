"""Dedup's decisions when the record it kept stops being active (review 4, findings 1 and 3): a new version or a
withdrawal of a survivor or representative releases the records that relied on it, the next run clusters them
again, `--drop-near-duplicates` never drops a provision whose kept copy the export leaves out, and `audit verify`
names a link or duplicate left behind."""

from __future__ import annotations

import json
from pathlib import Path

from curate.ingest import ingest
from curate.runner import run_stage
from curate.stages.dedup import DedupStage
from provenance import db
from provenance.export import ExportParams, iter_verdicts
from sources.base import ErrorPolicy
from sources.law_moj import LawMojSource
from sources.moda import ModaSource

X = "銀行辦理自用住宅放款及消費性放款，已取得足額擔保時，不得以借款人提供連帶保證人為條件，並應於契約中載明之。"
Y = "銀行對其持有實收資本總額百分之三以上之企業，或本行負責人擔任董事之企業為擔保授信，應經董事會三分之二以上之同意。"
NEW_X = "銀行辦理放款，應依主管機關所定之授信準則辦理。"
NEW_Y = "銀行辦理授信，應訂定風險管理政策並定期檢討。"


def _law(path: Path, pcode: str, modified: str, articles: list[str]) -> Path:
    law = {
        "LawLevel": "法律",
        "LawName": f"測試法{pcode}",
        "LawURL": f"https://law.moj.gov.tw/LawClass/LawAll.aspx?pcode={pcode}",
        "LawCategory": "行政＞金融監督管理委員會＞銀行目",
        "LawModifiedDate": modified,
        "LawEffectiveDate": "",
        "LawEffectiveNote": "",
        "LawAbandonNote": "",
        "LawHasEngVersion": "N",
        "EngLawName": "",
        "LawAttachements": [],
        "LawHistories": "",
        "LawForeword": "",
        "LawArticles": [
            {"ArticleType": "A", "ArticleNo": f"第 {i} 條", "ArticleContent": t} for i, t in enumerate(articles, 1)
        ],
    }
    path.write_text(json.dumps({"UpdateDate": "2024/1/1", "Laws": [law]}, ensure_ascii=False), "utf-8")
    return path


def _ingest_laws(db_path: Path, tmp_path: Path, name: str, *laws: tuple[str, str, list[str]]) -> None:
    files = [_law(tmp_path / f"{name}-{pcode}.json", pcode, modified, arts) for pcode, modified, arts in laws]
    ingest(db_path, LawMojSource(files, scope="all"), on_error=ErrorPolicy.RAISE)


def _catalogue(db_path: Path, tmp_path: Path) -> None:
    """G9990001 (newer: its §1 is the representative) and G9990002 share the text X; a MODA document copies Y."""
    _ingest_laws(db_path, tmp_path, "v1", ("G9990001", "20220101", [X, Y]), ("G9990002", "20200101", [X]))
    corpus = tmp_path / "moda.jsonl"
    corpus.write_text(json.dumps({"id": "news1", "text": Y}, ensure_ascii=False) + "\n", "utf-8")
    ingest(db_path, ModaSource([corpus], licence="CC-BY-4.0"), on_error=ErrorPolicy.RAISE)
    assert run_stage(db_path, DedupStage(), workers=1).status == "finished"


def _state(db_path: Path) -> dict[tuple[str, str], tuple]:
    con = db.connect_readonly(db_path)
    try:
        rows = con.execute(
            "SELECT r.source_id, r.text, r.status, p.text FROM records r"
            " LEFT JOIN records p ON p.record_id = r.near_duplicate_of WHERE r.status <> 'superseded'"
        ).fetchall()
    finally:
        con.close()
    return {(src, text): (status, rep) for src, text, status, rep in rows}


def _events(db_path: Path, action: str) -> list[dict]:
    con = db.connect_readonly(db_path)
    try:
        details = con.execute("SELECT detail FROM provenance_events WHERE action = ? ORDER BY seq", [action]).fetchall()
    finally:
        con.close()
    return [json.loads(d) for (d,) in details]


def _exported(db_path: Path) -> list[str]:
    """Texts a training export with --drop-near-duplicates includes."""
    params = ExportParams(
        purpose="training", audience="consortium", commercial=True, pii_gate="expected", drop_near_duplicates=True
    )
    con = db.connect_readonly(db_path)
    try:
        ok = [rv.record_id for rv in iter_verdicts(con, params.validated()) if rv.verdict.ok]
        texts = con.execute("SELECT text FROM records WHERE record_id IN (SELECT unnest($ids))", {"ids": ok})
        return sorted(t for (t,) in texts.fetchall())
    finally:
        con.close()


def _problems(db_path: Path) -> list[str]:
    from provenance.crosscheck import crosscheck

    con = db.connect_readonly(db_path)
    try:
        return sorted(k for k in crosscheck(con).problems if k.startswith("status:"))
    finally:
        con.close()


def test_a_new_version_of_the_kept_copy_releases_its_duplicate_and_near_duplicate(db_path, tmp_path):
    _catalogue(db_path, tmp_path)
    assert _state(db_path)[("law_moj", X)] == ("active", None)
    assert _state(db_path)[("moda", Y)] == ("duplicate", None)
    assert _exported(db_path).count(X) == 1  # one of the two copies of X
    # G9990001 is amended: both its articles change, so the copies dedup kept are superseded
    _ingest_laws(db_path, tmp_path, "v2", ("G9990001", "20240601", [NEW_X, NEW_Y]))
    state = _state(db_path)
    assert state[("law_moj", X)] == ("active", None)  # G9990002 §1: its link to the old §1 is released
    assert state[("moda", Y)] == ("active", None)  # the MODA copy of Y: released
    assert [e["representative"] is not None for e in _events(db_path, "near_duplicate_released")] == [True]
    assert [e["previous_status"] for e in _events(db_path, "duplicate_released")] == ["duplicate"]
    assert _problems(db_path) == []
    assert X in _exported(db_path) and Y in _exported(db_path)  # the provision in force is exported
    rep = run_stage(db_path, DedupStage(), workers=1)
    assert rep.inputs == 4  # the two new articles and the two released records, clustered again
    assert _state(db_path)[("moda", Y)] == ("active", None) and _problems(db_path) == []


def test_withdrawing_the_representative_releases_its_near_duplicate(db_path, tmp_path):
    from provenance.withdraw import withdraw

    _catalogue(db_path, tmp_path)
    con = db.connect(db_path)
    try:
        rep_id = con.execute(
            "SELECT record_id FROM records WHERE text = ? AND near_duplicate_of IS NULL", [X]
        ).fetchone()[0]
        res = withdraw(con, record_id=rep_id, reason="TICKET-2")
    finally:
        con.close()
    assert res.released == 1 and _state(db_path)[("law_moj", X)] == ("active", None)
    assert X in _exported(db_path) and _problems(db_path) == []
    assert run_stage(db_path, DedupStage(), workers=1).inputs == 1
    assert _state(db_path)[("law_moj", X)] == ("active", None)


def test_a_link_to_a_record_the_export_leaves_out_drops_nothing_and_audit_names_it(db_path, tmp_path):
    _catalogue(db_path, tmp_path)
    con = db.connect(db_path)
    try:  # a state no release explains: the representative withdrawn behind the ledger's back
        con.execute("UPDATE records SET status = 'withdrawn' WHERE text = ? AND near_duplicate_of IS NULL", [X])
    finally:
        con.close()
    assert X in _exported(db_path)
    assert "status: near_duplicate_of names a record that is not active (never released)" in _problems(db_path)


def test_a_duplicate_and_a_link_left_behind_are_released_by_the_next_run_s_prepare(db_path, tmp_path):
    """A catalogue from before releases: its survivor and representative were superseded without releasing what
    relied on them (simulated by marking them past the release). ``release_left_behind`` (review 18: its query sorts
    only the decisions naming a gone survivor) finds both, and only them."""
    from provenance.dedup_release import release_left_behind

    _catalogue(db_path, tmp_path)
    con = db.connect(db_path)
    try:
        kept = con.execute(
            "SELECT record_id FROM records WHERE (text = ? AND near_duplicate_of IS NULL)"
            " OR (text = ? AND source_id LIKE 'law_moj%') ORDER BY record_id",
            [X, Y],
        ).fetchall()
        assert len(kept) == 2
        assert release_left_behind(con) == 0  # nothing left behind yet
        con.execute(
            "UPDATE records SET status = 'superseded' WHERE record_id IN (SELECT unnest(?))", [[k for (k,) in kept]]
        )
        assert release_left_behind(con, actor="test") == 2
        assert release_left_behind(con) == 0
    finally:
        con.close()
    state = _state(db_path)
    assert state[("law_moj", X)] == ("active", None) and state[("moda", Y)] == ("active", None)
