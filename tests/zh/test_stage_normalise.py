"""`curate run normalise` on a real DuckDB catalogue with the real datatrove runner."""

from __future__ import annotations

import json
from collections.abc import Iterator

from curate.ingest import ingest
from curate.runner import make_stage, run_stage
from provenance import db, ledger
from provenance.verdicts import members_as_events
from sources.base import ErrorPolicy, RawItem, Record, Source, SourceInfo

TEXTS = {
    "simp": "网络银行的转账限额为每日二百万元。",
    "trad": "姓范的余先生\r\n到里長辦公室，干擾准許。",
    "mixed": "本行依銀行法辦理。\n详细信息请登录官方网站查询。",
    "neutral": "ABC 123",
    "short": "发了。",
}


class TinySource(Source):
    name = "tiny_zh"
    licence_id = "CC-BY-4.0"

    def source_infos(self) -> list[SourceInfo]:
        return [SourceInfo("tiny_zh", kind="test", licence_id=self.licence_id)]

    def iter_raw(self) -> Iterator[RawItem]:
        for key, text in TEXTS.items():
            yield RawItem(locator=key, payload=text)

    def to_records(self, raw: RawItem):
        yield Record(
            doc_key=f"tiny/{raw.locator}",
            locator=raw.locator,
            text=raw.payload,
            source_id="tiny_zh",
            licence_id=self.licence_id,
            metadata={"protected_terms": ["余先生"]} if raw.locator == "trad" else {},
        )


def test_normalise_stage_versions_events_and_flags(db_path):
    ingest(db_path, TinySource([]), on_error=ErrorPolicy.RAISE)
    con = db.connect(db_path)
    con.execute("UPDATE records SET pii_state = 'clean'")  # passed PII: edits may carry their text
    con.close()
    report = run_stage(db_path, make_stage("normalise"))
    assert report.status == "finished"
    con = db.connect(db_path)
    try:
        rows = con.execute("""SELECT locator, text, script, status, stage FROM records ORDER BY locator,
                              created_at""").fetchall()
        active = {loc: (text, script) for loc, text, script, status, _ in rows if status == "active"}
        assert active["simp"] == ("網路銀行的轉帳限額為每日二百萬元。", "traditional")
        assert active["trad"][0] == TEXTS["trad"]  # byte-identical, no new version
        assert active["mixed"][0] == "本行依銀行法辦理。\n詳細資訊請登入官方網站查詢。"
        assert active["neutral"][0] == TEXTS["neutral"]
        events = con.execute(f"""SELECT e.action, e.detail, r.locator FROM (
                                    SELECT stage, action, detail, record_id FROM provenance_events
                                    UNION ALL SELECT stage, action, detail, record_id FROM ({members_as_events()})
                                ) e JOIN records r USING (record_id) WHERE e.stage = 'normalise'""").fetchall()
        by = {}
        for action, detail, loc in events:
            by.setdefault((loc, action), json.loads(detail))
        assert by[("simp", "normalise")]["script"] == "simplified"
        edits = by[("simp", "normalise")]["edits"]  # one row per record, the edits column by column
        assert set(edits) == {"offset", "before", "after", "by"}
        n = by[("simp", "normalise")]["n_edits"]
        assert n > 0 and all(len(v) == n for v in edits.values())
        simp = TEXTS["simp"]
        for off, before in zip(edits["offset"], edits["before"], strict=True):
            assert simp[off : off + len(before)] == before
        assert by[("trad", "script_detected")]["script"] == "traditional"
        assert by[("mixed", "normalise")]["script"] == "mixed"
        assert by[("neutral", "script_detected")]["script"] == "neutral"
        flag = by[("short", "flag")]
        assert set(flag["flags"]["reason"]) >= {"short"}  # the flags column by column too
        assert set(flag["flags"]) == {"start", "end", "reason", "chars"}
        assert flag["version"] is not None
        assert ledger.verify(con).ok
    finally:
        con.close()
    again = run_stage(db_path, make_stage("normalise"))
    assert again.counts.get("new_versions", 0) == 0


def test_a_second_run_changes_nothing(db_path):
    """The stage's own new versions are not its input: read again, a converted version left `mixed` (a sentence
    for a human) was set to `traditional` in place, and each rerun added marks and verdicts."""
    ingest(db_path, TinySource([]), on_error=ErrorPolicy.RAISE)
    sql = "SELECT record_id, status, script, text FROM records ORDER BY ALL"
    assert run_stage(db_path, make_stage("normalise")).counts["new_versions"] >= 2
    con = db.connect(db_path)
    try:
        con.execute("UPDATE records SET script = 'mixed' WHERE stage = 'normalise'")  # as a left sentence sets it
        before = (
            con.execute(sql).fetchall(),
            con.execute("SELECT count(*) FROM provenance_events WHERE stage <> 'run'").fetchone(),
        )
    finally:
        con.close()
    report = run_stage(db_path, make_stage("normalise"))
    assert report.counts.get("results", 0) == 0, report.counts
    con = db.connect(db_path)
    try:
        assert (
            con.execute(sql).fetchall(),
            con.execute("SELECT count(*) FROM provenance_events WHERE stage <> 'run'").fetchone(),
        ) == before
    finally:
        con.close()


def test_stage_config_rejects_unknown_opencc_profile(db_path):
    import pytest

    from provenance.errors import UsageError

    with pytest.raises(UsageError, match="valid: s2twp, s2tw"):
        make_stage("normalise", {"opencc_config": "s2hk"})


def test_run_normalise_from_the_cli_with_s2tw(cli, db_path):
    ingest(db_path, TinySource([]), on_error=ErrorPolicy.RAISE)
    code, out, err = cli("--quiet", "run", "normalise", "--set", "opencc_config=s2tw")
    assert code == 0, err
    con = db.connect(db_path)
    try:
        texts = {r[0] for r in con.execute("SELECT text FROM records WHERE status = 'active'").fetchall()}
    finally:
        con.close()
    assert "網路銀行的轉帳限額為每日二百萬元。" in texts
    code, _, err = cli("run", "normalise", "--set", "opencc_config=nope")
    assert code != 0 and "s2twp" in err


def test_stage_batches_end_at_a_number_of_records_or_of_characters(monkeypatch):
    """One normalise_many call per batch; a batch ends at batch_size records or batch_chars characters."""
    from datatrove.data import Document

    from curate.stages.normalise import NormaliseStage
    from curate.zh import normalise

    stage = NormaliseStage()
    seen: list[list[int]] = []
    real = stage.process_batch
    monkeypatch.setattr(stage, "process_batch", lambda docs: seen.append([len(d.text) for d in docs]) or real(docs))
    monkeypatch.setattr(NormaliseStage, "batch_size", 5)
    monkeypatch.setattr(NormaliseStage, "batch_chars", 30)
    texts = ["账户余额" * k for k in (1, 1, 1, 1, 1, 1, 10, 1, 2)]
    docs = [Document(text=t, id=str(i), metadata={}) for i, t in enumerate(texts)]
    out = [d.metadata["_result"] for d in stage.run(iter(docs))]
    assert seen == [[4] * 5, [4, 40], [4, 8]]
    converted = {r.record_id: r.new_text for r in out if r.action == "normalise"}
    assert converted == {str(i): normalise(t).text for i, t in enumerate(texts)}


def test_a_later_stages_copy_of_a_version_left_mixed_keeps_the_marker(db_path):
    """Review 6 (pipeline round 2): normalise, then a later stage's new version of a converted record (the PII
    stage's scrub copies `script`), then normalise again: the copy was read, found `traditional` and the `mixed`
    marker (a sentence left for a human) was cleared in place. It is kept; the event says what the reading found."""
    from provenance.records import create_version
    from provenance.runs import finish_run, start_run

    ingest(db_path, TinySource([]), on_error=ErrorPolicy.RAISE)
    run_stage(db_path, make_stage("normalise"))
    con = db.connect(db_path)
    try:
        con.execute("UPDATE records SET script = 'mixed' WHERE stage = 'normalise'")  # as a left sentence sets it
        converted = con.execute("SELECT record_id, text FROM records WHERE stage = 'normalise'").fetchall()
        run_id = start_run(con, "test-later-stage", {})
        with db.transaction(con):
            copies = [
                create_version(con, rid, text, stage="pii", run_id=run_id, fields={"script": "mixed"})
                for rid, text in converted
            ]
        finish_run(con, run_id)
    finally:
        con.close()
    run_stage(db_path, make_stage("normalise"))
    con = db.connect(db_path)
    try:
        rows = con.execute(
            "SELECT script FROM records WHERE record_id IN (SELECT unnest(?::VARCHAR[]))", [copies]
        ).fetchall()
        assert rows and {r[0] for r in rows} == {"mixed"}, rows
        details = [
            json.loads(d)
            for (d,) in con.execute(
                f"SELECT detail FROM ({members_as_events()}) WHERE action = 'script_detected'"
                " AND record_id IN (SELECT unnest(?::VARCHAR[]))",
                [copies],
            ).fetchall()
        ]
        assert details and all(d["script"] == "mixed" and d["detected"] == "traditional" for d in details), details
    finally:
        con.close()
