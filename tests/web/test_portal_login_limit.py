"""The failed-login limit holds for tries sent together (review 9, web #1): the limit was checked before the
password and counted after it, so every try already waiting for its argon2 check had passed the check; twenty
wrong passwords sent at once were all checked (and each held 64 MiB of argon2 memory) instead of five."""

from __future__ import annotations

import threading

import httpx

from curate.web.auth import LoginLimiter

from .webhelpers import LivePortal, csrf_of, http_login


def test_wrong_passwords_sent_together_are_limited_like_one_after_another(demo_catalogue, tmp_path):
    p = LivePortal(demo_catalogue["path"], tmp_path / "portal")
    tries = 20
    ready = threading.Barrier(tries)
    codes: list[int] = []

    def attempt(i: int) -> None:
        with httpx.Client(base_url=p.url, timeout=600) as c:
            tok = csrf_of(c.get("/login").text)
            ready.wait()  # every form in hand before any is sent
            r = c.post("/login", data={"csrf": tok, "username": "alice", "password": f"wrong-{i}", "next": "/"})
            codes.append(r.status_code)

    try:
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(tries)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(codes) == [401] * 5 + [429] * (tries - 5), codes  # five passwords checked, the rest refused
    finally:
        p.stop()


def test_a_user_logging_in_between_guesses_does_not_reset_the_address_limit(demo_catalogue, tmp_path):
    """A login cleared every failure of its address, so a bank's user, who knows its own password, could log in
    after every four guesses at other users' names and guess on from one address without end. A login clears only
    its own name's failures now; five guesses at other names from the address lock it, its own login too
    (review 15)."""
    p = LivePortal(demo_catalogue["path"], tmp_path / "portal")
    try:
        with httpx.Client(base_url=p.url) as c:
            guesses: list[int] = []
            for round_ in range(4):
                guesses += [http_login(c, f"staff{round_}{i}", "guess-pw-123").status_code for i in range(2)]
                http_login(c, "ctbc")  # its own password, between the guesses
            assert guesses == [401] * 5 + [429] * 3, guesses
            assert http_login(c, "ctbc").status_code == 429
        p.app.state.limiter = LoginLimiter()  # a new window: a user's own typos, then its login, lock nothing
        with httpx.Client(base_url=p.url) as c:
            assert [http_login(c, "esun", "wrong-pw-123").status_code for _ in range(2)] == [401, 401]
            assert http_login(c, "esun").status_code == 303
            assert [http_login(c, "alice", "wrong-pw-123").status_code for _ in range(4)] == [401] * 4
    finally:
        p.stop()


def test_an_ipv6_client_cannot_step_round_the_address_limit_within_its_64(demo_catalogue, tmp_path):
    """The address limit counted each IPv6 address on its own, and a host or site is given a whole /64: stepping
    through its addresses (here as a proxy on the portal's host names them, X-Forwarded-For) guessed at one user
    name after another without end. The /64 is one address to the limit now; an IPv4-mapped address is its IPv4
    one; another /64 is not locked with it (review 15)."""
    from curate.web.auth import address_key

    assert address_key("::ffff:192.0.2.7") == address_key("192.0.2.7") == "192.0.2.7"
    p = LivePortal(demo_catalogue["path"], tmp_path / "portal")
    try:
        with httpx.Client(base_url=p.url) as c:
            tok = csrf_of(c.get("/login").text)
            codes = [
                c.post(
                    "/login",
                    data={"csrf": tok, "username": f"staff{i}", "password": "guess-pw-123", "next": "/"},
                    headers={"X-Forwarded-For": f"2001:db8:7:1::{i + 1:x}"},
                ).status_code
                for i in range(7)
            ]
            assert codes == [401] * 5 + [429] * 2, codes
            other = {"csrf": tok, "username": "ctbc", "password": "ctbc-bank-pw-1", "next": "/"}
            assert c.post("/login", data=other, headers={"X-Forwarded-For": "2001:db8:7:2::1"}).status_code == 303
    finally:
        p.stop()
