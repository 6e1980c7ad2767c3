"""A Label Studio project found by its title is adopted (review 13): one someone made by hand with the title of a
bank's project kept its own labelling config and instructions for good, as the catalogue recorded the shipped ones as
applied, so annotators worked without the guide and their annotations read as invalid on pull."""

from __future__ import annotations

import pytest
from ls_records import make_catalogue

from annotation.errors import LabelStudioTerminalError
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
