"""The index stores exact keys tagged with the version of the key (``<version>:<digest>``, review 16), as strict keys
(migration 0116): a key is a digest of the text folded through the Unicode database and OpenCC's table, so after an
upgrade the same text may get another one. Stored bare, an earlier record's key was compared as it stood: an
identical copy arriving after the upgrade missed its exact group (a near duplicate at best, and no duplicate at all
for a text too short to shingle). A stale or bare key is computed again from the record's text and rewritten."""

from __future__ import annotations

from curate.dedup.keys import exact_key_version
from curate.runner import run_stage
from curate.stages.dedup import DedupStage
from provenance import db

from .records import SOURCES
from .test_incremental_equals_one_shot import _state
from .test_strict_key_index import _matches

LETTER = "親愛的客戶您好：本行謹通知您，自下月起信用卡循環信用年利率調整為百分之十五，詳情請洽客服專線或至各分行洽詢。"
SHORT = "同意書"  # shorter than a shingle: only its exact key finds its copies

ARTICLE = "銀行辦理授信業務應訂定授信政策並經董事會通過後實施，對於同一人或同一關係人之授信應符合主管機關所定限額。"

FIRST = [("tabf", "letter-0", LETTER), ("tabf", "short-0", SHORT), ("law_moj", "A/1@2020", ARTICLE)]
#: the statute's article again, same law: a duplicate only as an identical text (per-document policy), else both stay
SECOND = [("moda", "letter-1", LETTER), ("moda", "short-1", SHORT), ("law_moj", "A/1@2024", ARTICLE)]


def add_records(path, rows, run_id: str = "test-ingest") -> None:
    """The dedup fixture's records; the law_moj ones in one law (``container``)."""
    from catalogue_builder import add_records as write_records
    from catalogue_builder import add_source

    con = db.connect(path)
    try:
        with db.transaction(con):
            for sid, (kind, lic) in SOURCES.items():
                add_source(con, sid, kind=kind, licence_id=lic)
            write_records(
                con,
                [
                    {
                        "source_id": sid,
                        "locator": loc,
                        "text": text,
                        "doc_key": f"{sid}:{loc}",
                        "licence_id": SOURCES[sid][1],
                        "metadata": {},
                        **({"container": "law_moj:A:zh"} if sid == "law_moj" else {}),
                    }
                    for sid, loc, text in rows
                ],
                run_id=run_id,
            )
    finally:
        con.close()


def _one_run(tmp_path):
    one = tmp_path / "one.duckdb"
    add_records(one, FIRST + SECOND)
    assert run_stage(one, DedupStage(), workers=1).status == "finished"
    return one


def _index_keys(path) -> list[str]:
    con = db.connect_readonly(path)
    try:
        return [k for (k,) in con.execute("SELECT exact_key FROM dedup_signatures ORDER BY record_id").fetchall()]
    finally:
        con.close()


def _rewrite_keys(path, sql: str) -> None:
    con = db.connect(path)
    try:
        con.execute(f"UPDATE dedup_signatures SET exact_key = {sql}")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def test_a_key_stored_under_another_version_is_computed_again_not_compared(tmp_path):
    inc = tmp_path / "inc.duckdb"
    add_records(inc, FIRST, run_id="ingest-0")
    assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    stale = "0" * 8 if exact_key_version() != "0" * 8 else "1" * 8
    # another fold table: the letter's key changed (a character it folds), the short text's did not
    _rewrite_keys(
        inc,
        f"CASE WHEN n_shingles > 0 THEN '{stale}:' || repeat('b', 32) ELSE '{stale}:' || right(exact_key, 32) END",
    )
    add_records(inc, SECOND, run_id="ingest-1")
    assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    one = _one_run(tmp_path)
    assert _state(inc) == _state(one)
    assert _matches(inc) == _matches(one)  # the letter's copy an exact duplicate, as one run decides
    assert set(_index_keys(inc)) == set(_index_keys(one))  # rewritten under the current version
    assert all(k.startswith(exact_key_version() + ":") for k in _index_keys(inc))


def test_an_index_of_bare_keys_still_works_and_is_rewritten(tmp_path):
    """An index written before review 16: bare digests."""
    inc = tmp_path / "inc.duckdb"
    add_records(inc, FIRST, run_id="ingest-0")
    assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    _rewrite_keys(inc, "right(exact_key, 32)")
    add_records(inc, SECOND, run_id="ingest-1")
    assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    one = _one_run(tmp_path)
    assert _state(inc) == _state(one)
    assert _matches(inc) == _matches(one)
    assert set(_index_keys(inc)) == set(_index_keys(one))
    assert all(k.startswith(exact_key_version() + ":") for k in _index_keys(inc))


LONE = (
    "tabf",
    "lone-0",
    "本行營業時間為週一至週五上午九時至下午三時三十分，例假日暫停營業，敬請見諒並多加利用自動化服務設備。",
)


def test_a_short_text_whose_key_the_upgrade_changed_finds_its_copy(tmp_path, monkeypatch):
    """The fold table before the upgrade left 書 alone: ``同意書`` (one shingle) had another key and another signature,
    so neither its old digest nor an LSH bucket finds it; every stale row is keyed again, once, so its copy arriving
    after the upgrade is the exact duplicate one run decides. Review 16's first fix looked stale rows up by their old
    digest and kept the copy active beside it."""
    import curate.dedup.exact as exact
    import curate.dedup.keys as keys

    inc = tmp_path / "inc.duckdb"
    add_records(inc, [*FIRST, LONE], run_id="ingest-0")
    keep, fmap = keys._tables()
    assert fmap[ord("書")] == ord("书")
    before = fmap.copy()
    before[ord("書")] = ord("書")
    with monkeypatch.context() as m:
        m.setattr(keys, "_tables", lambda: (keep, before))
        m.setattr(exact, "exact_key_version", lambda: "0" * 8)
        assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    assert all(k.startswith("0" * 8 + ":") for k in _index_keys(inc))
    add_records(inc, SECOND, run_id="ingest-1")
    assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    one = tmp_path / "one.duckdb"
    add_records(one, [*FIRST, LONE, *SECOND])
    assert run_stage(one, DedupStage(), workers=1).status == "finished"
    assert _state(inc) == _state(one)
    assert _matches(inc) == _matches(one)
    # every row keyed again at once, the lone record's too (no copy of it arrived): later runs read no text for it
    assert sorted(_index_keys(inc)) == sorted(_index_keys(one))


def test_a_withdrawn_records_stale_key_is_left_as_it_stands(tmp_path):
    """The rekey reads the text of a record a run may compare only: a withdrawn one's stays unread."""
    inc = tmp_path / "inc.duckdb"
    add_records(inc, [LONE], run_id="ingest-0")
    assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    _rewrite_keys(inc, "'0000000b:' || right(exact_key, 32)")
    con = db.connect(inc)
    try:
        con.execute("UPDATE records SET status = 'withdrawn'")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    add_records(inc, SECOND, run_id="ingest-1")
    assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    con = db.connect_readonly(inc)
    try:
        got = con.execute(
            "SELECT s.exact_key FROM dedup_signatures s JOIN records r USING (record_id) WHERE r.status = 'withdrawn'"
        ).fetchall()
    finally:
        con.close()
    assert [k[:9] for (k,) in got] == ["0000000b:"]
