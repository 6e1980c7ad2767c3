"""Normalise edits in the ledger: one row per record, column by column; readers take the old list form too."""

from __future__ import annotations

import json

import duckdb
from catalogue_builder import add_records, add_source

from curate.runner import make_stage, run_stage
from curate.zh.ledger import edit_field, flag_field
from provenance import db, runs

OLD = {
    "edits": [
        {"offset": 0, "before": "银", "after": "銀", "by": "opencc"},
        {"offset": 3, "before": "帐户", "after": "帳戶", "by": "term"},
    ]
}
NEW = {"edits": {"offset": [0, 3], "before": ["银", "帐户"], "after": ["銀", "帳戶"], "by": ["opencc", "term"]}}


def test_edit_field_reads_both_forms_edit_by_edit() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (id INTEGER, detail VARCHAR)")
    con.execute("INSERT INTO t VALUES (1, $a), (2, $b)", {"a": json.dumps(OLD), "b": json.dumps(NEW)})
    rows = con.execute(
        f"SELECT id, unnest({edit_field('before')}), unnest({edit_field('after')}), unnest({edit_field('by')})"
        " FROM t ORDER BY id"
    ).fetchall()
    expected = [("银", "銀", "opencc"), ("帐户", "帳戶", "term")]
    assert [r[1:] for r in rows if r[0] == 1] == expected
    assert [r[1:] for r in rows if r[0] == 2] == expected
    old_flags = {"flags": [{"start": 0, "end": 4, "reason": "short"}, {"start": 5, "end": 9, "reason": "weak_signal"}]}
    new_flags = {"flags": {"start": [0, 5], "end": [4, 9], "reason": ["short", "weak_signal"]}}
    con.execute("DELETE FROM t")
    con.execute("INSERT INTO t VALUES (1, $a), (2, $b)", {"a": json.dumps(old_flags), "b": json.dumps(new_flags)})
    got = con.execute(f"SELECT id, unnest({flag_field('reason')}) FROM t ORDER BY id").fetchall()
    assert got == [(1, "short"), (1, "weak_signal"), (2, "short"), (2, "weak_signal")]


def test_report_and_run_stats_count_every_edit(db_path) -> None:
    from curate.reporting.data import gather

    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "zh", licence_id="CC-BY-4.0")
    texts = ["网络银行的转账限额为每日二百万元。", "用户可以下载软件，账户余额不足。", "本行依銀行法辦理。"]
    add_records(con, [{"source_id": "zh", "locator": str(i), "text": t} for i, t in enumerate(texts)], run_id=run_id)
    runs.finish_run(con, run_id)
    con.execute("UPDATE records SET pii_state = 'clean'")
    con.close()
    report = run_stage(db_path, make_stage("normalise"), workers=1)
    assert report.status == "finished"
    con = db.connect(db_path)
    try:
        details = [
            json.loads(d)
            for (d,) in con.execute("SELECT detail FROM provenance_events WHERE action = 'normalise'").fetchall()
        ]
        n_edits = sum(d["n_edits"] for d in details)
        assert len(details) == 2 and n_edits == sum(len(d["edits"]["offset"]) for d in details) > 0
        by_kind = dict(
            con.execute(
                "SELECT key, value FROM run_stats WHERE run_id = $r AND metric = 'edit'", {"r": report.run_id}
            ).fetchall()
        )
        assert sum(by_kind.values()) == n_edits and set(by_kind) == {"opencc", "term"}
        data = gather(con)
        assert {r["kind"]: r["edits"] for r in data.normalise_edits} == by_kind
        assert ("银", "銀") in {(r["before"], r["after"]) for r in data.normalise_pairs}
        flags = [
            json.loads(d)["flags"]
            for (d,) in con.execute("SELECT detail FROM provenance_events WHERE action = 'flag'").fetchall()
        ]
        reasons: dict[str, int] = {}
        for f in flags:
            for r in f["reason"]:
                reasons[r] = reasons.get(r, 0) + 1
        assert reasons and {r["reason"]: r["flags"] for r in data.normalise_flags} == reasons
        flag_stats = dict(
            con.execute(
                "SELECT key, value FROM run_stats WHERE run_id = $r AND metric = 'flag'", {"r": report.run_id}
            ).fetchall()
        )
        assert flag_stats == reasons
    finally:
        con.close()
