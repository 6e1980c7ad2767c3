"""`curate pii scan` reads back what the bridge pushed to Label Studio (issue 13: task payloads)."""

from __future__ import annotations

import json

import pytest
from ls_records import add_record, add_source

from provenance import db

pytestmark = pytest.mark.labelstudio

NAME = "王小明"
TEXT = f"申請人{NAME}，手機0912-345-678，由承辦人審核。"


@pytest.fixture
def pushed(db_path, cli, monkeypatch, ls_env, bank):
    """The real PII stage, then `curate annotate push` of the scrubbed record to the test Label Studio."""
    monkeypatch.setenv("CURATE_PII_KEY", "7a" * 32)
    con = db.connect(db_path)
    add_source(con, "s")
    add_record(con, TEXT, source_id="s", locator="case/1", pii_state=None)
    con.close()
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    code, out, err = cli("annotate", "push", "--project", "proofread", "--bank", bank)
    assert code == 0 and "pushed 1" in out, out + err
    con = db.connect(db_path)
    (pid,) = con.execute("SELECT ls_project_id FROM annotation_projects WHERE bank = ?", [bank]).fetchone()
    con.close()
    return pid


def _scan(cli, *args):
    code, out, err = cli("pii", "scan", "--json", *args)
    assert code in (0, 1), err
    assert NAME not in out
    return code, json.loads(out)


def test_pushed_tasks_are_read_back_and_a_planted_task_is_found(pushed, cli, label_studio):
    code, report = _scan(cli)
    assert code == 0 and report["findings"] == [] and report["unchecked"] == [], report
    assert report["labelstudio_tasks_scanned"] == 1
    # a task carrying the raw name, imported into the same project behind the bridge's back
    client = label_studio.client()
    (task,) = client.export(pushed, all_tasks=True)
    planted = {**task["data"], "text": task["data"]["text"] + f"回電{NAME}先生"}
    client.import_tasks(pushed, [planted])
    code, report = _scan(cli)
    hits = [f for f in report["findings"] if f["surface"] == "labelstudio"]
    assert code == 1 and hits and hits[0]["entity_type"] == "PERSON", report
    assert f"project {pushed}" in hits[0]["where"]
    # without reading Label Studio back, the projects are listed as not checked
    code, report = _scan(cli, "--no-label-studio")
    assert code == 0 and report["labelstudio_tasks_scanned"] == 0
    assert any(f"project {pushed}" in u and "not checked" in u for u in report["unchecked"])
