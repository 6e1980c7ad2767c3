"""A users file broken by hand while the portal runs (review 11): every page answered a plain 500 and the log took a
traceback per request (the file is read on each request, outside the pages' error handling). Now each page, the
login too, says the portal cannot check logins (503), the log says why in one line, nobody is let in, and the
portal works again once the file is fixed."""

from __future__ import annotations

import logging
import re

import httpx

from .webhelpers import LivePortal, csrf_of, http_login


def test_a_broken_users_file_is_an_error_page_and_one_log_line(demo_catalogue, tmp_path, caplog):
    p = LivePortal(demo_catalogue["path"], tmp_path / "portal")
    users = tmp_path / "portal" / "users.json"
    good = users.read_text(encoding="utf-8")
    try:
        with httpx.Client(base_url=p.url) as c, caplog.at_level(logging.INFO):
            http_login(c, "alice")
            assert c.get("/").status_code == 200
            users.write_text(good[: len(good) // 2], encoding="utf-8")  # an editor saved half of it
            for path in ("/", "/ledger", "/withdrawals", "/exports"):
                r = c.get(path)
                assert r.status_code == 503 and "users file is unreadable" in r.text, (path, r.text[:300])
                assert "Traceback" not in r.text and str(users) not in r.text
            form = c.get("/login")
            assert form.status_code == 200
            r = c.post("/login", data={"csrf": csrf_of(form.text), "username": "alice", "password": "x" * 12})
            assert r.status_code == 503
            logged = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
            assert len(logged) == 1 and "cannot read the portal users file" in logged[0].getMessage(), logged
            assert not any(rec.exc_info for rec in caplog.records)
            assert not re.search("Traceback", caplog.text)
            users.write_text(good, encoding="utf-8")
            assert c.get("/").status_code == 200  # fixed: the session goes on
    finally:
        p.stop()
