"""A task whose annotation typed personal data: deleted once the PII stage has sealed the correction (review 15, integ).

An annotator's correction is unchecked until ``curate run pii`` (:mod:`provenance.pii_rule`); when that run finds an ID
number the annotator typed, it seals the correction (text in the vault alone). The Label Studio task kept it all the
same: its annotation, the corrected text, showed the number to every annotator of the bank for good, as an annotated
task of a version sealed since its push did before :mod:`annotation.sealed_tasks`. The pull after that PII run deletes
the task (all its annotations imported), with a ``sealed_task_deleted`` event.
"""

from __future__ import annotations

import json

import pytest
from ls_records import add_record, add_source

from annotation.pull import pull
from annotation.push import PushConfig, push
from curate.pii.keys import load_key
from curate.pii.review import VaultReview
from provenance import db

pytestmark = pytest.mark.labelstudio

KEY = "6b" * 32
TYPED = "A123456789"
TEXT = "本行依銀行法第四十五條之一辦理內部控制。"


def _fixed(text: str) -> list[dict]:
    return [
        {"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["已修正"]}},
        {"from_name": "corrected", "to_name": "text", "type": "textarea", "value": {"text": [text]}},
    ]


def test_a_task_whose_correction_the_pii_stage_sealed_leaves_label_studio(
    label_studio, db_path, cli, bank, monkeypatch
):
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    con = db.connect(db_path)
    add_source(con)  # not marked pii_expected
    add_record(con, TEXT, pii_state="clean")
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="proofread", bank=bank)).ls_project_id
    (task,) = client.export(pid, all_tasks=True)
    client.create_annotation(task["id"], _fixed(f"{TEXT}聯絡人身分證{TYPED}。"), completed_by=client.whoami()["id"])
    assert pull(con, client, bank, vault=VaultReview(load_key())).new_versions == 1
    con.close()
    assert cli("-q", "run", "pii", "--workers", "1")[0] == 0
    con = db.connect(db_path)
    (sealed,) = con.execute(
        "SELECT count(*) FROM records WHERE stage = 'annotation' AND pii_state = 'raw' AND text IS NULL"
    ).fetchone()
    assert sealed == 1  # the PII stage found the typed number and sealed the correction

    rep = pull(con, client, bank, vault=VaultReview(load_key()))
    left = json.dumps(client.export(pid, all_tasks=True), ensure_ascii=False)
    assert TYPED not in left and task["id"] not in {t["id"] for t in json.loads(left)}, left
    assert rep.as_dict()["sealed_deleted"] == 1
    (n,) = con.execute("SELECT count(*) FROM provenance_events WHERE action = 'sealed_task_deleted'").fetchone()
    assert n == 1
    again = pull(con, client, bank, vault=VaultReview(load_key()))  # nothing left to do
    assert again.as_dict()["sealed_deleted"] == 0
    con.close()
