"""`curate serve` host names, neighbours of the Host check (review 17, re-review): an internationalised
`--allowed-host` (a browser sends its punycode, so the portal refused every user), a URL given as `--allowed-host`
(started with a name no Host header matches, refusing everyone, without a word), and `--host 0.0.0.0` (serve prints
http://0.0.0.0:PORT/, which the portal then answered 400: an address is no name DNS can re-point)."""

from __future__ import annotations

import pytest

from provenance import db


def _serve(tmp_path, monkeypatch, *extra):
    import uvicorn
    from click.testing import CliRunner

    from curate import cli as cli_mod
    from curate.web.auth import UserStore

    apps = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, *a, **k: apps.append(self.config.app))
    path = tmp_path / "cat.duckdb"
    db.connect(path).close()
    users = tmp_path / "users.json"
    UserStore(users).add("alice", "auditor", "alice-audit-pw-1")
    argv = ["--db", str(path), "serve", "--users", str(users), "--port", "8765", *extra]
    with CliRunner().isolation() as streams:
        rc = cli_mod.run(argv)
        said = streams[1].getvalue().decode()
    return rc, said, apps


def _statuses(app, bases):
    from starlette.testclient import TestClient

    out = {}
    for base in bases:
        with TestClient(app, base_url=base) as c:
            out[base] = c.get("/login").status_code
    return out


def test_an_internationalised_allowed_host_is_matched_as_browsers_send_it(tmp_path, monkeypatch):
    rc, _, (app,) = _serve(tmp_path, monkeypatch, "--allowed-host", "銀行.Example.")
    assert rc == 0
    got = _statuses(app, ["http://xn--jn2ax2s.example:8765", "http://attacker.example"])
    assert got == {"http://xn--jn2ax2s.example:8765": 200, "http://attacker.example": 400}
    app.state.view.close()


@pytest.mark.parametrize("value", ["https://portal.bank.example/", "alice@portal.bank.example", "portal bank"])
def test_an_allowed_host_that_is_no_host_name_is_refused(tmp_path, monkeypatch, value):
    rc, said, apps = _serve(tmp_path, monkeypatch, "--allowed-host", value)
    assert rc != 0 and apps == []
    assert "--allowed-host" in said and "not a host name" in said and "Traceback" not in said


def test_the_url_serve_prints_for_every_address_is_answered(tmp_path, monkeypatch):
    rc, said, (app,) = _serve(tmp_path, monkeypatch, "--host", "0.0.0.0")
    assert rc == 0
    got = _statuses(app, ["http://0.0.0.0:8765", "http://127.0.0.1:8765", "http://attacker.example:8765"])
    assert got == {"http://0.0.0.0:8765": 200, "http://127.0.0.1:8765": 200, "http://attacker.example:8765": 400}
    app.state.view.close()


def test_a_link_local_host_with_its_zone_serves(tmp_path, monkeypatch):
    """`--host fe80::1%eth0` (an IPv6 link-local address needs its zone): the address went into the Host check as
    given, whose `%` no host name holds, so the portal started and every request raised ValueError (the last read of
    review 17). The zone is no part of the name: the address answers, with or without it in the Host header."""
    rc, said, (app,) = _serve(tmp_path, monkeypatch, "--host", "fe80::1%lo")
    assert rc == 0, said
    got = _statuses(app, ["http://localhost:8765", "http://[fe80::1%25lo]:8765", "http://attacker.example:8765"])
    assert got == {"http://localhost:8765": 200, "http://[fe80::1%25lo]:8765": 200, "http://attacker.example:8765": 400}
    app.state.view.close()


def test_a_host_that_is_no_host_name_is_refused_in_one_line(tmp_path, monkeypatch):
    rc, said, apps = _serve(tmp_path, monkeypatch, "--host", "portal bank")
    assert rc != 0 and apps == []
    assert "--host `portal bank` is not a host name" in said and "Traceback" not in said
