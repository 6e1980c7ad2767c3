"""A task id the catalogue maps that Label Studio gave to another task is never deleted (review 15, annotation).

Label Studio may give the id of a task deleted there by hand to a new task (``annotation.push._supersede`` says so).
A pull takes out the tasks of a version sealed since its push; the one the catalogue maps under such an id is no
longer in the export of annotated tasks, and since review 15 it was then deleted "as an unannotated one", and
retract deleted it too, whatever task held the id now: another record's live task (here: another document's), or
another bank's. A task of another project or record under the id is left alone.
"""

from __future__ import annotations

import pytest
from ls_records import add_record, add_source

from annotation.pull import pull
from annotation.push import PushConfig, push
from provenance import db

pytestmark = pytest.mark.labelstudio


def test_a_sealed_versions_task_id_now_held_by_another_task_is_left_alone(label_studio, db_path, bank):
    con = db.connect(db_path)
    add_source(con)
    sealed = add_record(con, "第一條 本辦法依銀行法訂定。", locator="a1")
    other = add_record(con, "第二條 本辦法所稱主管機關為金融監督管理委員會。", locator="a2")
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="proofread", bank=bank)).ls_project_id
    tasks = {t["data"]["record_id"]: t["id"] for t in client.export(pid, all_tasks=True)}
    # the sealed version's task was deleted by hand, and Label Studio gave its id to the other document's task
    client.delete_task(tasks[sealed])
    con.execute("UPDATE annotation_tasks SET ls_task_id = ? WHERE record_id = ?", [tasks[other], sealed])
    con.execute("UPDATE records SET pii_state = 'raw', text = NULL WHERE record_id = ?", [sealed])  # sealed since

    pull(con, client, bank)
    pull(con, client, bank)
    assert {t["id"] for t in client.export(pid, all_tasks=True)} == {tasks[other]}
    left = client.export(pid, all_tasks=True)[0]["data"]
    assert left["record_id"] == other and left["text"], left
    assert not con.execute("SELECT count(*) FROM provenance_events WHERE action = 'sealed_task_deleted'").fetchone()[0]
    con.close()
