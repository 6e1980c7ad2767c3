"""Long texts against Label Studio's request size limit (review 15, annotation).

Label Studio refuses a request body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (250 MB by default) with an HTTP 500; a push
sent up to 1,000 tasks in one request whatever their size (a proofreading task carries its text twice), so a bank
of long textbook chapters could never push: every run stopped at the same request, told Label Studio was down. A
request now carries at most ``annotation.request_size.MAX_REQUEST_BYTES`` of JSON. Shown on a Label Studio whose
limit is 2 MB, with the push's bound lowered to match (a 250 MB body would take this machine's memory).
"""

from __future__ import annotations

import pytest
from conftest import start_server
from ls_records import add_record, add_source

from annotation import request_size, server
from annotation.push import PushConfig, push
from provenance.db import connect

pytestmark = pytest.mark.labelstudio


@pytest.fixture(scope="module")
def small_server(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2 * 1024 * 1024))
        srv = start_server(server.default_cache(), tmp_path_factory.mktemp("labelstudio-small"))
    try:
        yield srv
    finally:
        srv.stop()


def test_a_push_of_long_texts_is_split_into_requests_label_studio_accepts(small_server, db_path, monkeypatch):
    monkeypatch.setattr(request_size, "MAX_REQUEST_BYTES", 1024 * 1024)
    con = connect(db_path)
    add_source(con)
    chapter = "授信審查與風險管理，依本行規定辦理。" * 4000  # 68,000 characters, ~400 KB as a proofreading task
    ids = [add_record(con, f"第{i}章 {chapter}", locator=f"ch{i}") for i in range(12)]
    client = small_server.client(retries=0)
    rep = push(con, client, PushConfig(project="proofread", bank="BIG"))
    assert rep.pushed == 12, rep
    on_server = {t["data"]["record_id"] for t in client.export(rep.ls_project_id, all_tasks=True)}
    assert on_server == set(ids)
    assert push(con, client, PushConfig(project="proofread", bank="BIG")).pushed == 0  # all recorded
    con.close()
