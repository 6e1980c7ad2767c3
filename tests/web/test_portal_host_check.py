"""The portal answers only to the names it is reached by: a page whose domain an attacker re-pointed at 127.0.0.1
(DNS rebinding) read the loopback portal as its own origin from a steward's browser, its login form and token
included, and could spend the per-address login tries of everyone on the machine (the address is 127.0.0.1 for all
of them). A request whose Host header is not this portal's name is refused with one line saying how to allow a name
(`--allowed-host`), before any page, session or login is touched (review 17)."""

from __future__ import annotations

import re

import httpx
import pytest

from provenance import db

from .webhelpers import csrf_of


@pytest.fixture
def portal(empty_portal):
    return empty_portal


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8765", "127.0.0.1.nip.io", "10.0.0.1"])
def test_a_foreign_host_header_is_refused_in_one_line(portal, host):
    with httpx.Client(base_url=portal.url, headers={"Host": host}) as c:
        for r in (c.get("/login"), c.post("/login", data={"username": "alice", "password": "x", "csrf": "x"})):
            assert r.status_code == 400, (host, r.status_code)
            assert "--allowed-host" in r.text and "csrf" not in r.text and len(r.text.strip().splitlines()) == 1
            assert "curate_portal" not in r.headers.get("set-cookie", "")
            assert r.headers["x-frame-options"] == "DENY"
    # no login try was spent by the refused requests
    assert not portal.app.state.limiter._fails


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST.", "[::1]", "[::1]:1", "localhost:9"])
def test_loopback_names_are_answered(portal, host):
    with httpx.Client(base_url=portal.url, headers={"Host": host}) as c:
        r = c.get("/login")
        assert r.status_code == 200 and re.search('name="csrf"', r.text)


def test_two_host_headers_are_refused(portal):
    import socket

    with socket.create_connection(("127.0.0.1", portal.port)) as s:
        s.sendall(b"GET /login HTTP/1.1\r\nHost: attacker.example\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    assert answer.split(b"\r\n", 1)[0].split(b" ")[1] == b"400", answer[:200]


def test_an_allowed_name_is_answered(tmp_path):
    from curate.web.app import PortalConfig, create_app

    path = tmp_path / "cat.duckdb"
    db.connect(path).close()
    from starlette.testclient import TestClient

    users = tmp_path / "users.json"
    from curate.web.auth import UserStore

    UserStore(users).add("alice", "auditor", "alice-audit-pw-1")
    cfg = PortalConfig(db_path=path, users_file=users, secret="t" * 48, snapshot_dir=tmp_path / "snap")
    cfg.allowed_hosts = ("portal.bank.example",)
    app = create_app(cfg)
    try:
        with TestClient(app, base_url="https://portal.bank.example") as c:
            assert c.get("/login").status_code == 200 and csrf_of(c.get("/login").text)
        with TestClient(app, base_url="http://localhost") as c:  # the loopback names stay allowed
            assert c.get("/login").status_code == 200
        with TestClient(app, base_url="http://other.example") as c:
            assert c.get("/login").status_code == 400
    finally:
        app.state.view.close()


def test_serve_answers_to_its_host_and_allowed_hosts(tmp_path, monkeypatch):
    """`curate serve --host 10.1.2.3 --allowed-host portal.bank.example`: the portal answers to both names (and the
    loopback ones), and to no other."""
    import uvicorn
    from click.testing import CliRunner
    from starlette.testclient import TestClient

    from curate import cli as cli_mod
    from curate.web.auth import UserStore

    apps = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, *a, **k: apps.append(self.config.app))
    path = tmp_path / "cat.duckdb"
    db.connect(path).close()
    users = tmp_path / "users.json"
    UserStore(users).add("alice", "auditor", "alice-audit-pw-1")
    argv = ["--db", str(path), "serve", "--users", str(users), "--host", "10.1.2.3", "--port", "1"]
    with CliRunner().isolation():
        assert cli_mod.run([*argv, "--allowed-host", "Portal.Bank.Example"]) == 0
    (app,) = apps
    for base, status in (
        ("https://portal.bank.example", 200),
        ("http://10.1.2.3:1", 200),
        ("http://127.0.0.1", 200),
        ("http://attacker.example", 400),
    ):
        with TestClient(app, base_url=base) as c:
            assert c.get("/login").status_code == status, base
