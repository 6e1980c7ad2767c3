"""A page says when its snapshot is older than the catalogue (review 9, web #9): while a steward's command held the
catalogue (or a copy found no room) the portal went on serving the previous snapshot, as it should, but every page
read as current: an auditor checking a withdrawal made a minute ago saw the record still active and no sign why.
The nav now names the snapshot's time and, while refreshing fails, says so (the reason for auditors only)."""

from __future__ import annotations

import shutil

import httpx

from provenance import db, runs
from tests.helpers.lock_holder import Holder

from .webhelpers import LivePortal, http_login


def test_a_page_served_from_a_snapshot_the_catalogue_has_moved_past_says_so(demo_catalogue, tmp_path):
    path = tmp_path / "cat.duckdb"
    shutil.copyfile(demo_catalogue["path"], path)
    p = LivePortal(path, tmp_path / "portal", refresh_interval=0)
    try:
        with httpx.Client(base_url=p.url) as auditor, httpx.Client(base_url=p.url) as bank:
            http_login(auditor, "alice")
            http_login(bank, "esun")
            assert 'id="snapshot-stale"' not in auditor.get("/", params={"q": "銀行法"}).text
            con = db.connect(path)  # a steward's command changes the catalogue ...
            runs.finish_run(con, runs.start_run(con, "test", "x"))
            con.close()
            with Holder(path, 600):  # ... and the next one holds it
                html = auditor.get("/", params={"q": "銀行法"}).text
                assert "snapshot #1" in html and 'id="snapshot-stale"' in html and "is writing to it" in html
                html = bank.get("/", params={"q": "銀行法"}).text
                assert 'id="snapshot-stale"' in html and "writing" not in html and "PID" not in html  # not for a bank
            html = auditor.get("/", params={"q": "銀行法"}).text  # the holder gone: a new snapshot, current again
            assert "snapshot #2" in html and 'id="snapshot-stale"' not in html
    finally:
        p.stop()
