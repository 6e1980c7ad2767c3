"""A portal session ends for good: after "Log out" a copy of the cookie no longer works, and resetting a user's
password (`curate serve adduser` again) ends every session made with the old one. A session-signing secret too
short to resist an offline guess is refused, from the environment as from a file."""

from __future__ import annotations

import socket
import stat

import httpx
import pytest

from curate.web.auth import UserStore
from provenance import db

from .webhelpers import LivePortal, csrf_of, http_login


@pytest.fixture
def portal(empty_portal):
    return empty_portal


def _replay(portal, cookie: str, path: str) -> httpx.Response:
    return httpx.get(portal.url + path, cookies={"curate_portal": cookie}, follow_redirects=False)


def test_a_copied_cookie_stops_working_at_logout(portal):
    with httpx.Client(base_url=portal.url) as c:
        http_login(c, "alice")
        cookie = c.cookies.get("curate_portal")
        assert _replay(portal, cookie, "/ledger").status_code == 200
        r = c.post("/logout", data={"csrf": csrf_of(c.get("/").text)})
        assert r.status_code == 303
    r = _replay(portal, cookie, "/ledger")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_a_second_login_ends_the_session_it_replaces(portal):
    """Logging in over a live session (another user at the same browser, or the same one again) left the old session
    id alive for its 8 hours: a copy of the auditor's cookie still opened the ledger after a bank user had logged in
    over it. The login ends the session it replaces, as "Log out" does (review 15)."""
    with httpx.Client(base_url=portal.url) as c:
        http_login(c, "alice")
        cookie = c.cookies.get("curate_portal")
        http_login(c, "ctbc")
        assert c.get("/").status_code == 200
    r = _replay(portal, cookie, "/ledger")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_a_logout_from_an_out_of_date_form_says_the_session_goes_on(portal):
    """Log out pressed on a page from before another login in the same browser (its form's token is the old
    session's) answered with the login page, as a logout does, while the new session went on: whoever sat down at
    the browser next was still logged in as the bank's user. It says it did not log out, and its own "Log out" does
    (review 15)."""
    with httpx.Client(base_url=portal.url) as c:
        http_login(c, "alice")
        stale = csrf_of(c.get("/").text)
        http_login(c, "ctbc")
        cookie = c.cookies.get("curate_portal")
        r = c.post("/logout", data={"csrf": stale})
        assert r.status_code == 400 and "NOT logged out" in r.text and "ctbc" in r.text
        assert c.post("/logout", data={"csrf": csrf_of(r.text)}).status_code == 303
        assert c.get("/").status_code == 303
    assert _replay(portal, cookie, "/").status_code == 303


def test_a_csrf_token_with_non_ascii_characters_is_a_wrong_token_not_a_server_error(portal):
    """hmac.compare_digest refuses str holding non-ASCII characters: a form posted with `csrf=é` (login, logout,
    verify) was a 500 and a traceback in the log, not the form's "expired" answer (review 12)."""
    with httpx.Client(base_url=portal.url) as c:
        c.get("/login")
        r = c.post("/login", data={"csrf": "é", "username": "alice", "password": "alice-audit-pw-1", "next": "/"})
        assert r.status_code == 400 and "form expired" in r.text
        http_login(c, "alice")
        r = c.post("/logout", data={"csrf": "權杖"})
        assert r.status_code == 400 and "NOT logged out" in r.text
        assert c.get("/ledger").status_code == 200  # a wrong token does not log out
        r = c.post("/exports/" + "ab" * 12 + "/verify", data={"csrf": "é"})
        assert r.status_code == 400 and "CSRF token missing or wrong" in r.text


def test_a_form_body_too_large_for_any_form_is_refused_unread(portal):
    """Starlette reads a form body whole into memory: anyone who could reach the login page made the portal hold
    50 MB per request (any size) before answering "form expired". The portal's forms fit in 64 KiB; a larger body,
    declared or streamed in chunks, is answered 413 and not read (review 12)."""
    big = b"csrf=" + b"a" * (1 << 20)
    form = {"content-type": "application/x-www-form-urlencoded"}
    with httpx.Client(base_url=portal.url) as c:
        c.get("/login")
        r = c.post("/login", content=big, headers=form)
        assert r.status_code == 413 and "request body too large" in r.text
    with httpx.Client(base_url=portal.url) as c:
        r = c.post("/login", content=(big[i : i + 4096] for i in range(0, len(big), 4096)), headers=form)
        assert r.status_code == 413  # sent chunked, with no length
    with httpx.Client(base_url=portal.url) as c:
        assert http_login(c, "alice").status_code in (200, 303) and c.get("/ledger").status_code == 200


def test_a_password_reset_ends_the_old_sessions(portal):
    with httpx.Client(base_url=portal.url) as c:
        http_login(c, "esun")
        cookie = c.cookies.get("curate_portal")
        assert _replay(portal, cookie, "/exports").status_code == 200
    UserStore(portal.app.state.users.path).add("esun", "bank:ESUN", "brand-new-password-99")
    r = _replay(portal, cookie, "/exports")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    with httpx.Client(base_url=portal.url) as c:
        http_login(c, "esun", "brand-new-password-99")
        assert c.get("/exports", follow_redirects=False).status_code == 200


def test_a_short_secret_in_the_environment_is_refused(tmp_path, cli, monkeypatch):
    path = tmp_path / "cat.duckdb"
    db.connect(path).close()
    users = tmp_path / "users.json"
    UserStore(users).add("alice", "auditor", "alice-audit-pw-1")
    monkeypatch.setenv("CURATE_WEB_SECRET", "abc")
    with socket.socket() as busy:  # were it accepted, the server could not bind this port and would stop at once
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        code, out, err = cli("serve", "--users", str(users), "--port", str(busy.getsockname()[1]), db=path)
    assert code == 1 and "CURATE_WEB_SECRET is too short" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_user_whose_role_is_not_one_the_portal_knows_cannot_log_in(demo_catalogue, tmp_path):
    """The users file is JSON a steward may edit by hand. A role `adduser` would refuse (`Bank:CTBC`, `bank-CTBC`,
    `admin`) has no bank code, and the pages took "no bank" for "every record": such a user logged in and read the
    records another bank licensed (an ESUN agreement's text). A role other than auditor or bank:CODE now opens
    nothing (review 9, web #6)."""
    import json

    import httpx

    from .webhelpers import first_active, http_login

    con = db.connect_readonly(demo_catalogue["path"])
    try:
        esun_only = first_active(con, "tabf:esun")
    finally:
        con.close()
    p = LivePortal(demo_catalogue["path"], tmp_path / "portal")
    try:
        users = tmp_path / "portal" / "users.json"
        for role in ("Bank:CTBC", "bank-CTBC", "admin", "auditor\n"):
            data = json.loads(users.read_text(encoding="utf-8"))
            data["users"]["ctbc"]["role"] = role  # hand-edited
            users.write_text(json.dumps(data), encoding="utf-8")
            with httpx.Client(base_url=p.url) as c:
                r = http_login(c, "ctbc")
                assert r.status_code == 401, role
                r = c.get(f"/record/{esun_only}")
                assert r.status_code == 303 and "授信實務講義" not in r.text, role
    finally:
        p.stop()


def test_the_key_file_is_created_beside_a_users_file_given_elsewhere(tmp_path, cli, monkeypatch):
    """The README says the key file is created beside the users file; with `--users` elsewhere it was created in the
    catalogue's portal folder (review 9, web-r)."""
    path = tmp_path / "cat.duckdb"
    db.connect(path).close()
    users = tmp_path / "etc" / "users.json"
    UserStore(users).add("alice", "auditor", "alice-audit-pw-1")
    monkeypatch.delenv("CURATE_WEB_SECRET", raising=False)
    monkeypatch.delenv("CURATE_WEB_SECRET_FILE", raising=False)
    import uvicorn

    monkeypatch.setattr(uvicorn.Server, "run", lambda self: None)  # started and stopped at once
    code, out, err = cli("serve", "--users", str(users), db=path)
    assert code == 0, err
    key = users.parent / "secret.key"
    assert key.is_file() and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert not (tmp_path / ".curate" / "cat.duckdb" / "portal" / "secret.key").exists()


def test_two_first_starts_at_once_read_one_whole_key(tmp_path, monkeypatch):
    """Two portals started together on a folder with no key file: one created it (O_EXCL) while the other found it
    there, read it before it was written and stopped on 'too short', or lost the O_EXCL race in a traceback. The key
    is now created whole under a lock and every start reads the same one (review 9, web-r)."""
    import threading

    from curate.web.auth import load_secret

    monkeypatch.delenv("CURATE_WEB_SECRET", raising=False)
    monkeypatch.delenv("CURATE_WEB_SECRET_FILE", raising=False)

    def start(key, ready: threading.Barrier, got: list[object]) -> None:
        ready.wait()
        try:
            got.append(load_secret(key))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            got.append(exc)

    for attempt in range(5):
        key = tmp_path / f"try{attempt}" / "secret.key"
        ready = threading.Barrier(8)
        got: list[object] = []
        threads = [threading.Thread(target=start, args=(key, ready, got)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(set(got)) == 1 and isinstance(got[0], str) and len(got[0]) >= 32, got
        assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_secret_file_every_user_may_read_is_refused(tmp_path, monkeypatch):
    """The session-signing secret's file was read whatever its mode: a `secret.key` copied in with the umask's 0644,
    or a $CURATE_WEB_SECRET_FILE on a shared folder, gave every local user the key to sign the portal's cookies."""
    from curate.web.auth import load_secret
    from provenance.errors import ConfigError

    monkeypatch.delenv("CURATE_WEB_SECRET", raising=False)
    monkeypatch.delenv("CURATE_WEB_SECRET_FILE", raising=False)
    key = tmp_path / "secret.key"
    key.write_text("f" * 64 + "\n", encoding="utf-8")
    key.chmod(0o644)
    with pytest.raises(ConfigError, match=r"chmod 600") as exc:
        load_secret(key)
    assert "f" * 64 not in str(exc.value)
    key.chmod(0o600)
    assert load_secret(key) == "f" * 64


def test_a_secret_file_saved_by_powershell(tmp_path, monkeypatch):
    """`"<hex>" > secret.key` in PowerShell 5.1 writes UTF-16 with its mark: the portal refused it ("'utf-8' codec
    can't decode byte 0xff"); it is read as its text, as the PII key file is."""
    from curate.web.auth import load_secret

    monkeypatch.delenv("CURATE_WEB_SECRET", raising=False)
    monkeypatch.delenv("CURATE_WEB_SECRET_FILE", raising=False)
    key = tmp_path / "secret.key"
    key.write_bytes(("\ufeff" + "e" * 64 + "\r\n").encode("utf-16-le"))
    key.chmod(0o600)
    assert load_secret(key) == "e" * 64


def test_a_mounted_secret_file_has_a_way_on(tmp_path, monkeypatch):
    """A secret file whose mode cannot change (a Docker secret 0444, a Kubernetes secret volume 0644) was refused with
    `chmod 600` alone, which there does nothing: the refusal names a pipe, and the pipe is read."""
    import os

    from curate.web.auth import load_secret
    from provenance.errors import ConfigError

    monkeypatch.delenv("CURATE_WEB_SECRET", raising=False)
    key = tmp_path / "secret.key"
    key.write_text("d" * 64 + "\n", encoding="utf-8")
    key.chmod(0o444)
    monkeypatch.setenv("CURATE_WEB_SECRET_FILE", str(key))
    with pytest.raises(ConfigError, match=r"CURATE_WEB_SECRET_FILE=<\(cat ") as exc:
        load_secret(tmp_path / "other.key")
    assert "d" * 64 not in str(exc.value)
    r, w = os.pipe()
    try:
        os.write(w, key.read_bytes())
        os.close(w)
        monkeypatch.setenv("CURATE_WEB_SECRET_FILE", f"/dev/fd/{r}")
        assert load_secret(tmp_path / "other.key") == "d" * 64
    finally:
        os.close(r)


def test_a_secret_file_that_is_no_secret_file_is_named(tmp_path, monkeypatch):
    """`CURATE_WEB_SECRET_FILE=/dev/urandom` (taken for a key maker) was read without end, as the PII key file was
    before its cap; a large file is refused in one line."""
    from curate.web.auth import load_secret
    from provenance.errors import ConfigError

    monkeypatch.delenv("CURATE_WEB_SECRET", raising=False)
    big = tmp_path / "big"
    big.write_bytes(b"s" * (1 << 20))
    big.chmod(0o600)
    monkeypatch.setenv("CURATE_WEB_SECRET_FILE", str(big))
    with pytest.raises(ConfigError, match="more than 65536 bytes"):
        load_secret(tmp_path / "other.key")
