"""The failed-login limit holds for tries sent together (review 9, web #1): the limit was checked before the
password and counted after it, so every try already waiting for its argon2 check had passed the check; twenty
wrong passwords sent at once were all checked (and each held 64 MiB of argon2 memory) instead of five."""

from __future__ import annotations

import threading

import httpx

from .webhelpers import LivePortal, csrf_of


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
