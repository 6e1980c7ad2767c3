"""A portal session left idle ends: a session lived its whole 8 hours however long nobody used it, so a browser left
logged in at a bank's desk (or a cookie copied from it) still opened the pages hours after its user walked away
(review 17)."""

from __future__ import annotations

import httpx
import pytest

from .webhelpers import http_login


@pytest.fixture
def portal(empty_portal):
    return empty_portal


def test_a_session_idle_past_its_limit_ends_and_one_in_use_goes_on(portal, monkeypatch):
    """On the registry's own (monotonic) clock, stepped by hand: a real 1 s limit with 0.4 s sleeps failed whenever a
    login (argon2) or a page took the rest of the second on a loaded machine (re-review)."""
    from types import SimpleNamespace

    from curate.web import auth

    clock = [1000.0]
    monkeypatch.setattr(auth, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    limit = portal.app.state.sessions.idle
    with httpx.Client(base_url=portal.url) as used, httpx.Client(base_url=portal.url) as left:
        http_login(used, "alice")
        http_login(left, "ctbc")
        cookie = left.cookies.get("curate_portal")
        for _ in range(4):  # kept in use, each request just inside the limit: still logged in
            clock[0] += limit - 1
            assert used.get("/ledger").status_code == 200
        r = left.get("/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    # ended for good: the copied cookie does not come back to life
    r = httpx.get(portal.url + "/", cookies={"curate_portal": cookie}, follow_redirects=False)
    assert r.status_code == 303


def test_the_default_idle_limit_is_shorter_than_the_session(portal):
    from curate.web.app import SESSION_IDLE_SECONDS, SESSION_SECONDS

    assert portal.app.state.sessions.idle == SESSION_IDLE_SECONDS < SESSION_SECONDS
