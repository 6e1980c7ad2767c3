"""An annotated task of a version found to hold personal data since its push (review 15, annotation).

A pushed version the PII stage seals later (a name it learned from another case), or one a reviewer marked 漏標 in,
is taken out of Label Studio (``because`` ``pii_sealed``). A task nobody annotated was deleted; an annotated one was
kept "as the bank's work", and so showed the name to every annotator of the bank for good: its text, the proofreading
prediction that pre-fills the correction box and the annotation holding the corrected text. Once every annotation
of such a task is imported (sealed in the catalogue), the pull deletes it, with a ``sealed_task_deleted`` event.
"""

from __future__ import annotations

import json

import pytest
from catalogue_builder import add_source, ingest_run
from ls_results import missed_pii

from annotation.pull import pull
from annotation.push import PushConfig, push
from curate.pii.keys import load_key
from curate.pii.review import VaultReview
from provenance import db

pytestmark = pytest.mark.labelstudio

NAME = "石家銘"
CASE = f"本會前於113年核處{NAME}，該員已離職。"


def _fixed(text: str) -> list[dict]:
    return [
        {"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["已修正"]}},
        {"from_name": "corrected", "to_name": "text", "type": "textarea", "value": {"text": [text]}},
    ]


def test_annotated_tasks_of_a_version_sealed_since_its_push_leave_label_studio_once_imported(
    label_studio, db_path, cli, bank, monkeypatch
):
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    con = db.connect(db_path)
    add_source(con, "fsc", pii_expected=True)
    ingest_run(con, [{"source_id": "fsc", "locator": "case/2", "text": CASE, "licence_id": "CC-BY-4.0"}])
    con.close()
    assert cli("-q", "run", "pii", "--workers", "1")[0] == 0
    con = db.connect(db_path)
    client, vault = label_studio.client(), VaultReview(load_key())
    pids, tasks = {}, {}
    for project in ("proofread", "pii", "topic"):
        pids[project] = push(con, client, PushConfig(project=project, bank=bank, vault=vault)).ls_project_id
        (tasks[project],) = client.export(pids[project], all_tasks=True)
    me = client.whoami()["id"]
    client.create_annotation(tasks["proofread"]["id"], _fixed(CASE + "（完）"), completed_by=me)
    client.create_annotation(tasks["pii"]["id"], missed_pii(tasks["pii"]["data"]["text"], "該員"), completed_by=me)
    # the topic task: its annotator skipped it (a skip is an annotation too, imported as `cancelled`)
    client.create_annotation(tasks["topic"]["id"], [], completed_by=me, was_cancelled=True)

    ingest_run(con, [{"source_id": "fsc", "locator": "case/3", "text": f"受處分人：{NAME}\n核處罰鍰。"}], "y")
    con.close()
    assert cli("-q", "run", "pii", "--workers", "1")[0] == 0
    con = db.connect(db_path)

    rep = pull(con, client, bank, vault=vault)
    assert rep.imported == 3, rep
    # every annotation of the three tasks is in the catalogue (typed text sealed): the tasks are gone from Label Studio
    for project, pid in pids.items():
        left = json.dumps(client.export(pid, all_tasks=True), ensure_ascii=False)
        assert NAME not in left, project
        assert tasks[project]["id"] not in {t["id"] for t in json.loads(left)}, project
    assert con.execute("SELECT count(*) FROM annotations").fetchone()[0] == 3
    events = con.execute(
        "SELECT json_extract_string(detail, '$.project'), json_extract(detail, '$.annotations')::INT"
        " FROM provenance_events WHERE action = 'sealed_task_deleted' ORDER BY 1"
    ).fetchall()
    assert events == [("pii", 1), ("proofread", 1), ("topic", 1)]
    assert con.execute(
        "SELECT count(*) FROM annotation_tasks WHERE retracted_at IS NOT NULL AND task_deleted"
    ).fetchone() == (3,)
    again = pull(con, client, bank, vault=vault)  # nothing left to do, nothing imported twice
    assert (again.imported, again.retracted, again.retracted_kept) == (0, 0, 0), again
    con.close()


def test_the_review_task_whose_missed_name_a_pull_applies_leaves_label_studio(
    label_studio, db_path, cli, bank, monkeypatch
):
    """The reviewer marks the name the PII stage missed (漏標): the pull masks it in a new version and seals the one
    read, whose review task showed the name in the clear; that task goes with the same pull, and so does the
    version's topic task annotated before."""
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    con = db.connect(db_path)
    add_source(con, "fsc", pii_expected=True)
    ingest_run(con, [{"source_id": "fsc", "locator": "case/2", "text": CASE, "licence_id": "CC-BY-4.0"}])
    con.close()
    assert cli("-q", "run", "pii", "--workers", "1")[0] == 0
    con = db.connect(db_path)
    client, vault = label_studio.client(), VaultReview(load_key())
    pids, tasks = {}, {}
    for project in ("pii", "topic"):
        pids[project] = push(con, client, PushConfig(project=project, bank=bank, vault=vault)).ls_project_id
        (tasks[project],) = client.export(pids[project], all_tasks=True)
    assert NAME in tasks["pii"]["data"]["text"]
    me = client.whoami()["id"]
    client.create_annotation(tasks["pii"]["id"], missed_pii(tasks["pii"]["data"]["text"], NAME), completed_by=me)
    topic = [{"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["法規"]}}]
    client.create_annotation(tasks["topic"]["id"], topic, completed_by=me)

    rep = pull(con, client, bank, vault=vault)
    assert (rep.imported, rep.new_versions) == (2, 1), rep
    for project, pid in pids.items():
        assert NAME not in json.dumps(client.export(pid, all_tasks=True), ensure_ascii=False), project
    assert rep.as_dict()["sealed_deleted"] == 2
    (active,) = con.execute("SELECT text FROM records WHERE status = 'active'").fetchone()
    assert NAME not in active and "〔姓名〕" in active
    con.close()
