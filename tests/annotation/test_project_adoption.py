"""A Label Studio project found by its title is adopted (review 13): one someone made by hand with the title of a
bank's project kept its own labelling config and instructions for good, as the catalogue recorded the shipped ones as
applied, so annotators worked without the guide and their annotations read as invalid on pull."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest
from ls_records import make_catalogue

from annotation.errors import LabelStudioTerminalError
from annotation.label_studio import LabelStudioClient
from annotation.push import PushConfig, push
from annotation.tasks import label_config
from annotation.zh_tw import project_title
from provenance import db

pytestmark = pytest.mark.labelstudio

CHOICES = (
    '<View><Text name="text" value="$text"/>'
    '<Choices name="mine" toName="text"><Choice value="hand label"/></Choices></View>'
)
HAND = '<View><Text name="text" value="$text"/><TextArea name="note" toName="text"/></View>'


def test_a_project_made_by_hand_with_the_title_gets_the_shipped_config(label_studio, db_path, bank):
    con, _ = make_catalogue(db_path, 2)
    client = label_studio.client()
    pid = client.create_project(project_title(bank, "topic"), label_config=HAND, description="hand made")
    rep = push(con, client, PushConfig(project="topic", bank=bank))
    assert rep.ls_project_id == pid and rep.pushed == 2
    p = client.project(pid)
    assert p["label_config"].strip() == label_config("topic").strip()
    assert bank in p["description"] and "主題分類說明" in p["expert_instruction"] and p["show_instruction"] is True


def test_one_whose_annotations_the_config_would_break_is_refused_in_one_line(label_studio, db_path, bank, cli, ls_env):
    make_catalogue(db_path, 1)[0].close()
    client = label_studio.client()
    pid = client.create_project(project_title(bank, "topic"), label_config=CHOICES)
    (tid,) = client.import_tasks(pid, [{"text": "hand task"}])
    mine = {"from_name": "mine", "to_name": "text", "type": "choices", "value": {"choices": ["hand label"]}}
    client.create_annotation(tid, [mine], completed_by=client.whoami()["id"])
    code, out, err = cli("annotate", "push", "--project", "topic", "--bank", bank)
    assert code != 0 and len(err.strip().splitlines()) == 1, out + err
    assert str(pid) in err and "rename or delete" in err, err
    assert client.project(pid)["label_config"] == CHOICES
    con = db.connect(db_path)
    assert con.execute("SELECT count(*) FROM annotation_projects").fetchone()[0] == 0  # the next push asks again
    with pytest.raises(LabelStudioTerminalError, match="rename or delete"):
        push(con, client, PushConfig(project="topic", bank=bank))
    con.close()


OWN_TOPICS = (
    '<View><Text name="text" value="$text"/>'
    '<Choices name="topic" toName="text"><Choice value="存款"/><Choice value="放款"/></Choices></View>'
)


def test_a_replaced_hand_made_config_is_on_the_ledger(label_studio, db_path, bank):
    """A bank's own topic scheme (same control name, its own values) with work in it is replaced, as Label Studio
    accepts it: the ledger says so (which project, how many annotations, a digest of the config it had), without
    the config's or the description's text."""
    con, _ = make_catalogue(db_path, 1)
    client = label_studio.client()
    pid = client.create_project(project_title(bank, "topic"), label_config=OWN_TOPICS, description="分行 自訂")
    (tid,) = client.import_tasks(pid, [{"text": "hand task"}])
    own = {"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["存款"]}}
    client.create_annotation(tid, [own], completed_by=client.whoami()["id"])
    push(con, client, PushConfig(project="topic", bank=bank))
    (detail,) = [
        json.loads(d)
        for (d,) in con.execute("SELECT detail FROM provenance_events WHERE action = 'project_adopted'").fetchall()
    ]
    assert detail["ls_project_id"] == pid and detail["bank"] == bank and detail["config_replaced"] is True
    assert detail["annotations"] == 1 and detail["tasks"] == 1
    assert detail["previous_label_config_sha256"] == hashlib.sha256(OWN_TOPICS.encode()).hexdigest()
    assert "存款" not in json.dumps(detail, ensure_ascii=False) and "自訂" not in json.dumps(detail, ensure_ascii=False)
    push(con, client, PushConfig(project="topic", bank=bank))  # recorded now: adopted once
    assert con.execute("SELECT count(*) FROM provenance_events WHERE action = 'project_adopted'").fetchone()[0] == 1
    con.close()


def test_another_banks_project_renamed_by_hand_is_not_adopted(label_studio, db_path, bank):
    """A project the catalogue records as one bank's, retitled by hand with another bank's title (on the instance
    both banks share), was adopted by that bank's next push (before review 16): its tasks went into the first bank's
    project and each bank's pull read the other's annotations. Refused now, nothing sent."""
    con, _ = make_catalogue(db_path, 2)
    client = label_studio.client()
    other = f"{bank}-B"
    pid = push(con, client, PushConfig(project="topic", bank=bank)).ls_project_id
    client.update_project(pid, title=project_title(other, "topic"))
    with pytest.raises(LabelStudioTerminalError, match=f"project {pid} .*{bank}"):
        push(con, client, PushConfig(project="topic", bank=other))
    assert len(client.export(pid, all_tasks=True)) == 2
    assert con.execute("SELECT count(*) FROM annotation_projects WHERE bank = ?", [other]).fetchone()[0] == 0
    con.close()


def test_another_banks_project_renamed_by_hand_is_not_adopted_under_another_url_spelling(label_studio, db_path, bank):
    """As above, with the second bank's settings naming the same server another way (``localhost`` for
    ``127.0.0.1``): the catalogue's record of the project is under the other instance key, so it was adopted, both
    banks pushing into one project. The description the first push gave it names its bank: refused, nothing sent."""
    con, _ = make_catalogue(db_path, 2)
    client = label_studio.client()
    other = f"{bank}-B"
    pid = push(con, client, PushConfig(project="topic", bank=bank)).ls_project_id
    client.update_project(pid, title=project_title(other, "topic"))
    cfg = dataclasses.replace(label_studio.config(), url=label_studio.url.replace("127.0.0.1", "localhost"))
    assert cfg.instance != client.config.instance
    with pytest.raises(LabelStudioTerminalError, match=f"project {pid} .*{bank}"):
        push(con, LabelStudioClient(cfg), PushConfig(project="topic", bank=other))
    assert len(client.export(pid, all_tasks=True)) == 2
    assert con.execute("SELECT count(*) FROM annotation_projects WHERE bank = ?", [other]).fetchone()[0] == 0
    con.close()
