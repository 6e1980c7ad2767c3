"""The portal runs `audit verify`'s checks once per snapshot, also when requests arrive together."""

from __future__ import annotations

import contextlib
import threading
import time
from types import SimpleNamespace

import curate.web.app as app_mod


class _View:
    generation = 1

    def refresh(self) -> None:
        pass

    @contextlib.contextmanager
    def reading(self):
        yield None


def test_requests_arriving_together_share_one_check(monkeypatch) -> None:
    calls = []

    def slow_check(con):
        calls.append(1)
        time.sleep(0.3)  # the checks take seconds on a large catalogue
        return SimpleNamespace(ok=True)

    monkeypatch.setattr(app_mod, "check_catalogue", slow_check)
    state = SimpleNamespace(view=_View(), check_cache=None, check_lock=threading.Lock())
    results = []
    threads = [threading.Thread(target=lambda: results.append(app_mod._checked(state))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and len({id(r) for r in results}) == 1
    assert len(calls) == 1  # without the lock each request ran its own check
    state.view.generation = 2  # a new snapshot: checked again
    app_mod._checked(state)
    assert len(calls) == 2
