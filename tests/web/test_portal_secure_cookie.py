"""The session cookie of a page served over https is marked Secure whatever `--https-only` says: behind a proxy that
terminates TLS (`--trusted-proxy`, whose X-Forwarded-Proto names the scheme) a portal started without `--https-only`
sent a cookie the browser would also send over plain http, where anyone on the path reads it (review 17)."""

from __future__ import annotations

from starlette.testclient import TestClient

from curate.web.app import PortalConfig, create_app
from curate.web.auth import UserStore
from provenance import db


def _flags(cookie: str) -> list[str]:
    return [a.strip().lower() for a in cookie.split(";")[1:]]


def test_a_cookie_sent_over_https_is_secure_and_over_http_as_configured(tmp_path):
    path = tmp_path / "cat.duckdb"
    db.connect(path).close()
    users = tmp_path / "users.json"
    UserStore(users).add("alice", "auditor", "alice-audit-pw-1")
    app = create_app(PortalConfig(db_path=path, users_file=users, secret="t" * 48, snapshot_dir=tmp_path / "snap"))
    try:
        with TestClient(app, base_url="https://localhost") as c:
            cookie = c.get("/login").headers["set-cookie"]
            assert cookie.startswith("curate_portal=") and "secure" in _flags(cookie)
        with TestClient(app, base_url="http://localhost") as c:  # plain http on loopback: as --https-only says
            cookie = c.get("/login").headers["set-cookie"]
            assert cookie.startswith("curate_portal=") and "secure" not in _flags(cookie)
    finally:
        app.state.view.close()
