"""Tasks of records withdrawn after the push leave Label Studio (review 5, annotation #2): the next push or pull of
the bank deletes the unannotated ones, keeps the annotated ones, and `curate audit withdrawn` says which."""

from __future__ import annotations

import pytest
from ls_records import make_catalogue

from annotation.pull import pull
from annotation.push import PushConfig, push
from provenance.audit import withdrawn_tasks
from provenance.withdraw import withdraw

pytestmark = pytest.mark.labelstudio

CHOICE = [{"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["市場"]}}]


def _on_server(client, pid: int) -> dict[str, int]:
    return {t["data"]["record_id"]: t["id"] for t in client.export(pid, all_tasks=True)}


@pytest.mark.parametrize("sync", ["pull", "push"])
def test_a_withdrawn_records_unannotated_task_is_deleted_by_the_next_sync(label_studio, db_path, bank, cli, sync):
    con, ids = make_catalogue(db_path, 3)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="topic", bank=bank)).ls_project_id
    tasks = _on_server(client, pid)
    client.create_annotation(tasks[ids[1]], CHOICE, completed_by=client.whoami()["id"])
    for rid in ids[:2]:
        withdraw(con, record_id=rid, reason="erasure request ticket-42")
    (row,) = withdrawn_tasks(con)
    assert (row["bank"], row["not_taken_out"], row["on_server"]) == (bank, 2, sorted(tasks[r] for r in ids[:2]))

    rep = pull(con, client, bank) if sync == "pull" else push(con, client, PushConfig(project="topic", bank=bank))
    assert (rep.retracted, rep.retracted_kept) == (1, 1), rep
    left = _on_server(client, pid)
    assert ids[0] not in left and ids[1] in left and ids[2] in left
    (row,) = withdrawn_tasks(con)
    assert (row["deleted"], row["kept_annotated"], row["not_taken_out"]) == (1, 1, 0)
    assert row["on_server"] == [tasks[ids[1]]]
    events = con.execute(
        "SELECT record_id, json_extract(detail, '$.task_deleted') FROM provenance_events"
        " WHERE action = 'task_retracted' ORDER BY record_id"
    ).fetchall()
    assert sorted(events) == sorted([(ids[0], "true"), (ids[1], "false")])
    again = push(con, client, PushConfig(project="topic", bank=bank))
    assert (again.retracted, again.retracted_kept, again.pushed) == (0, 0, 0)
    con.close()
    code, out, err = cli("audit", "withdrawn")
    assert code == 0 and "Label Studio tasks of withdrawn records" in out and "kept_annotated" in out, err
