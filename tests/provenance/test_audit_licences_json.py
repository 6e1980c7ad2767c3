"""`audit licences --json` carries the recall list too (review 13): before, the JSON held the per-licence counts
only, so an auditor's script read no export to recall after a licence correction while the table named it."""

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
    rep = json.loads(out)
    assert code == 0 and rep["licence_refused"] == []
    assert [(r["licence_id"], r["records"]) for r in rep["licences"]] == [("CC-BY-4.0", 1)]

    # the licensor ended the licence on 1 March (found out later): the steward corrects the catalogue file
    text = ours.read_text("utf-8").replace('id = "CC-BY-4.0"\n', 'id = "CC-BY-4.0"\nexpiry = "2026-03-01"\n', 1)
    ours.write_text(text, encoding="utf-8")
    code, out, err = cli("audit", "licences", "--catalogue", str(ours), "--json")
    assert code == 0, err
    rep = json.loads(out)
    (recall,) = rep["licence_refused"]
    assert recall["export_id"] == shipped["export_id"] and recall["reasons"] == {"expired": 1}
    assert recall["out_dirs"] == [shipped["out_dir"]] and recall["refused_records"] == 1
    assert [r["code"] for r in recall["records"]] == ["expired"]
    assert [(r["licence_id"], r["records"]) for r in rep["licences"]] == [("CC-BY-4.0", 1)]
