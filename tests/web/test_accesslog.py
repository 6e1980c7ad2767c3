"""What `curate serve`'s access log names of a request path (curate/web/accesslog.py): its pages, never a typed value."""

from __future__ import annotations

import logging

from curate.web.accesslog import logged_path, no_typed_values


def test_the_log_names_the_portals_pages_and_no_typed_value():
    rid, eid = "ab" * 32, "cd" * 12
    for path in ("/", "/login", "/ledger", "/static/plotly.js", f"/record/{rid}", f"/exports/{eid}/verify"):
        assert logged_path(path) == path
        assert logged_path(path + "?q=A123456789") == path
    # every browser asks for /favicon.ico on its own: it was logged as "(path not logged)", as if typed (review 12)
    assert logged_path("/favicon.ico") == "/favicon.ico"
    assert logged_path("/record/A123456789") == "/record/(typed id not logged)"
    assert logged_path("/record/%E7%8E%8B%E5%B0%8F%E6%98%8E") == "/record/(typed id not logged)"
    assert logged_path("/exports/0912345678") == "/exports/(typed id not logged)"
    assert logged_path("/A123456789") == "(path not logged)"
    rec = logging.LogRecord("uvicorn.access", 20, "", 0, '%s - "%s %s HTTP/%s" %d', None, None)
    rec.args = ("127.0.0.1:5", "GET", "/record/A123456789?x=1", "1.1", 404)
    assert no_typed_values(rec) and "A123456789" not in rec.getMessage()
