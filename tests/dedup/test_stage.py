"""`curate run dedup` over a real catalogue: statuses, ledger events, persistent index, incremental runs."""

from __future__ import annotations

import json

from curate.dedup.config import DedupConfig
from curate.dedup.index import index_key
from curate.runner import run_stage
from curate.stages.dedup import DedupStage
from provenance import db, ledger

from .records import add_records

LAW = (
    "第 1 條\n為健全銀行業務經營，保障存款人權益，適應產業發展，並使銀行信用配合國家金融政策，特制定本法。\n"
    "第 2 條\n本法稱銀行，謂依本法組織登記，經營銀行業務之機構。\n第 3 條\n銀行經營之業務如左：一、收受支票存款。"
    "二、收受其他各種存款。三、受託經理信託資金。四、發行金融債券。五、辦理放款。"
)
SIMP = (
    "第1条 为健全银行业务经营,保障存款人权益,适应产业发展,并使银行信用配合国家金融政策,特制定本法。"
    "第2条 本法称银行,谓依本法组织登记,经营银行业务之机构。第3条 银行经营之业务如左:一、收受支票存款。"
    "二、收受其他各种存款。三、受托经理信托资金。四、发行金融债券。五、办理放款。"
)
PDPA = (
    "第 5 條\n個人資料之蒐集、處理或利用，應尊重當事人之權益，依誠實及信用方法為之，不得逾越特定目的之必要範圍，"
    "並應與蒐集之目的具有正當合理之關聯。第 6 條 有關病歷、醫療、基因、性生活、健康檢查及犯罪前科之個人資料，不得蒐集。"
)


def _rows(path):
    con = db.connect_readonly(path)
    try:
        status = dict(con.execute("SELECT record_id, status FROM records").fetchall())
        events = {
            r: json.loads(d)
            for r, d in con.execute(
                "SELECT record_id, detail FROM provenance_events WHERE stage = 'dedup' AND action = 'duplicate_of'"
            ).fetchall()
        }
        indexed = {r for (r,) in con.execute("SELECT record_id FROM dedup_signatures").fetchall()}
        n_records = con.execute("SELECT count(*) FROM records").fetchone()[0]
        ok = ledger.verify(con)
    finally:
        con.close()
    return status, events, indexed, n_records, ok


def test_stage_marks_duplicates_and_keeps_authoritative_copy(db_path):
    moda, law, other, book = add_records(
        db_path,
        [
            ("moda", "m1", SIMP),
            ("law_moj", "G1", LAW),
            ("moda", "m2", PDPA),
            ("textbooks:978-1", "t1", LAW.replace("辦理放款", "辦理各項放款")),
        ],
    )
    rep = run_stage(db_path, DedupStage(), workers=2)
    assert rep.status == "finished" and rep.inputs == 4
    status, events, indexed, n, ok = _rows(db_path)
    assert n == 4 and getattr(ok, "ok", ok)  # nothing deleted, ledger intact
    assert status == {moda: "duplicate", law: "active", other: "active", book: "duplicate"}
    assert events[moda]["survivor"] == law and events[moda]["rule"] == "authority"
    assert events[moda]["match"] == "exact" and events[book]["match"] == "near"
    assert events[book]["jaccard"] >= 0.7 and "policy" in events[book]
    assert indexed == {moda, law, other, book}  # dropped copies too: a later record may be nearer to one of them


def test_incremental_run_uses_index_and_can_demote_old_survivor(db_path):
    (old_moda,) = add_records(db_path, [("moda", "m1", SIMP)])
    run_stage(db_path, DedupStage(), workers=1)
    (other,) = add_records(db_path, [("moda", "m2", PDPA)], run_id="ingest-2")
    rep = run_stage(db_path, DedupStage(), workers=1)
    assert rep.inputs == 1  # the accepted corpus is not recomputed
    # the regulator's copy arrives later: it wins, the earlier survivor becomes a duplicate
    (law,) = add_records(db_path, [("law_moj", "G1", LAW)], run_id="ingest-3")
    rep = run_stage(db_path, DedupStage(), workers=1)
    assert rep.inputs == 1
    status, events, indexed, n, _ = _rows(db_path)
    assert status == {old_moda: "duplicate", other: "active", law: "active"}
    assert events[old_moda]["survivor"] == law and events[old_moda]["already_indexed"] is True
    assert indexed == {old_moda, other, law}
    # a later near copy is matched against the index only
    (copy,) = add_records(db_path, [("tabf", "h1", LAW + "\n（轉載自：法務部全國法規資料庫）")], run_id="ingest-4")
    run_stage(db_path, DedupStage(), workers=1)
    status, events, indexed, _, _ = _rows(db_path)
    assert status[copy] == "duplicate" and events[copy]["survivor"] == law and status[law] == "active"


def test_index_is_keyed_by_signature_options(db_path):
    add_records(db_path, [("law_moj", "G1", LAW)])
    run_stage(db_path, DedupStage(DedupConfig(threshold=0.8)), workers=1)
    con = db.connect_readonly(db_path)
    keys = {k for (k,) in con.execute("SELECT DISTINCT index_key FROM dedup_signatures").fetchall()}
    con.close()
    assert keys == {index_key(DedupConfig())}


def test_device_and_batch_size_do_not_make_records_new_again(db_path):
    """Options that change how, not what (device, backend, batch size, cache) keep the stage's marks: a run on
    another device after a finished one finds nothing to do and writes no event; a results option does re-run."""
    add_records(db_path, [("moda", "m1", SIMP), ("law_moj", "G1", LAW), ("moda", "m2", PDPA)])
    first = run_stage(db_path, DedupStage(), workers=1)
    assert first.inputs == 3

    def n_events() -> int:
        con = db.connect_readonly(db_path)
        try:
            return con.execute("SELECT count(*) FROM provenance_events WHERE stage = 'dedup'").fetchone()[0]
        finally:
            con.close()

    before = n_events()
    how = DedupConfig(device="cpu", backend="numpy", batch_size=7, verify_cache=1)
    again = run_stage(db_path, DedupStage(how), workers=2)
    assert again.status == "finished" and again.inputs == 0
    assert n_events() == before
    # another threshold is another config: the active records (the law and PDPA; m1 is a duplicate) again
    assert run_stage(db_path, DedupStage(DedupConfig(threshold=0.8)), workers=1).inputs == 2


def test_default_config_hash_is_unchanged():
    """Catalogues' dedup marks are keyed by this hash: a change makes every record new to the next run."""
    from curate.stages.base import config_hash

    assert config_hash(DedupConfig()) == "337f805344c2b7c8"  # fsc joined per_document (review r4 dedup #2)


def _status_problems(path) -> dict[str, int]:
    from provenance.crosscheck import crosscheck

    con = db.connect_readonly(path)
    try:
        return {k: n for k, n in crosscheck(con).problems.items() if k.startswith("status:")}
    finally:
        con.close()


def test_withdrawing_a_survivor_lets_its_duplicate_survive_and_reinstating_it_clusters_again(db_path):
    """The copy another source holds is not lost with the survivor: the withdrawal makes it active again (with
    its event), the next dedup run keeps it, a reinstatement lets dedup choose between the two again, and the
    status cross-checks of `audit verify` accept each step (and catch a release the ledger does not explain)."""
    from provenance.withdraw import reinstate, withdraw

    law, copy = add_records(db_path, [("law_moj", "G1", LAW), ("moda", "m1", LAW)])
    run_stage(db_path, DedupStage(), workers=1)
    assert _rows(db_path)[0] == {law: "active", copy: "duplicate"}
    con = db.connect(db_path)
    try:
        res = withdraw(con, source_id="law_moj", reason="TICKET-1")
        released = con.execute(
            "SELECT record_id, json_extract_string(detail, '$.survivor') FROM provenance_events"
            " WHERE action = 'duplicate_released'"
        ).fetchall()
    finally:
        con.close()
    assert res.released == 1 and released == [(copy, law)]
    assert _rows(db_path)[0] == {law: "withdrawn", copy: "active"} and _status_problems(db_path) == {}
    rep = run_stage(db_path, DedupStage(), workers=1)
    assert rep.inputs == 1 and _rows(db_path)[0] == {law: "withdrawn", copy: "active"}
    con = db.connect(db_path)
    try:
        reinstate(con, source_id="law_moj", reason="cleared")
    finally:
        con.close()
    rep = run_stage(db_path, DedupStage(), workers=1)
    assert rep.inputs == 1  # the reinstated record, clustered against the copy that survived meanwhile
    assert _rows(db_path)[0] == {law: "active", copy: "duplicate"}  # the regulator's copy wins, as at first
    assert _status_problems(db_path) == {}
    con = db.connect(db_path)  # a forged release while the survivor stands: named by the cross-check
    try:
        con.execute("UPDATE records SET status = 'active' WHERE record_id = ?", [copy])
        ledger.append(
            con,
            [ledger.Event(stage="provenance", action="duplicate_released", record_id=copy, detail={"survivor": law})],
        )
    finally:
        con.close()
    assert list(_status_problems(db_path)) == [
        "status: released from duplicate although its survivor was neither withdrawn then nor superseded"
    ]


def test_a_duplicate_reinstated_while_its_survivor_stays_withdrawn_is_released(db_path):
    """Withdraw the duplicate, then its survivor (nothing to release: the copy is withdrawn), then reinstate the
    copy: it comes back active, not a duplicate of a record no export may hold (review round 3, conc2 4)."""
    from provenance.withdraw import reinstate, withdraw

    law, copy = add_records(db_path, [("law_moj", "G1", LAW), ("moda", "m1", LAW)])
    run_stage(db_path, DedupStage(), workers=1)
    con = db.connect(db_path)
    try:
        withdraw(con, source_id="moda", reason="T-1")
        withdraw(con, source_id="law_moj", reason="T-2")
        reinstate(con, source_id="moda", reason="cleared")
    finally:
        con.close()
    assert _rows(db_path)[0] == {law: "withdrawn", copy: "active"} and _status_problems(db_path) == {}
    rep = run_stage(db_path, DedupStage(), workers=1)
    assert rep.inputs == 1 and _rows(db_path)[0] == {law: "withdrawn", copy: "active"}


def test_a_run_with_only_deleted_stubs_finishes_and_flags_them(db_path):
    """A law update that repeals one article: the run's only new record is a （刪除） stub, nothing to cluster. The
    run finishes (it failed for good with "no side file to write the index update from"), flags the stub, marks
    it, adds nothing to the index and leaves only its logs behind."""
    add_records(db_path, [("law_moj", "G1", LAW)])
    assert run_stage(db_path, DedupStage(), workers=1).status == "finished"
    (stub,) = add_records(db_path, [("law_moj", "G1/3", "（刪除）")], run_id="test-ingest-2")
    rep = run_stage(db_path, DedupStage(), workers=2)
    assert rep.status == "finished" and rep.inputs == 1
    con = db.connect_readonly(db_path)
    try:
        flagged = con.execute(
            "SELECT record_id FROM provenance_events WHERE action = 'deleted_stub' AND run_id = ?", [rep.run_id]
        ).fetchall()
        marked = con.execute("SELECT count(*) FROM stage_marks WHERE record_id = ?", [stub]).fetchone()[0]
        indexed = con.execute("SELECT count(*) FROM dedup_signatures WHERE record_id = ?", [stub]).fetchone()[0]
    finally:
        con.close()
    assert flagged == [(stub,)] and marked == 1 and indexed == 0
    (run_dir,) = db_path.parent.glob(f".curate/*/runs/{rep.run_id}")
    assert sorted(p.name for p in run_dir.iterdir()) == ["logs"]  # no text left: went with the load
    assert run_stage(db_path, DedupStage(), workers=1).inputs == 0  # done: the next run has nothing to do


def test_english_deleted_article_stubs_are_flagged_not_clustered(db_path):
    """The English law database's placeholders of repealed articles (the forms of the Banking Act's English
    version in the law.moj fixtures: "Deleted.", "Deleted", "(deleted)", "(Deleted)") are stubs as （刪除） is:
    flagged, never made duplicates of one another."""
    forms = ["Deleted.", "Deleted", "(deleted)", "(Deleted)", "Deleted."]
    ids = add_records(db_path, [("law_moj", f"G0380001/en/{i}", t) for i, t in enumerate(forms)])
    run_stage(db_path, DedupStage(), workers=1)
    status, events, _, _, _ = _rows(db_path)
    con = db.connect_readonly(db_path)
    try:
        flagged = {
            r
            for (r,) in con.execute("SELECT record_id FROM provenance_events WHERE action = 'deleted_stub'").fetchall()
        }
    finally:
        con.close()
    assert flagged == set(ids) and not events and {status[i] for i in ids} == {"active"}


def test_the_survivor_does_not_depend_on_when_a_version_was_written(db_path):
    """Without a version in its metadata a copy's "newest" was its creation time: the commit of the hygiene batch
    that wrote it, so a killed-and-resumed pipeline, or another load batch, kept the other copy (review 9). Two
    identical MODA texts: whichever was written later, the same one (by id) survives."""
    ids = add_records(db_path, [("moda", "m1", PDPA), ("moda", "m2", PDPA)])
    con = db.connect(db_path)
    try:  # the smaller id written a day before the larger: "newest" by creation time kept the larger
        con.execute("UPDATE records SET created_at = created_at - INTERVAL 1 DAY WHERE record_id = ?", [min(ids)])
    finally:
        con.close()
    run_stage(db_path, DedupStage(), workers=1)
    status, events, *_ = _rows(db_path)
    assert status[min(ids)] == "active" and status[max(ids)] == "duplicate", status
    assert events[max(ids)]["rule"] == "id"


def test_an_index_written_before_review_9_holds_no_version_for_a_copy_without_one(db_path):
    """Until review 9 a record without a version in its metadata was indexed with its creation time as its version
    (dedup_signatures.version), and a catalogue indexed then kept it: every later copy, without a version, was older
    than the indexed one, so a longer near copy became its duplicate by "newest" (review 9, integration). The index
    is written here by the stage, its versions set as the older code wrote them."""
    (old,) = add_records(db_path, [("moda", "m1", PDPA)])
    run_stage(db_path, DedupStage(), workers=1)
    con = db.connect(db_path)
    try:
        con.execute(
            "UPDATE dedup_signatures s SET version = CAST(r.created_at AS VARCHAR) FROM records r"
            " WHERE r.record_id = s.record_id"
        )
        assert con.execute("SELECT count(*) FROM dedup_signatures WHERE version IS NOT NULL").fetchone()[0] == 1
    finally:
        con.close()
    (longer,) = add_records(db_path, [("moda", "m2", PDPA + "並應公告之。")], run_id="ingest-2")
    run_stage(db_path, DedupStage(), workers=1)
    status, events, *_ = _rows(db_path)
    assert status[longer] == "active" and status[old] == "duplicate", (status, events)
    assert events[old]["rule"] == "longer" and events[old]["survivor"] == longer


def test_a_chained_duplicate_event_names_the_member_it_matched(db_path):
    """A≈B≈C: the ledger row of C, dropped as a duplicate of A below the threshold, names B, the member it matched."""
    from .test_engine import _chain

    a, b, c = _chain()
    ra, rb, rc = add_records(db_path, [("law_moj", "A", a), ("moda", "B", b), ("moda", "C", c)])
    assert run_stage(db_path, DedupStage(), workers=2).status == "finished"
    status, events, _, _, ok = _rows(db_path)
    assert getattr(ok, "ok", ok) and status == {ra: "active", rb: "duplicate", rc: "duplicate"}
    assert events[rc]["survivor"] == ra and events[rc]["jaccard"] < 0.7
    assert events[rc]["matched"] == rb and events[rc]["matched_jaccard"] >= 0.7
    assert "matched" not in events[rb]
