"""The report's dedup figures and the portal's cluster are dedup as it stands now: a duplicate released by a
withdrawal is no duplicate, and one clustered again names its new survivor (review 5, finding 4)."""

from __future__ import annotations

import json

from curate.reporting.data import gather
from curate.web import data
from provenance import db
from provenance.licences import default_licence_catalogue

TEXT = "銀行應依本法規定建立內部控制制度，並定期辦理稽核及風險評估作業。"


def _ingest(cli, path, ids):
    path.write_text(
        "".join(
            json.dumps({"id": i, "title": i, "text": TEXT, "agency": "數位發展部", "date": d}, ensure_ascii=False)
            + "\n"
            for i, d in ids
        ),
        "utf-8",
    )
    code, _, err = cli("-q", "ingest", "moda", "--licence", "OGDL-Taiwan-1.0", "--dataset", "demo-ds", str(path))
    assert code == 0, err
    for stage in ("hygiene", "pii", "dedup"):
        code, _, err = cli("-q", "run", stage, "--workers", "1")
        assert code == 0, err


def _views(db_path):
    """(duplicates now, the report's duplicates by rule, cluster sizes, {record: its portal cluster's survivor})."""
    con = db.connect_readonly(db_path)
    try:
        dups = con.execute("SELECT count(*) FROM records WHERE status = 'duplicate'").fetchone()[0]
        d = gather(con)
        ids = [r[0] for r in con.execute("SELECT record_id FROM records WHERE status <> 'superseded'").fetchall()]
        clusters = {}
        for rid in ids:
            c = data.record_page(con, rid, default_licence_catalogue())["cluster"]
            clusters[rid] = c and c["survivor"]
        status = dict(con.execute("SELECT record_id, status FROM records").fetchall())
    finally:
        con.close()
    rules = sum(r["duplicates"] for r in d.dedup_rules)
    sized = sum((s["size"] - 1) * s["clusters"] for s in d.dedup_sizes)
    return dups, rules, sized, clusters, status


def test_released_duplicates_leave_the_views(db_path, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    _ingest(cli, tmp_path / "a.jsonl", [("d1", "2025-01-01"), ("d2", "2025-01-02")])
    dups, rules, sized, clusters, status = _views(db_path)
    assert dups == rules == sized == 1
    (survivor,) = [r for r, s in status.items() if s == "active"]
    (dup,) = [r for r, s in status.items() if s == "duplicate"]
    assert clusters == {survivor: survivor, dup: survivor}

    code, _, err = cli("provenance", "withdraw", "--record", survivor, "--reason", "ticket 1")
    assert code == 0, err
    code, _, err = cli("-q", "run", "dedup", "--workers", "1")
    assert code == 0, err
    dups, rules, sized, clusters, status = _views(db_path)
    assert status[dup] == "active" and dups == rules == sized == 0
    assert clusters[dup] is None and clusters[survivor] is None

    _ingest(cli, tmp_path / "b.jsonl", [("d3", "2025-03-01")])
    dups, rules, sized, clusters, status = _views(db_path)
    assert dups == rules == sized == 1
    (new,) = [r for r, s in status.items() if s in ("active", "duplicate") and r not in (dup, survivor)]
    kept = new if status[new] == "active" else dup
    assert clusters[dup] == clusters[new] == kept != survivor
