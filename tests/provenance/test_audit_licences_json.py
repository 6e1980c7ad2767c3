"""`audit licences --json` carries the recall too (review 13): before, the JSON held the per-licence counts only, so
an auditor's script read no export to recall after a licence correction while the table named it. The JSON stays the
list of per-licence rows scripts read (review of the fixes 13: an object broke them); each row has `recall`."""

from __future__ import annotations

import json

from provenance.licences import licence_catalogue_path


def test_audit_licences_json_names_the_exports_to_recall(builder, cli, tmp_path):
    builder.source("open", "CC-BY-4.0", title="公開講義", metadata={"provider": "研訓院", "dataset": "公開講義"})
    builder.record("open", "s.txt#1", "本講義說明銀行信用風險管理之基本原則。")
    builder.close()
    ours = tmp_path / "ours.toml"
    ours.write_text(licence_catalogue_path().read_text("utf-8"), encoding="utf-8")
    code, text, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "public", "--commercial",
        "--as-of", "2026-06-01", "--out", str(tmp_path / "e1"), "--catalogue", str(ours), "--json",
    )  # fmt: skip
    assert code == 0, text + err
    shipped = json.loads(text)

    code, out, _ = cli("audit", "licences", "--catalogue", str(ours), "--json")
    rows = json.loads(out)
    assert code == 0 and isinstance(rows, list)
    assert [(r["licence_id"], r["source_id"], r["records"], r["known"], r["recall"]) for r in rows] == [
        ("CC-BY-4.0", "open", 1, True, [])
    ]

    # the licensor ended the licence on 1 March (found out later): the steward corrects the catalogue file
    text = ours.read_text("utf-8").replace('id = "CC-BY-4.0"\n', 'id = "CC-BY-4.0"\nexpiry = "2026-03-01"\n', 1)
    ours.write_text(text, encoding="utf-8")
    code, out, err = cli("audit", "licences", "--catalogue", str(ours), "--json")
    assert code == 0, err
    (row,) = json.loads(out)
    assert (row["licence_id"], row["source_id"], row["records"], row["known"]) == ("CC-BY-4.0", "open", 1, True)
    assert set(row) == {"licence_id", "source_id", "records", "characters", "known", "recall"}
    (recall,) = row["recall"]
    assert recall["export_id"] == shipped["export_id"] and recall["reasons"] == {"expired": 1}
    assert recall["out_dirs"] == [shipped["out_dir"]] and recall["refused_records"] == 1
    assert [(r["code"], r["licence_then"], r["licence_now"]) for r in recall["records"]] == [
        ("expired", "CC-BY-4.0", "CC-BY-4.0")
    ]


def test_a_corrected_licence_s_recall_is_in_its_row(cli, db_path, tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text('{"id": "a1", "text": "金融科技發展路徑圖。"}\n', encoding="utf-8")
    b.write_text('{"id": "b1", "text": "開放銀行。"}\n', encoding="utf-8")
    moda = ("--quiet", "ingest", "moda")
    assert cli(*moda, str(a), "--licence", "CC-BY-4.0", "--source-id", "moda_a")[0] == 0
    assert cli(*moda, str(b), "--licence", "CC-BY-4.0", "--source-id", "moda_b")[0] == 0
    code, text, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "consortium", "--commercial",
        "--pii-gate", "expected", "--out", str(tmp_path / "e1"), "--json",
    )  # fmt: skip
    assert code == 0, text + err
    eid = json.loads(text)["export_id"]
    assert cli(*moda, str(a), "--licence", "CC-BY-NC-4.0", "--source-id", "moda_a")[0] == 0  # corrected
    code, out, err = cli("audit", "licences", "--json")
    assert code == 0, err
    rows = {(r["licence_id"], r["source_id"]): r for r in json.loads(out)}
    assert sorted(rows) == [("CC-BY-4.0", "moda_b"), ("CC-BY-NC-4.0", "moda_a")]
    assert rows[("CC-BY-4.0", "moda_b")]["recall"] == []
    (recall,) = rows[("CC-BY-NC-4.0", "moda_a")]["recall"]
    assert recall["export_id"] == eid and recall["reasons"] == {"commercial": 1}
    assert [(r["licence_then"], r["licence_now"]) for r in recall["records"]] == [("CC-BY-4.0", "CC-BY-NC-4.0")]
