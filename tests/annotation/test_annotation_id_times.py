"""An annotation imported before is known by its creation time as Label Studio writes it (review of the fixes 17).

The check of a reused annotation id (``annotation/annotation_ids.py``) compared times exactly: a Label Studio upgraded
in place that writes its times in milliseconds or whole seconds (or a catalogue that stored whole seconds from an
older one), or one that writes times without a zone read by a pull run under another ``TZ``, stopped every later pull
of the same, unchanged server as "reinstalled". Another creation time is still refused.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from ls_records import make_catalogue

from annotation.annotation_ids import imported_before
from annotation.errors import LabelStudioTerminalError

URL = "http://127.0.0.1:1"


def _known(con, stored: dt.datetime, said: str) -> set[int]:
    con.execute("DELETE FROM annotations")
    con.execute(
        "INSERT INTO annotations (instance, ls_annotation_id, ls_task_id, ls_project_id, bank, project, record_id,"
        " outcome, annotated_at, imported_at) VALUES (?, 5, 1, 1, 'B', 'proofread', 'r', 'ok', ?, now())",
        [URL, stored],
    )
    return imported_before(con, URL, 1, [{"id": 1, "annotations": [{"id": 5, "created_at": said}]}])


@pytest.mark.parametrize(
    ("stored", "said"),
    [
        (dt.datetime(2026, 12, 7, 6, 0, 0, 123456), "2026-12-07T06:00:00.123Z"),
        (dt.datetime(2026, 12, 7, 6, 0, 0, 123456), "2026-12-07T06:00:00Z"),
        (dt.datetime(2026, 12, 7, 6, 0, 0), "2026-12-07T06:00:00.123456Z"),
        (dt.datetime(2026, 12, 7, 6, 0, 0, 123456), "2026-12-07T14:00:00.123456+08:00"),
    ],
)
def test_the_same_creation_time_written_otherwise_is_imported_before(db_path, stored, said):
    con, _ = make_catalogue(db_path, 1)
    assert _known(con, stored, said) == {5}


def test_a_time_without_zone_read_under_another_zone_is_imported_before(db_path, monkeypatch):
    con, _ = make_catalogue(db_path, 1)
    monkeypatch.setenv("TZ", "UTC")  # this pull's zone; the earlier one ran in Asia/Taipei
    time.tzset()
    said = "2026-12-07T06:00:00.123456"
    stored = dt.datetime.fromisoformat(said) - dt.timedelta(hours=8)  # read as Asia/Taipei by the earlier pull
    try:
        assert _known(con, stored, said) == {5}
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(
    "said", ["2026-12-08T06:00:00.123456Z", "2026-12-07T06:00:01Z", "2026-12-07T06:00:00.124Z", "2026-12-07T06:07:00"]
)
def test_another_creation_time_is_still_refused(db_path, said):
    con, _ = make_catalogue(db_path, 1)
    with pytest.raises(LabelStudioTerminalError, match="annotation id 5"):
        _known(con, dt.datetime(2026, 12, 7, 6, 0, 0, 123456), said)


OK = [{"id": "v", "from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["正確"]}}]


@pytest.mark.labelstudio
def test_an_annotation_updated_in_place_and_an_unchanged_server_pull_again(label_studio, db_path, bank):
    from annotation.pull import pull
    from annotation.push import PushConfig, push

    con, ids = make_catalogue(db_path, 1)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="proofread", bank=bank)).ls_project_id
    task = client.export(pid, all_tasks=True)[0]["id"]
    aid = client.create_annotation(task, OK, completed_by=client.whoami()["id"])
    assert pull(con, client, bank).imported == 1
    assert pull(con, client, bank, full=True).already == 1  # the same server, nothing changed
    time.sleep(1.1)
    client._sdk.annotations.update(aid, result=OK, lead_time=3.0)  # edited in place: same id and creation time
    again = pull(con, client, bank, full=True)
    assert (again.imported, again.already) == (0, 1)
    con.close()
