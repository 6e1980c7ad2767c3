"""A project id the catalogue records that Label Studio now gives to another project gets no tasks (review 17).

A Label Studio reinstalled under the same URL numbers its projects from 1 again: a bank's steward who forgot one
project (``curate annotate forget-project``) and pushed it again got a new project under an id the catalogue still
records for another of the bank's projects. The next push of that one found "its" project by id and sent its tasks
into it (proofreading texts into a topic project, shown with its config): its annotators saw the wrong
labels, and a pull of the one read the other's annotations as its own (a topic label as an invalid correction). The description a push gives a project names its bank
and kind: a recorded id whose project's description names another is refused, in one line, nothing sent.

Reinstalling Label Studio in a test costs minutes: the catalogue's record is written as the reinstall leaves it.
"""

from __future__ import annotations

import pytest
from ls_records import make_catalogue

from annotation.errors import LabelStudioTerminalError
from annotation.pull import pull
from annotation.push import PushConfig, push

pytestmark = pytest.mark.labelstudio

TOPIC = [{"id": "t", "from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["法規"]}}]


def test_a_recorded_project_id_now_holding_another_project_is_refused(label_studio, db_path, bank):
    con, _ = make_catalogue(db_path, 2)
    client = label_studio.client()
    topic = push(con, client, PushConfig(project="topic", bank=bank)).ls_project_id
    proofread = push(con, client, PushConfig(project="proofread", bank=bank)).ls_project_id
    # as the reinstall leaves it: the proofreading project recorded under the id Label Studio gave the topic project
    con.execute(
        "UPDATE annotation_projects SET ls_project_id = ? WHERE bank = ? AND project = 'proofread'", [topic, bank]
    )
    con.execute("DELETE FROM annotation_tasks WHERE project = 'proofread'")
    with pytest.raises(LabelStudioTerminalError) as err:
        push(con, client, PushConfig(project="proofread", bank=bank))
    said = str(err.value)
    assert "\n" not in said and f"project {topic}" in said and "topic" in said, said
    assert len(client.export(topic, all_tasks=True)) == 2
    assert len(client.export(proofread, all_tasks=True)) == 2
    assert not con.execute("SELECT count(*) FROM annotation_tasks WHERE project = 'proofread'").fetchone()[0]
    # a pull of the bank does not read the topic project's annotations as proofreading ones either
    me = client.whoami()["id"]
    task = client.export(topic, all_tasks=True)[0]["id"]
    client.create_annotation(task, TOPIC, completed_by=me)
    with pytest.raises(LabelStudioTerminalError, match=f"project {topic}, which the catalogue records"):
        pull(con, client, bank, projects=("proofread",))
    assert not con.execute("SELECT count(*) FROM annotations").fetchone()[0]
    con.close()
