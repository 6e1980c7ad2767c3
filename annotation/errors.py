"""Errors of the Label Studio bridge.

:class:`LabelStudioError` carries a ``transient`` marker: transient errors (connection refused,
timeouts, HTTP 429/5xx) are retried with backoff by :mod:`annotation.label_studio`; terminal ones
(bad token, unknown project, invalid task) are raised at once.
"""

from __future__ import annotations

import re

from provenance.errors import WorkbenchError

#: a URL's ``scheme://user:password@``: everything from ``://`` to the last ``@`` (a password may hold an unencoded
#: ``#``, ``?`` or ``/``, which a URL parser reads as the end of the host: such a password was shown unmasked)
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)(.*)@", re.S)


def shown_url(url: str, mark: str = "***@") -> str:
    """``url`` as a message or the catalogue may hold it: its ``user:password@`` part replaced by ``mark`` (a
    LABEL_STUDIO_URL with credentials in it was echoed in every error line and stored as the instance key)."""
    return _USERINFO.sub(lambda m: m.group(1) + mark, url, count=1)


class LabelStudioError(WorkbenchError):
    """Label Studio could not do what was asked.

    Attributes:
        url: The Label Studio instance.
        transient: True if retrying later may succeed.
        status: HTTP status code, if there was a response.
    """

    transient = False

    def __init__(self, msg: str, *, url: str = "", status: int | None = None) -> None:
        url = shown_url(url)
        where = f" at {url}" if url else ""
        super().__init__(f"Label Studio{where}: {msg}")
        self.msg = msg
        self.url = url
        self.status = status


class LabelStudioTransientError(LabelStudioError):
    """Label Studio is down, slow or overloaded; retrying later may succeed."""

    transient = True


class LabelStudioTerminalError(LabelStudioError):
    """Label Studio refused the request; retrying will not help."""


class NotAnApiAnswer(WorkbenchError):
    """An answer that is not what Label Studio's API gives (an HTML page, malformed JSON, JSON of another shape):
    its message says what it is, never quoting it. The client turns it into a :class:`LabelStudioTerminalError`
    naming the request."""


class AnnotationRefusedError(WorkbenchError):
    """Records were refused for annotation (PII stage not passed or licence forbids it)."""


class InvalidAnnotation(WorkbenchError, ValueError):
    """One annotation cannot be imported as it stands: it is stored as ``invalid`` with :attr:`code`.

    ``code`` and the message are fixed texts (offsets at most, validated as integers first): they go into the
    immutable ledger, and an annotation's values can hold anything, personal data included.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


__all__ = [
    "AnnotationRefusedError",
    "InvalidAnnotation",
    "LabelStudioError",
    "LabelStudioTerminalError",
    "LabelStudioTransientError",
    "NotAnApiAnswer",
]
