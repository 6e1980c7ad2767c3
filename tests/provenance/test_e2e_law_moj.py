"""End to end on real MOJ fixtures: ingest -> hygiene -> export -> load_dataset -> audit."""

from __future__ import annotations

import json

import pytest


@pytest.mark.slow
def test_law_moj_ingest_to_export(law_fixtures, db_path, cli, tmp_path, monkeypatch):
    import datasets

    monkeypatch.setenv("CURATE_PII_KEY", "00" * 32)  # test key; real keys come from the environment or a key file

    code, out, err = cli("--quiet", "ingest", "law-moj", str(law_fixtures / "chlaw_json" / "ch"))
    assert code in (0, 3), err
    code, out, err = cli("--quiet", "run", "hygiene", "--workers", "1")
    assert code in (0, 3), err
    code, out, err = cli("--quiet", "audit", "licences", "--json")
    out_dir = tmp_path / "unchecked"
    code, out, err = cli(
        "--quiet",
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        "training",
        "--audience",
        "consortium",
        "--out",
        str(out_dir),
        "--json",
    )
    assert code == 0 and json.loads(out)["records"] == 0  # nothing leaves before the PII stage ran
    code, out, err = cli("--quiet", "run", "pii", "--workers", "1")
    assert code in (0, 3), err
    code, out, _ = cli("audit", "licences", "--json")
    lic = json.loads(out)
    assert lic and all(r["licence_id"] == "OGDL-Taiwan-1.0" and r["known"] for r in lic)
    n_active = sum(r["records"] for r in lic)

    out_dir = tmp_path / "laws"
    code, out, err = cli(
        "--quiet",
        "export",
        "dataset",
        "--purpose",
        "redistribution",
        "--audience",
        "public",
        "--commercial",
        "--out",
        str(out_dir),
        "--json",
    )
    assert code == 0, err
    res = json.loads(out)
    # only the （刪除） placeholders of repealed articles stay out (issue 14)
    stubs = res["blocked_by_code"].get("deleted_stub", 0)
    assert stubs > 0 and res["records"] + stubs == n_active and res["blocked"] == stubs
    ds = datasets.load_dataset(str(out_dir), cache_dir=str(tmp_path / "hf-cache"))["train"]
    assert len(ds) == res["records"]
    row = ds[0]
    assert row["licence_id"] == "OGDL-Taiwan-1.0" and "https://data.gov.tw/license" in row["attribution"]
    assert "政府資料開放授權條款" in (out_dir / "NOTICE.md").read_text("utf-8")

    code, out, err = cli("audit", "record", row["record_id"], "--json")
    assert code == 0, err
    rep = json.loads(out)
    assert rep["source"]["source_id"] == row["source_id"]
    assert rep["events"] and rep["events"][0]["stage"] == "ingest"
    assert [e["export_id"] for e in rep["exports"]] == [res["export_id"]]
    code, out, _ = cli("audit", "verify")
    assert code == 0, out

    code, out, err = cli("provenance", "withdraw", "--source", row["source_id"], "--reason", "test", "--json")
    assert code == 0 and json.loads(out)["records"] >= n_active
    code, out, _ = cli("audit", "withdrawn", "--json")
    assert [r["export_id"] for r in json.loads(out)["exports"]] == [res["export_id"]]
