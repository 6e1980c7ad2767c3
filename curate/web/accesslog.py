"""What ``curate serve``'s access log may name of a request: its page, never what a user typed.

A search is a query string (``/?q=A123456789``), and a record or export is typed into the address bar as well
(``/record/A123456789``, ``/record/王小明``): a bank's user who pastes a customer's ID number or name there must not
have it written to the portal's log. The log keeps the fixed pages and whole record and export ids (they name no
person); any other path is shown by its page only.
"""

from __future__ import annotations

import logging
import re

#: the portal's pages without a variable part
_FIXED = frozenset(
    (
        "/",
        "/login",
        "/logout",
        "/exports",
        "/withdrawals",
        "/ledger",
        "/licences",
        "/report",
        "/static/plotly.js",
        "/static/export-chart.js",
        "/favicon.ico",  # every browser asks for it: a page, not something typed
    )
)
_WHOLE_ID = re.compile(r"^/(?:record/[0-9a-f]{64}|exports/[0-9a-f]{24}(?:/verify)?)$")


def logged_path(path: str) -> str:
    """``path`` (a raw request path, perhaps with a query) as the access log may name it.

    >>> logged_path("/?q=A123456789"), logged_path("/record/A123456789"), logged_path("/A123456789")
    ('/', '/record/(typed id not logged)', '(path not logged)')
    >>> logged_path("/exports/" + "ab" * 12)
    '/exports/abababababababababababab'
    """
    path = path.split("?", 1)[0]
    if path in _FIXED or _WHOLE_ID.match(path):
        return path
    for page in ("/record/", "/exports/"):
        if path.startswith(page):
            return f"{page}(typed id not logged)"
    return "(path not logged)"


def no_typed_values(record: logging.LogRecord) -> bool:
    """A filter for uvicorn's access log (``'%s - "%s %s HTTP/%s" %d'``): its path as :func:`logged_path` says."""
    args = record.args
    if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
        record.args = (*args[:2], logged_path(args[2]), *args[3:])
    return True
