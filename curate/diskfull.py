"""A file that could not be written because the disk is full (or a file-size limit or quota was reached): told apart
from other errors, so that the one-line error says so instead of "a bug" or a traceback. No heavy imports: the CLI
reads it on its error path."""

from __future__ import annotations

import errno
import os
import re

#: what the system says when a file cannot grow: a full disk, a file-size limit (``ulimit -f``), a quota
_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


def write_failure(exc: BaseException) -> tuple[str, str] | None:
    """``(why, file)`` when ``exc`` is a file that could not be written because the disk is full (or a file-size
    limit or quota was reached): an ``OSError`` of the run's own files, or DuckDB's ``IOException`` or failed commit
    that names the system's reason; ``file`` may be empty. None for any other error.

    >>> write_failure(OSError(errno.ENOSPC, "No space left on device", "/w/00000.parquet"))
    ('No space left on device', '/w/00000.parquet')
    >>> write_failure(ValueError("x")) is None
    True
    """
    if isinstance(exc, OSError) and exc.errno in _FULL:
        return os.strerror(exc.errno), str(exc.filename or "")
    if "duckdb" not in (type(exc).__module__ or ""):
        return None
    first = str(exc).splitlines()[0] if str(exc) else ""
    for why in sorted(os.strerror(code) for code in _FULL):
        if why in first:
            found = re.search(r'file "([^"]+)"', first)
            return why, found.group(1) if found else ""
    return None
