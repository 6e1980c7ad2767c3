"""Withdrawal cascades to derived versions, leaves later exports and shows in `audit withdrawn`."""

from __future__ import annotations

import json

import duckdb
import pytest


def _export(cli, out, audience="consortium"):
    code, stdout, err = cli(
        "--quiet",
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        "training",
        "--audience",
        audience,
        "--out",
        str(out),
        "--as-of",
        "2026-06-01",
        "--json",
    )
    assert code == 0, err
    return json.loads(stdout)


def _ids(out):
    return {json.loads(x)["record_id"] for x in (out / "manifest.jsonl").read_text("utf-8").splitlines()}


def _status(db_path, ids):
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return dict(
            con.execute(
                "SELECT record_id, status FROM records WHERE record_id IN (SELECT unnest(?))", [list(ids)]
            ).fetchall()
        )
    finally:
        con.close()


def test_withdrawn_source_leaves_next_export_and_is_reported(mixed, db_path, cli, tmp_path):
    first = _export(cli, tmp_path / "before")
    assert mixed["textbook"][0] in _ids(tmp_path / "before")
    code, out, _ = cli("audit", "withdrawn", "--json")
    assert code == 0 and json.loads(out)["exports"] == []

    code, out, err = cli("provenance", "withdraw", "--source", "textbook", "--reason", "licensor ended agreement")
    assert code == 0, err
    assert "withdrew 1 records" in out

    second = _export(cli, tmp_path / "after")
    assert mixed["textbook"][0] not in _ids(tmp_path / "after")
    assert second["blocked_by_code"].get("withdrawn") == 1
    assert _ids(tmp_path / "after") == _ids(tmp_path / "before") - set(mixed["textbook"])

    code, out, _ = cli("audit", "withdrawn", "--json")
    rows = json.loads(out)["exports"]
    assert [r["export_id"] for r in rows] == [first["export_id"]]
    assert rows[0]["withdrawn_records"] == 1 and rows[0]["sources"] == ["textbook"]
    code, out, _ = cli("audit", "withdrawn")
    assert first["export_id"] in out
    code, out, _ = cli("audit", "verify")
    assert code == 0


def test_withdraw_record_cascades_to_derived_versions(builder, db_path, cli):
    b = builder
    b.source("law_moj", "OGDL-Taiwan-1.0")
    root = b.record("law_moj", "A/1", "原文")
    v1 = b.version(root, "原文 清理", stage="hygiene")
    v2 = b.version(v1, "原文 正規化", stage="normalise")
    other = b.record("law_moj", "A/2", "別的")
    b.close()
    code, out, err = cli(
        "provenance", "withdraw", "--record", root, "--reason", "PDPA Art. 11 deletion request", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["records"] == 3
    st = _status(db_path, [root, v1, v2, other])
    assert st == {root: "withdrawn", v1: "withdrawn", v2: "withdrawn", other: "active"}
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        events = con.execute("SELECT record_id, detail FROM provenance_events WHERE action = 'withdraw'").fetchall()
        wd = con.execute("SELECT scope, target, records FROM withdrawals").fetchall()
    finally:
        con.close()
    assert {e[0] for e in events} == {root, v1, v2}
    assert all(json.loads(e[1])["reason"] == "PDPA Art. 11 deletion request" for e in events)
    assert wd == [("record", root, 3)]
    # again: nothing new, still recorded
    code, out, _ = cli("provenance", "withdraw", "--record", v2, "--reason", "again", "--json")
    assert code == 0 and json.loads(out)["records"] == 0


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--reason", "x"], "exactly one of --source or --record"),
        (["--source", "a", "--record", "b", "--reason", "x"], "exactly one of --source or --record"),
        (["--source", "nope", "--reason", "x"], "source `nope` is not in the catalogue"),
        (["--record", "nope", "--reason", "x"], "record `nope` is not in the catalogue"),
        (["--source", "law_moj", "--reason", " "], "non-empty --reason"),
    ],
    ids=["none", "both", "unknown-source", "unknown-record", "empty-reason"],
)
def test_withdraw_errors(mixed, cli, args, needle):
    """Each a usage error (exit 2): an unknown source or record was 1 while `runs show nosuch` was 2 (review 11)."""
    for verb in ("withdraw", "reinstate"):
        code, _, err = cli("provenance", verb, *args)
        assert code == 2 and needle in err, (verb, code, err)


def test_recall_names_exports_of_an_earlier_version(builder, db_path, cli, tmp_path):
    """An export made before a later stage holds the withdrawn document's earlier version: every recall view
    names it, as `audit record` does (review 5, finding 1)."""
    from curate.web import data
    from provenance.audit import export_report, withdrawn_records
    from provenance.db import connect, connect_readonly, transaction
    from provenance.records import create_version

    meta = {"provider": "法務部", "year": 2025, "dataset": "全國法規資料庫 中文法規 v1"}
    builder.source("law_moj", "OGDL-Taiwan-1.0", title="全國法規資料庫", metadata=meta)
    old = builder.record("law_moj", "A/1", "銀行法第一條 本法所稱銀行。")
    builder.record("law_moj", "A/2", "銀行法第二條 別的條文。")
    builder.close()
    first = _export(cli, tmp_path / "before")
    assert old in _ids(tmp_path / "before")
    con = connect(db_path)  # a later stage makes a new version of the exported record
    with transaction(con):
        new = create_version(con, old, "銀行法第一條 本法所稱銀行。 ", stage="normalise", run_id="run-test")
    con.close()
    code, out, err = cli("provenance", "withdraw", "--record", new, "--reason", "takedown ticket 7")
    assert code == 0, err

    code, out, _ = cli("audit", "withdrawn", "--json")
    got = json.loads(out)
    assert [r["export_id"] for r in got["exports"]] == [first["export_id"]]
    assert got["exports"][0]["withdrawn_records"] == 1
    assert [e["export_id"] for e in got["withdrawals"][0]["exports"]] == [first["export_id"]]
    code, out, _ = cli("audit", "record", new, "--json")
    assert {e["export_id"] for e in json.loads(out)["exports"]} == {first["export_id"]}
    con = connect_readonly(db_path)
    try:
        assert withdrawn_records(con, first["export_id"]) == [old]
        assert sum(x["withdrawn_since"] for x in export_report(con, first["export_id"])["licences"]) == 1
        assert [e["export_id"] for e in data.withdrawals_page(con)["rows"][0]["exports"]] == [first["export_id"]]
    finally:
        con.close()
