"""Label Studio's HTTP 400 answer is one clean line (review of the fixes 17).

A validation error's body quotes the task data it refused (scrubbed text and record ids, its line breaks escaped) and
was pasted whole into the error line, as Python's rendering of a dict: now its fields and messages, the data left out.
"""

from __future__ import annotations

import pytest
from ls_records import make_catalogue

from annotation.errors import LabelStudioTerminalError
from annotation.push import PushConfig, push

pytestmark = pytest.mark.labelstudio


def test_a_refused_import_names_the_field_not_the_task_data(label_studio, db_path, bank):
    con, _ = make_catalogue(db_path, 1)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="topic", bank=bank)).ls_project_id
    with pytest.raises(LabelStudioTerminalError) as err:
        client.import_tasks(pid, [{"data": {"record_id": "rec-SECRET-1", "txt": "行一第一段\n行二第二段"}}])
    said = str(err.value)
    assert "HTTP 400" in said and "\n" not in said and "\\n" not in said, said
    assert "rec-SECRET-1" not in said and "第一段" not in said and "{'" not in said, said
    con.close()
