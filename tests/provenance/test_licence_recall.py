"""Past exports whose records the current licence rules refuse for their use (review licences #5): the licence
side of `audit withdrawn`, judged by the export's own licence rule."""

from __future__ import annotations

import json

import duckdb


def _export(cli, out, *flags):
    code, text, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "consortium", *flags,
        "--pii-gate", "expected", "--out", str(out), "--json",
    )  # fmt: skip
    assert code == 0, text + err
    return json.loads(text)


def _ids(db, source_id):
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT record_id FROM records WHERE source_id = ? ORDER BY 1", [source_id]).fetchall()
        return [r[0] for r in rows]
    finally:
        con.close()


def test_audit_names_exports_a_later_licence_correction_makes_non_compliant(cli, db_path, tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text('{"id": "a1", "text": "金融科技發展路徑圖。"}\n{"id": "a2", "text": "數位金融。"}\n', encoding="utf-8")
    b.write_text('{"id": "b1", "text": "開放銀行。"}\n', encoding="utf-8")
    moda = ("--quiet", "ingest", "moda")
    assert cli(*moda, str(b), "--licence", "CC-BY-4.0", "--source-id", "moda_b")[0] == 0
    untouched = _export(cli, tmp_path / "e0", "--commercial")  # b's record only
    assert cli(*moda, str(a), "--licence", "CC-BY-4.0", "--source-id", "moda_a")[0] == 0
    exported_a = _ids(db_path, "moda_a")
    commercial = _export(cli, tmp_path / "e1", "--commercial")
    non_commercial = _export(cli, tmp_path / "e2", "--non-commercial")
    assert untouched["records"] == 1 and commercial["records"] == non_commercial["records"] == 3
    code, out, _ = cli("audit", "licences")
    assert code == 0 and "no past export holds records that the current licence rules refuse" in out

    # the licence of file a corrected: non-commercial only (new versions, licence_terms_changed)
    code, out, err = cli(*moda, str(a), "--licence", "CC-BY-NC-4.0", "--source-id", "moda_a")
    assert code == 0, out + err
    now_a = sorted(set(_ids(db_path, "moda_a")) - set(exported_a))
    assert len(now_a) == 2

    code, out, err = cli("audit", "export", commercial["export_id"], "--json")
    assert code == 0, err
    refused = json.loads(out)["licence_refused"]
    assert [(r["record_id"], r["licence_then"], r["licence_now"], r["code"]) for r in refused] == [
        (rid, "CC-BY-4.0", "CC-BY-NC-4.0", "commercial") for rid in exported_a
    ]
    assert sorted(r["current_id"] for r in refused) == now_a
    assert {r["reason"] for r in refused} == {"commercial use not permitted by CC-BY-NC-4.0"}  # the engine's
    for eid in (untouched["export_id"], non_commercial["export_id"]):  # unaffected; still allowed
        code, out, _ = cli("audit", "export", eid, "--json")
        assert code == 0 and json.loads(out)["licence_refused"] == []

    code, out, _ = cli("audit", "exports", "--json")
    counts = {e["export_id"]: e["licence_refused"] for e in json.loads(out)}
    assert counts == {untouched["export_id"]: 0, commercial["export_id"]: 2, non_commercial["export_id"]: 0}

    code, out, _ = cli("audit", "licences", "--full")
    assert (
        code == 0 and "CC-BY-NC-4.0" in out and "past exports holding records the current licence rules refuse" in out
    )
    section = out.split("rules refuse for the export")[1]
    assert commercial["export_id"] in section and "commercial 2" in section and str(tmp_path / "e1") in section
    assert untouched["export_id"] not in section and non_commercial["export_id"] not in section
    code, out, _ = cli("audit", "export", commercial["export_id"], "--full")
    assert code == 0 and "commercial use not permitted by CC-BY-NC-4.0" in out and exported_a[0] in out

    # a second correction, to a licence that still allows non-commercial training for the consortium: nothing new
    code, out, err = cli(*moda, str(a), "--licence", "LicenseRef-MODA-AI-Training", "--source-id", "moda_a")
    assert code == 0, out + err
    code, out, _ = cli("audit", "exports", "--json")
    counts = {e["export_id"]: e["licence_refused"] for e in json.loads(out)}
    assert counts == {untouched["export_id"]: 0, commercial["export_id"]: 2, non_commercial["export_id"]: 0}


def test_a_correction_that_narrows_the_purposes_names_the_export(cli, db_path, tmp_path):
    """A correction that refuses the export's purpose (training) and audience, followed down a later stage version."""
    a = tmp_path / "a.jsonl"
    a.write_text('{"id": "a1", "text": "金融監督管理\\u200b委員會  公告。"}\n', encoding="utf-8")
    assert cli("--quiet", "ingest", "moda", str(a), "--licence", "CC-BY-4.0")[0] == 0
    (exported,) = _ids(db_path, "moda")
    code, text, err = cli(
        "--quiet", "export", "dataset", "--purpose", "redistribution", "--audience", "public", "--non-commercial",
        "--pii-gate", "expected", "--out", str(tmp_path / "pub"), "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(text)["records"] == 1, err
    training = _export(cli, tmp_path / "train", "--non-commercial")
    assert cli("--quiet", "run", "hygiene")[0] == 0  # a stage version after the export
    assert cli("--quiet", "ingest", "moda", str(a), "--licence", "LicenseRef-MODA-AI-Training")[0] == 0
    code, out, _ = cli("audit", "exports", "--json")
    counts = {e["export_id"]: e["licence_refused"] for e in json.loads(out)}
    public = json.loads(text)["export_id"]
    assert counts == {public: 1, training["export_id"]: 0}
    code, out, _ = cli("audit", "export", public, "--json")
    (refused,) = json.loads(out)["licence_refused"]
    assert refused["record_id"] == exported and refused["licence_now"] == "LicenseRef-MODA-AI-Training"
    assert refused["current_id"] != exported and "redistribution" in refused["reason"]


def _books_manifest(folder, rows):
    import csv

    cols = ["path", "title", "licensor", "licence_id", "agreement_id", "audience", "purposes", "expiry", "attribution"]
    path = folder / "manifest.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for row in rows:
            w.writerow({c: row.get(c, "") for c in cols})
    return path


def test_a_manifest_terms_correction_judged_on_the_export_date(cli, db_path, tmp_path):
    """Agreement terms corrected in the manifest: an expiry moved before the export's date names the record (judged
    at the export's as_of); a row whose corrected terms still allow the use is not named."""
    d = tmp_path / "books"
    d.mkdir()
    (d / "deposit.txt").write_text("第一章 存款\n銀行應依法辦理存款業務。\n", encoding="utf-8")
    (d / "loans.txt").write_text("第二章 放款\n放款應審慎評估信用。\n", encoding="utf-8")
    agreement = {
        "licence_id": "LicenseRef-Written-Agreement",
        "agreement_id": "PUB-1",
        "licensor": "金融出版社",
        "audience": "consortium",
        "purposes": "training",
        "expiry": "2030-12-31",
        "attribution": "© 金融出版社",
    }
    rows = [{"path": "deposit.txt", **agreement}, {"path": "loans.txt", **agreement}]
    assert cli("--quiet", "ingest", "textbooks", str(_books_manifest(d, rows)))[0] == 0
    exported = _ids(db_path, "textbooks")
    exp = _export(cli, tmp_path / "e", "--non-commercial", "--as-of", "2026-06-01")
    assert exp["records"] == 2
    rows = [
        {"path": "deposit.txt", **agreement, "expiry": "2026-05-31"},
        {"path": "loans.txt", **agreement, "purposes": "training;evaluation"},
    ]
    code, out, err = cli("ingest", "textbooks", str(_books_manifest(d, rows)))
    assert code == 0 and "licence terms changed" in out, out + err
    code, out, _ = cli("audit", "export", exp["export_id"], "--json")
    (refused,) = json.loads(out)["licence_refused"]
    assert refused["record_id"] in exported and refused["code"] == "expired" and "2026-05-31" in refused["reason"]


def test_a_corrected_record_made_a_near_duplicate_since_is_still_named(cli, db_path, tmp_path):
    """Review 6 (pipeline round 2): after the correction, dedup made the document's current version a near duplicate
    (status ``duplicate``, no active version left); the export still ships its text, and the audit lost it."""
    a = tmp_path / "a.jsonl"
    a.write_text('{"id": "a1", "text": "金融科技發展路徑圖。"}\n', encoding="utf-8")
    assert cli("--quiet", "ingest", "moda", str(a), "--licence", "CC-BY-4.0")[0] == 0
    exported = _export(cli, tmp_path / "e1", "--commercial")
    assert cli("--quiet", "ingest", "moda", str(a), "--licence", "CC-BY-NC-4.0")[0] == 0
    con = duckdb.connect(str(db_path))
    try:  # what `curate run dedup` does to a near duplicate: its status, in place
        con.execute("UPDATE records SET status = 'duplicate' WHERE status = 'active'")
    finally:
        con.close()
    code, out, _ = cli("audit", "export", exported["export_id"], "--json")
    assert code == 0 and [r["code"] for r in json.loads(out)["licence_refused"]] == ["commercial"], out


def test_a_record_a_rule_added_since_refuses_is_not_called_a_correction(builder, cli, tmp_path, monkeypatch):
    """On an upgraded catalogue every past export was listed under "a later licence correction refuses now", though
    no correction was made: a rule added to the code since (OGDL-Taiwan-1.0 needs the providing agency) refused
    the exported version itself (review 8, F5)."""
    import provenance._selection as selection

    builder.source("moda", "OGDL-Taiwan-1.0", title="開放資料")
    rid = builder.record("moda", "od.csv:1", "沒有提供機關的一列開放資料。", metadata={"dataset": "利率"})
    builder.close()
    credit = selection.record_credit  # as the release before the rule: no providing agency needed
    monkeypatch.setattr(selection, "record_credit", lambda meta, year: {**credit(meta, year), "provider": "某機關"})
    exported = _export(cli, tmp_path / "e", "--non-commercial")
    monkeypatch.undo()
    assert exported["records"] == 1
    code, out, _ = cli("audit", "licences", "--full")
    assert code == 0 and "licence correction refuses" not in out, out
    assert "records the current licence rules refuse for the export's use" in out and "licence_terms 1" in out, out
    code, out, _ = cli("audit", "export", exported["export_id"], "--full")
    assert code == 0 and "licence correction refuses" not in out and "a rule added since" in out, out
    assert rid in out and "providing agency" in out, out
