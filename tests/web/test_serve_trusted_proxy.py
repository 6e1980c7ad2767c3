"""`curate serve` believes X-Forwarded-For only from the proxies `--trusted-proxy` names (review 16, portal).

uvicorn's default trusts the header from 127.0.0.1, so any client on the portal's machine (or anyone through a proxy
that passes the header on) named a new address on each login try: the per-address limit never locked, and the
access log recorded the addresses it chose. The real `curate serve` is started here, as a steward starts it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from curate import cli as cli_mod

from .webhelpers import USERS, csrf_of

ROOT = Path(__file__).resolve().parents[2]


def _serve(tmp_path: Path, *extra: str):
    from curate.web.auth import UserStore
    from provenance import db

    path = tmp_path / "cat.duckdb"
    if not path.exists():
        db.connect(path).close()
        UserStore(tmp_path / "users.json").add("alice", "auditor", USERS["alice"][1])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CURATE_WEB_SECRET": "s" * 48}
    cmd = [sys.executable, "-m", "curate.cli", "--db", str(path), "serve", "--port", str(port)]
    cmd += ["--users", str(tmp_path / "users.json"), *extra]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login").status_code == 200:
                return proc, f"http://127.0.0.1:{port}"
        except httpx.TransportError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read() if proc.stdout else ""
        time.sleep(0.2)


def _stop(proc) -> str:
    proc.send_signal(signal.SIGTERM)
    return proc.communicate(timeout=60)[0]


def _tries(base: str, forwarded: list[str]) -> list[int]:
    """One failed login per address named in X-Forwarded-For, each at another user name (the name limit apart)."""
    with httpx.Client(base_url=base) as c:
        tok = csrf_of(c.get("/login").text)
        form = {"csrf": tok, "password": "guess-pw-123", "next": "/"}
        return [
            c.post("/login", data={**form, "username": f"staff{i}"}, headers={"X-Forwarded-For": a}).status_code
            for i, a in enumerate(forwarded)
        ]


def test_a_forged_forwarded_for_neither_escapes_the_login_limit_nor_reaches_the_log(tmp_path):
    proc, base = _serve(tmp_path)
    try:
        codes = _tries(base, [f"203.0.113.{i}" for i in range(7)])
    finally:
        out = _stop(proc)
    assert codes == [401] * 5 + [429] * 2, codes  # one client, whatever it says it is
    assert "203.0.113." not in out and "127.0.0.1:" in out  # the log names the connection's address


def test_a_named_proxy_is_believed(tmp_path):
    """Behind a proxy on this machine named with `--trusted-proxy`, each client is its own address to the limit:
    one client's failures do not lock out every user of the proxy."""
    proc, base = _serve(tmp_path, "--trusted-proxy", "127.0.0.1")
    try:
        codes = _tries(base, ["198.51.100.7"] * 6 + ["198.51.100.8"])
    finally:
        out = _stop(proc)
    assert codes == [401] * 5 + [429, 401], codes
    assert "198.51.100.8:" in out
    assert "without --https-only: the session cookie is not marked Secure" in out  # a TLS proxy's cookie


def test_a_named_proxy_with_https_only_is_not_warned_of(tmp_path):
    proc, base = _serve(tmp_path, "--trusted-proxy", "127.0.0.1", "--https-only")
    out = _stop(proc)
    assert "not marked Secure" not in out and "warning" not in out, out


def test_a_proxy_that_is_not_an_address_is_refused(tmp_path):
    with CliRunner().isolation() as streams:
        code = cli_mod.run(["--db", str(tmp_path / "c.duckdb"), "serve", "--trusted-proxy", "*"])
        err = streams[1].getvalue().decode()
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--trusted-proxy `*`" in err, err
    assert not (tmp_path / ".curate").exists()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("0.0.0.0/0", "is every address"),
        ("::/0", "is every address"),
        ("10.0.0.5/24", "name the proxy (`10.0.0.5`)"),
        ("2001:db8::5/64", "the network (`2001:db8::/64`)"),
    ],
    ids=["every-ipv4", "every-ipv6", "ipv4-with-prefix", "ipv6-with-prefix"],
)
def test_a_proxy_that_trusts_every_client_or_a_network_by_mistake_is_refused(tmp_path, value, says):
    """`0.0.0.0/0` is `*` by another name; `10.0.0.5/24` (as `ip addr` shows the proxy's address) trusted the whole
    /24, whose clients could then name any address (review 16r)."""
    with CliRunner().isolation() as streams:
        code = cli_mod.run(["--db", str(tmp_path / "c.duckdb"), "serve", "--trusted-proxy", value])
        err = streams[1].getvalue().decode()
    assert code == 2 and len(err.strip().splitlines()) == 1 and says in err, err
    assert not (tmp_path / ".curate").exists()


def test_an_ipv6_network_of_prefix_32_stays_a_network():
    """`2001:db8::/32` lost its prefix (its `/32` was taken for an IPv4 host's) and trusted one address (review 16r)."""
    from uvicorn.middleware.proxy_headers import _TrustedHosts

    from curate.commands.serve import _trusted_proxies

    trusted = _TrustedHosts(_trusted_proxies(("2001:db8::/32", "192.0.2.1")))
    assert "2001:db8:1::9" in trusted and "192.0.2.1" in trusted
    assert "2001:db9::1" not in trusted and "192.0.2.2" not in trusted
