"""Review 18 (annot): a recorded project id whose project is not ours is neither used nor a reason to refuse
forgetting it. A Label Studio reinstalled under the same URL numbers its projects from 1 again: the id the catalogue
records for a bank's project may be held by a project someone made by hand (neither our title nor our description;
review 17 refused only one whose description names another bank's project): push sent the bank's texts into that
stranger's project, and pull read its annotations as the bank's. And ``forget-project``, the steward's way out,
refused while any project held the id, so the bank could not go on without restoring the old database.

Reinstalling Label Studio in a test costs minutes: the catalogue's record is written as the reinstall leaves it.
"""

from __future__ import annotations

import pytest
from ls_records import make_catalogue

from annotation.errors import LabelStudioTerminalError
from annotation.projects import forget_project
from annotation.pull import pull
from annotation.push import PushConfig, push
from annotation.tasks import label_config
from provenance.errors import UsageError

pytestmark = pytest.mark.labelstudio


def _stranger(client) -> int:
    """A project someone made by hand on the reinstalled Label Studio."""
    return client.create_project("某分行自建專案", label_config("topic"), description="分行內部練習用")


def test_a_recorded_id_held_by_a_stranger_project_is_not_used_and_can_be_forgotten(label_studio, db_path, bank):
    con, _ = make_catalogue(db_path, 2)
    client = label_studio.client()
    push(con, client, PushConfig(project="proofread", bank=bank)).ls_project_id
    other = _stranger(client)
    # as the reinstall leaves it: the bank's proofreading project recorded under the id the stranger's project holds
    con.execute(
        "UPDATE annotation_projects SET ls_project_id = ? WHERE bank = ? AND project = 'proofread'", [other, bank]
    )
    con.execute("UPDATE annotation_tasks SET ls_project_id = ? WHERE project = 'proofread'", [other])
    with pytest.raises(LabelStudioTerminalError) as err:
        push(con, client, PushConfig(project="proofread", bank=bank))
    said = str(err.value)
    assert "\n" not in said and f"project {other}" in said and "forget-project" in said, said
    assert client.export(other, all_tasks=True) == []  # nothing sent into the stranger's project
    with pytest.raises(LabelStudioTerminalError, match=f"project {other}"):
        pull(con, client, bank, projects=("proofread",))
    # the way out: forget the record (the project is not ours), push again into a new project
    got = forget_project(con, client, bank, "proofread", "Label Studio reinstalled")
    assert got["ls_project_id"] == other and got["held_by_another"] is True, got
    assert client.project(other)["title"] == "某分行自建專案"  # untouched
    con.close()


def test_forgetting_a_project_that_still_exists_as_ours_is_refused(label_studio, db_path, bank):
    con, _ = make_catalogue(db_path, 1)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="topic", bank=bank)).ls_project_id
    client.update_project(pid, description="本行自訂說明")  # our title, a description edited by hand: still ours
    with pytest.raises(UsageError, match=f"project {pid}"):
        forget_project(con, client, bank, "topic", "oops")
    assert con.execute("SELECT count(*) FROM annotation_projects").fetchone()[0] == 1
    push(con, client, PushConfig(project="topic", bank=bank))  # and still used
    con.close()
