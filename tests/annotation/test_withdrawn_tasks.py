"""Tasks that leave Label Studio. Those of records withdrawn after the push (review 5, annotation #2): the next push
or pull of the bank deletes the unannotated ones, keeps the annotated ones, and `curate audit withdrawn` says which.
Those deleted there by hand (#4): the next push sends their records again; a deleted project is forgotten by a
command."""

from __future__ import annotations

import pytest
from ls_records import make_catalogue

from annotation.errors import LabelStudioTerminalError
from annotation.projects import forget_project
from annotation.pull import pull
from annotation.push import PushConfig, push
from provenance.audit import withdrawn_tasks
from provenance.errors import UsageError
from provenance.withdraw import reinstate, withdraw

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
    for rid in ids[:2]:  # the withdrawal says how many tasks show the record
        assert withdraw(con, record_id=rid, reason="erasure request ticket-42").label_studio_tasks == 1
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
    reinstate(con, record_id=ids[0], reason="withdrawn by mistake")  # its deleted task is sent again
    back = push(con, client, PushConfig(project="topic", bank=bank))
    assert (back.missing, back.pushed) == (1, 1) and ids[0] in _on_server(client, pid), back
    assert not [r for r in withdrawn_tasks(con) if r["deleted"]]
    con.close()
    code, out, err = cli("audit", "withdrawn")
    assert code == 0 and "Label Studio tasks of withdrawn records" in out and "kept_annotated" in out, err


def test_a_task_deleted_in_label_studio_is_sent_again_and_a_deleted_project_is_forgotten(
    label_studio, db_path, bank, cli, ls_env
):
    con, ids = make_catalogue(db_path, 3)
    client = label_studio.client()
    cfg = PushConfig(project="proofread", bank=bank)
    pid = push(con, client, cfg).ls_project_id
    client.delete_task(_on_server(client, pid)[ids[0]])
    rep = push(con, client, cfg)
    assert (rep.missing, rep.pushed, rep.already) == (1, 1, 2), rep
    assert set(_on_server(client, pid)) == set(ids)
    assert push(con, client, cfg).missing == 0

    with pytest.raises(UsageError, match="still exists"):
        forget_project(con, client, bank, "proofread", "cleanup")
    client.sdk.projects.delete(pid)
    with pytest.raises(LabelStudioTerminalError, match="curate annotate forget-project"):
        push(con, client, cfg)
    con.close()
    code, out, err = cli("annotate", "forget-project", "--bank", bank, "--project", "proofread", "--reason", "reset")
    assert code == 0 and "forgot proofread project" in out and "3 tasks" in out, err
    code, out, err = cli("annotate", "push", "--project", "proofread", "--bank", bank)
    assert code == 0 and "pushed 3 proofread tasks" in out, err


def test_a_pull_that_meets_a_deleted_project_says_on_one_line_what_it_imported(
    label_studio, db_path, bank, cli, ls_env
):
    """Review 5, annotation #5: Label Studio's HTML 404 page was the message, and nothing said that the proofread
    annotation before it was imported and committed."""
    con, ids = make_catalogue(db_path, 2)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="proofread", bank=bank)).ls_project_id
    topic = push(con, client, PushConfig(project="topic", bank=bank)).ls_project_id
    ok = [{"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["正確"]}}]
    client.create_annotation(_on_server(client, pid)[ids[0]], ok, completed_by=client.whoami()["id"])
    client.sdk.projects.delete(topic)
    con.close()
    code, _, err = cli("annotate", "pull", "--bank", bank)
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "<html" not in err.lower() and "HTTP 404" in err, err
    assert "imported before it and kept: 1 annotations of proofread" in err and "forget-project" in err, err
