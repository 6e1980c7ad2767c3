"""An annotation id Label Studio gives to another annotation is neither dropped nor a crash (review 17, annotation).

A Label Studio reinstalled under the same URL (a fresh database: its ids start at 1 again) gives its annotations the
ids of the annotations the catalogue imported from the old one. Pull knew an annotation by its id alone: one under
a project and task id the old instance used too was counted "imported before" and never read (the annotator's work
silently dropped, the pull said it was done), and one under another project ended in a constraint error of the
catalogue. Label Studio never changes an annotation's creation time, so an id the catalogue holds with another
creation time is another annotation: the pull stops, in one line, before it writes anything.

Reinstalling Label Studio in a test costs minutes; the catalogue's memory of the old instance is written here as a
pull of it would have left it: a row under the id the new annotation got, made a day earlier.
"""

from __future__ import annotations

import pytest
from ls_records import make_catalogue

from annotation.errors import LabelStudioError
from annotation.pull import pull
from annotation.push import PushConfig, push

pytestmark = pytest.mark.labelstudio

OK = [{"id": "v", "from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["正確"]}}]


@pytest.mark.parametrize("where", ["same_task", "forgotten_project"])
def test_an_annotation_id_the_catalogue_holds_for_another_annotation_stops_the_pull(label_studio, db_path, bank, where):
    con, ids = make_catalogue(db_path, 2)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="proofread", bank=bank)).ls_project_id
    tasks = {t["data"]["record_id"]: t["id"] for t in client.export(pid, all_tasks=True)}
    me = client.whoami()["id"]
    client.create_annotation(tasks[ids[0]], OK, completed_by=me)
    assert pull(con, client, bank).imported == 1
    new = client.create_annotation(tasks[ids[1]], OK, completed_by=me)
    # the old instance's annotation under the same id (same project and task ids, or a project forgotten since)
    old_pid, old_task = (pid, tasks[ids[1]]) if where == "same_task" else (pid + 1000, 7)
    con.execute(
        "INSERT INTO annotations SELECT instance, ?, ?, ?, bank, project, ?, annotator_id, annotator_email_sha256,"
        " outcome, result, NULL, annotated_at - INTERVAL 1 DAY, updated_at - INTERVAL 1 DAY, imported_at, run_id"
        " FROM annotations",
        [new, old_task, old_pid, ids[1]],
    )
    before = con.execute("SELECT count(*) FROM annotations").fetchone()[0]
    events = con.execute("SELECT count(*) FROM provenance_events").fetchone()[0]

    with pytest.raises(LabelStudioError) as err:
        pull(con, client, bank)
    said = str(err.value)
    assert "\n" not in said and f"annotation {new}" in said and "reinstalled" in said, said
    assert con.execute("SELECT count(*) FROM annotations").fetchone()[0] == before
    # nothing but the failed run's own rows: no annotation event, no version
    assert not con.execute(
        "SELECT count(*) FROM provenance_events WHERE seq > ? AND stage = 'annotation'", [events]
    ).fetchone()[0]
    with pytest.raises(LabelStudioError):
        pull(con, client, bank, full=True)
