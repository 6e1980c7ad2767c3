"""`curate pii scan` searches the known values as the detector reads text (review 11 integration review): hygiene
keeps a tab or U+3000 between CJK characters since round 11, so the vault and the source's name list hold a form's
受處分人：石　家銘 spaced, and an export or task file written before the source-wide pass found 查石家銘 holds it unspaced;
the verbatim search passed such a file clean (and the reverse)."""

import json

import pytest
from catalogue_builder import add_records, add_source

from provenance import db, runs


@pytest.mark.parametrize(
    ("labelled", "left"),
    [("受處分人：石\u3000家銘", "查石家銘未依規定辦理"), ("受處分人：石家銘", "查石\u3000家銘未依規定辦理")],
)
def test_a_name_left_spaced_otherwise_is_found(db_path, cli, monkeypatch, tmp_path, labelled, left):
    monkeypatch.setenv("CURATE_PII_KEY", "4d" * 32)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "fsc", pii_expected=True)
    add_records(
        con, [{"source_id": "fsc", "locator": "case/1", "text": labelled + "\n本會依法核處罰鍰。"}], run_id=run_id
    )
    runs.finish_run(con, run_id)
    con.close()
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    tasks = tmp_path / "tasks.json"
    tasks.write_text(json.dumps([{"data": {"text": left}}], ensure_ascii=False), encoding="utf-8")
    code, out, _ = cli("pii", "scan", "--json", "--path", str(tasks))
    report = json.loads(out)
    assert code == 1, report
    assert ("file", "PERSON") in {(f["surface"], f["entity_type"]) for f in report["findings"]}
